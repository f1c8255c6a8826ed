"""What the persistence rules tell an operator, word for word: which client mask a service of
each family takes (LVS156), and when quiescing or removing servers strands clients (LVS123).
The samples in cases/ prove the codes; these pin each branch's message and the sysctl that
silences it, so a branch that stopped telling its problem apart shows here."""

from __future__ import annotations

from ipaddress import IPv4Address, ip_address, ip_interface

import pytest

from lvscc.model.config import Config, HealthCheck, Protocol, RealServer, VirtualService
from lvscc.model.span import Span
from lvscc.rules import check

PERSISTENCE_AT = Span("web.lvs", 6, 5, 6, 20)
CHECK_AT = Span("web.lvs", 7, 5, 7, 30)
SERVICE_AT = Span("web.lvs", 3, 3, 9, 4)


def _service(vip: str = "192.0.2.10/24", **fields: object) -> VirtualService:
    base: dict[str, object] = {
        "name": "web",
        "vip": ip_interface(vip),
        "protocol": Protocol.TCP,
        "port": 80,
        "persistence": 300,
        "servers": (RealServer("web1", ip_address(vip.split("/")[0])),),
        "span": SERVICE_AT,
        "spans": {"persistence": PERSISTENCE_AT, "check": CHECK_AT},
    }
    return VirtualService(**(base | fields))  # type: ignore[arg-type]


def _found(*services: VirtualService, sysctls: dict[str, int] | None = None) -> list[tuple[str, str, str, Span]]:
    settings = tuple((name, (value,), SERVICE_AT) for name, value in (sysctls or {}).items())
    config = Config("lab", services=services, ipvs_sysctls=settings)
    return [(d.code, d.severity.value, d.message, d.span) for d in check(config)]


@pytest.mark.parametrize(("vip", "mask", "problem"), [
    ("2001:db8::10/64", IPv4Address("255.255.255.0"),
     "an IPv6 service takes a prefix length, not netmask 255.255.255.0"),
    ("192.0.2.10/24", IPv4Address("255.0.255.0"), "netmask 255.0.255.0 is not contiguous"),
    ("192.0.2.10/24", 24, "an IPv4 service takes a dotted netmask, not prefix 24"),
    ("2001:db8::10/64", 0, "prefix 0 is outside 1..128"),
    ("2001:db8::10/64", 129, "prefix 129 is outside 1..128"),
])
def test_a_client_mask_of_the_wrong_kind_or_size_is_named(vip: str, mask: IPv4Address | int, problem: str) -> None:
    service = _service(vip, persistence_mask=mask)
    errors = [f for f in _found(service) if f[0] == "LVS156"]
    assert errors == [("LVS156", "error", f"service web: {problem}", PERSISTENCE_AT)]


@pytest.mark.parametrize(("vip", "mask"), [
    ("192.0.2.10/24", IPv4Address("255.255.255.0")),
    ("192.0.2.10/24", IPv4Address("255.255.255.255")),
    ("2001:db8::10/64", 1),
    ("2001:db8::10/64", 128),
    ("2001:db8::10/64", 64),
])
def test_a_client_mask_of_the_service_family_passes(vip: str, mask: IPv4Address | int) -> None:
    assert [f for f in _found(_service(vip, persistence_mask=mask)) if f[0] == "LVS156"] == []


def test_an_ipv4_mask_on_a_service_of_no_family_yet_is_only_checked_for_contiguity() -> None:
    """A firewall-mark service without a VIP has family 4 by default: a dotted mask is its kind."""
    marked = VirtualService("web", fwmark=1, persistence=300, persistence_mask=IPv4Address("255.255.0.0"),
                            spans={"persistence": PERSISTENCE_AT})
    assert [f for f in _found(marked) if f[0] == "LVS156"] == []


STRANDED = ("service web is persistent and quiesces servers: returning clients keep reaching a quiesced "
            "server until their persistence expires")
DROPPED = ("service web removes failed servers: their established connections are silently dropped until "
           "they time out")


def _lvs123(*services: VirtualService, sysctls: dict[str, int] | None = None) -> list[tuple[str, str, Span]]:
    return [(severity, message, span) for code, severity, message, span in _found(*services, sysctls=sysctls)
            if code == "LVS123"]


def test_a_persistent_service_that_quiesces_strands_returning_clients() -> None:
    assert _lvs123(_service(quiesce=True)) == [("warning", STRANDED, PERSISTENCE_AT)]


def test_a_persistent_service_with_a_server_at_weight_zero_strands_returning_clients() -> None:
    servers = (RealServer("web1", ip_address("192.0.2.21")), RealServer("web2", ip_address("192.0.2.22"), weight=0))
    assert _lvs123(_service(servers=servers)) == [("warning", STRANDED, PERSISTENCE_AT)]


def test_a_persistent_service_that_quiesces_nothing_strands_nobody() -> None:
    assert _lvs123(_service()) == []
    assert _lvs123(_service(quiesce=True, persistence=None)) == []


def test_expire_quiescent_template_1_and_only_1_lets_clients_leave_a_quiesced_server() -> None:
    assert _lvs123(_service(quiesce=True), sysctls={"expire_quiescent_template": 1}) == []
    assert _lvs123(_service(quiesce=True), sysctls={"expire_quiescent_template": 0}) == [
        ("warning", STRANDED, PERSISTENCE_AT)]


def test_a_checked_service_that_removes_servers_drops_their_connections() -> None:
    checked = _service(persistence=None, check=HealthCheck(send="GET /"))
    assert _lvs123(checked) == [("warning", DROPPED, CHECK_AT)]
    assert _lvs123(checked, sysctls={"expire_nodest_conn": 0}) == [("warning", DROPPED, CHECK_AT)]


def test_expire_nodest_conn_1_or_quiesce_stops_the_silent_drop() -> None:
    checked = _service(persistence=None, check=HealthCheck(send="GET /"))
    assert _lvs123(checked, sysctls={"expire_nodest_conn": 1}) == []
    assert _lvs123(_service(persistence=None, quiesce=True, check=HealthCheck(send="GET /"))) == []
    assert _lvs123(_service(persistence=None)) == []


def test_each_lvs123_finding_carries_the_sysctl_that_silences_it() -> None:
    service = _service(quiesce=True, check=HealthCheck(send="GET /"), servers=(
        RealServer("web1", ip_address("192.0.2.21"), weight=0),))
    config = Config("lab", services=(service, _service(name="mail", quiesce=False, persistence=None,
                                                        check=HealthCheck(send="HELO"))))
    found = [(d.message.split(":")[0], d.hint) for d in check(config) if d.code == "LVS123"]
    assert found == [
        ("service web is persistent and quiesces servers", "add `ipvs { expire_quiescent_template 1 }`"),
        ("service mail removes failed servers",
         "add `ipvs { expire_nodest_conn 1 }` so clients are reset at once, or `quiesce`"),
    ]
