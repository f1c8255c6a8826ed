"""The readings of a Config that several rules share (lvscc/rules/_common.py), each at the case
that tells it apart: the port the kernel really gives a real server, what a service carries,
which `ipvs { }` value is set, which `forwarding` statements exist, where a finding points."""

from __future__ import annotations

from ipaddress import ip_address, ip_interface

import pytest

from lvscc.model.config import (
    Config,
    Forwarding,
    Ftp,
    MarkPorts,
    Method,
    PortRange,
    Protocol,
    RealServer,
    VirtualService,
)
from lvscc.model.span import NOWHERE, Span
from lvscc.rules._common import (
    declared_forwardings,
    forwarding_span,
    is_ftp,
    protocols_of,
    server_port,
    span_of,
    sysctl,
    sysctl_is,
)

SERVICE_AT = Span("lab.lvs", 3, 3, 9, 4)
FIELD_AT = Span("lab.lvs", 5, 5, 5, 20)
FORWARDING_AT = Span("lab.lvs", 4, 5, 4, 30)


def _service(**fields: object) -> VirtualService:
    base: dict[str, object] = {"name": "web", "vip": ip_interface("192.0.2.10/24"), "protocol": Protocol.TCP,
                               "port": 80, "span": SERVICE_AT}
    return VirtualService(**(base | fields))  # type: ignore[arg-type]


def _server(port: int | None = None, method: Method | None = None) -> RealServer:
    return RealServer("web1", ip_address("192.0.2.21"), port=port, method=method)


@pytest.mark.parametrize(("service", "server", "port"), [
    (_service(forwarding=Forwarding(Method.NAT)), _server(8080), 8080),
    (_service(forwarding=Forwarding(Method.NAT)), _server(), 80),
    (_service(), _server(8080), 80),
    (_service(forwarding=Forwarding(Method.TUNNEL)), _server(8080), 80),
    (_service(), _server(8080, Method.NAT), 8080),
    (_service(forwarding=Forwarding(Method.NAT)), _server(8080, Method.DIRECT), 80),
    (_service(port=None), _server(), 0),
    (_service(protocol=None, port=None, fwmark=7), _server(), 0),
    (_service(protocol=None, port=None, fwmark=7), _server(8080), 8080),
])
def test_the_kernel_gives_a_real_server_the_virtual_port_unless_nat_names_its_own(
        service: VirtualService, server: RealServer, port: int) -> None:
    assert server_port(service, server) == port


def test_a_service_carries_its_protocol_or_nothing_when_it_has_none() -> None:
    assert protocols_of(_service(protocol=Protocol.UDP)) == {Protocol.UDP}
    assert protocols_of(_service(protocol=None)) == set()


def test_a_firewall_mark_service_carries_what_its_marks_match_and_ftp_adds_tcp() -> None:
    marks = (MarkPorts(Protocol.UDP, (PortRange(53, 53),)), MarkPorts(Protocol.UDP, (PortRange(123, 123),)))
    marked = _service(protocol=None, port=None, fwmark=7, mark_ports=marks)
    assert protocols_of(marked) == {Protocol.UDP}
    assert protocols_of(_service(protocol=None, port=None, fwmark=7, mark_ports=marks, ftp=Ftp())) == {
        Protocol.UDP, Protocol.TCP}
    assert protocols_of(_service(protocol=None, port=None, fwmark=7)) == set()


def _config(*settings: tuple[str, tuple[int, ...]]) -> Config:
    return Config("lab", ipvs_sysctls=tuple((name, values, FIELD_AT) for name, values in settings))


def test_an_ipvs_sysctl_reads_the_first_setting_of_its_name_or_none() -> None:
    config = _config(("conntrack", (1,)), ("sync_threshold", (3, 50)), ("conntrack", (0,)))
    assert sysctl(config, "sync_threshold") == (3, 50)
    assert sysctl(config, "conntrack") == (1,)
    assert sysctl(config, "expire_nodest_conn") is None


def test_a_sysctl_is_a_value_only_when_set_to_exactly_that_one_value() -> None:
    assert sysctl_is(_config(("conntrack", (1,))), "conntrack", 1)
    assert not sysctl_is(_config(("conntrack", (0,))), "conntrack", 1)
    assert not sysctl_is(_config(("conntrack", (1, 1))), "conntrack", 1)
    assert not sysctl_is(_config(), "conntrack", 1)


@pytest.mark.parametrize(("service", "ftp"), [
    (_service(port=21), True),
    (_service(port=20), False),
    (_service(port=22), False),
    (_service(port=21, protocol=Protocol.UDP), False),
    (_service(port=2121, ftp=Ftp()), True),
    (_service(protocol=None, port=None, fwmark=21), False),
])
def test_a_service_is_ftp_by_its_statement_or_plain_tcp_port_21(service: VirtualService, ftp: bool) -> None:
    assert is_ftp(service) is ftp


def test_a_finding_points_at_the_field_when_recorded_else_at_the_service() -> None:
    assert span_of(_service(spans={"persistence": FIELD_AT}), "persistence") == FIELD_AT
    assert span_of(_service(spans={"persistence": FIELD_AT}), "fwmark") == SERVICE_AT
    assert span_of(_service(spans={"fwmark": NOWHERE}), "fwmark") == SERVICE_AT


def test_a_forwarding_finding_points_at_the_statement_when_there_is_one() -> None:
    assert forwarding_span(_service(forwarding=Forwarding(Method.NAT, span=FORWARDING_AT))) == FORWARDING_AT
    assert forwarding_span(_service(forwarding=Forwarding(Method.NAT))) == SERVICE_AT


def test_each_forwarding_statement_is_judged_once_cluster_first() -> None:
    cluster = Forwarding(Method.NAT, span=FORWARDING_AT)
    own = Forwarding(Method.TUNNEL, span=FIELD_AT)
    config = Config("lab", forwarding=cluster, services=(
        _service(name="inherits", forwarding=cluster),
        _service(name="default"),
        _service(name="own", forwarding=own),
        _service(name="idle", forwarding=own, active=False),
    ))
    assert list(declared_forwardings(config)) == [("cluster lab", cluster), ("service own", own)]
