"""Where the conntrack advice points and when it is due: LVS121 at the `forwarding` that
masquerades or the NAT FTP service (the flows MASQUERADE rules would mangle), LVS122 at the
`conntrack` setting that makes conn_reuse_mode matter."""

from __future__ import annotations

from ipaddress import ip_address, ip_interface, ip_network

from lvscc.model.config import Config, Forwarding, Ftp, Method, Protocol, RealServer, VirtualService
from lvscc.model.span import Span
from lvscc.rules import check

CLUSTER_AT = Span("lab.lvs", 1, 1, 20, 2)
FORWARDING_AT = Span("lab.lvs", 2, 3, 2, 40)
SERVICE_AT = Span("lab.lvs", 5, 3, 9, 4)
SYSCTL_AT = Span("lab.lvs", 3, 9, 3, 20)
NAT_CLUSTER = Forwarding(Method.NAT, gateway=ip_interface("198.51.100.1/24"), span=FORWARDING_AT)
MASQUERADE = (ip_network("198.51.100.0/24"),)


def _service(name: str = "web", port: int = 80, server_method: Method | None = None,
             **fields: object) -> VirtualService:
    base: dict[str, object] = {"name": name, "vip": ip_interface("192.0.2.10/24"), "protocol": Protocol.TCP,
                               "port": port, "persistence": 300, "span": SERVICE_AT, "check": None,
                               "servers": (RealServer("web1", ip_address("198.51.100.21"), method=server_method),)}
    return VirtualService(**(base | fields))  # type: ignore[arg-type]


def _found(code: str, config: Config) -> list[tuple[str, Span]]:
    return [(d.message, d.span) for d in check(config) if d.code == code]


UNTRACKED = "NAT traffic passes MASQUERADE rules on the director, but IPVS connections are not tracked"


def test_masquerading_nat_wants_conntrack_at_its_forwarding_statement() -> None:
    forwarding = Forwarding(Method.NAT, masquerade=MASQUERADE, span=FORWARDING_AT)
    config = Config("lab", forwarding=forwarding, services=(_service(forwarding=forwarding),), span=CLUSTER_AT)
    assert _found("LVS121", config) == [(UNTRACKED, FORWARDING_AT)]
    tracked = Config("lab", forwarding=forwarding, services=(_service(forwarding=forwarding),),
                     ipvs_sysctls=(("conntrack", (1,), SYSCTL_AT), ("conn_reuse_mode", (1,), SYSCTL_AT)))
    assert _found("LVS121", tracked) == []


def test_masquerade_under_a_method_other_than_nat_wants_nothing() -> None:
    forwarding = Forwarding(Method.DIRECT, masquerade=MASQUERADE, span=FORWARDING_AT)
    assert _found("LVS121", Config("lab", forwarding=forwarding, services=(_service(forwarding=forwarding),))) == []


def test_a_nat_ftp_service_wants_conntrack_at_the_service() -> None:
    ftp = _service("ftp", 21, forwarding=NAT_CLUSTER)
    assert _found("LVS121", Config("lab", forwarding=NAT_CLUSTER, services=(ftp,))) == [(UNTRACKED, SERVICE_AT)]
    statement = _service("files", 2121, ftp=Ftp(), server_method=Method.NAT)
    assert _found("LVS121", Config("lab", services=(statement,))) == [(UNTRACKED, SERVICE_AT)]


def test_ftp_without_nat_servers_or_nat_without_ftp_wants_nothing() -> None:
    assert _found("LVS121", Config("lab", services=(_service("ftp", 21),))) == []
    assert _found("LVS121", Config("lab", forwarding=NAT_CLUSTER, services=(_service(forwarding=NAT_CLUSTER),))) == []


def test_conntrack_without_reuse_mode_points_at_the_conntrack_setting() -> None:
    settings = (("expire_nodest_conn", (1,), CLUSTER_AT), ("conntrack", (1,), SYSCTL_AT))
    assert _found("LVS122", Config("lab", ipvs_sysctls=settings, span=CLUSTER_AT)) == [
        ("conntrack is on but conn_reuse_mode is left at the kernel's default", SYSCTL_AT)]


def test_one_nat_server_in_an_ftp_service_is_enough_to_want_conntrack() -> None:
    servers = (RealServer("web1", ip_address("192.0.2.21")), RealServer("web2", ip_address("198.51.100.22"),
                                                                      method=Method.NAT))
    ftp = _service("ftp", 21, servers=servers)
    assert _found("LVS121", Config("lab", services=(ftp,))) == [(UNTRACKED, SERVICE_AT)]
