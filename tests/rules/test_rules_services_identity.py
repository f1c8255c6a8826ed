"""LVS112 word for word: two services the kernel keys alike (protocol, VIP and port, or family
and firewall mark) and two real servers the kernel cannot tell apart (address and the port it
really gets), each named in the message so the operator knows which line the restore skips."""

from __future__ import annotations

from ipaddress import ip_address, ip_interface

from lvscc.model.config import Config, Forwarding, Method, Protocol, RealServer, VirtualService
from lvscc.model.span import Span
from lvscc.rules import check

FIRST_AT = Span("lab.lvs", 2, 3, 6, 4)
SECOND_AT = Span("lab.lvs", 7, 3, 11, 4)
SERVER_AT = Span("lab.lvs", 10, 5, 10, 30)


def _service(name: str = "web", span: Span = FIRST_AT, **fields: object) -> VirtualService:
    base: dict[str, object] = {"name": name, "vip": ip_interface("192.0.2.10/24"), "protocol": Protocol.TCP,
                               "port": 80, "persistence": 300, "span": span,
                               "servers": (RealServer("web1", ip_address("192.0.2.21")),)}
    return VirtualService(**(base | fields))  # type: ignore[arg-type]


def _lvs112(*services: VirtualService) -> list[tuple[str, Span]]:
    return [(d.message, d.span) for d in check(Config("lab", services=services)) if d.code == "LVS112"]


def _hints(*services: VirtualService) -> list[str | None]:
    return [d.hint for d in check(Config("lab", services=services)) if d.code == "LVS112"]


def test_a_second_service_on_the_same_protocol_vip_and_port_is_named_with_the_first() -> None:
    assert _lvs112(_service(), _service("www", SECOND_AT)) == [
        ("service www is the same kernel service as web: tcp 192.0.2.10 port 80", SECOND_AT)]


def test_services_differing_in_protocol_port_or_vip_are_distinct() -> None:
    assert _lvs112(_service(), _service("dns", SECOND_AT, protocol=Protocol.UDP)) == []
    assert _lvs112(_service(), _service("tls", SECOND_AT, port=443)) == []
    assert _lvs112(_service(), _service("other", SECOND_AT, vip=ip_interface("192.0.2.11/24"))) == []


def test_a_second_service_on_the_same_mark_and_family_is_named_with_the_first() -> None:
    marked = {"protocol": None, "port": None, "fwmark": 5, "marks_external": True}
    assert _lvs112(_service(**marked), _service("www", SECOND_AT, **marked)) == [
        ("service www is the same kernel service as web: firewall mark 5 (IPv4)", SECOND_AT)]


def test_the_same_mark_in_another_family_or_another_mark_is_distinct() -> None:
    marked = {"protocol": None, "port": None, "fwmark": 5, "marks_external": True}
    ipv6 = _service("v6", SECOND_AT, **(marked | {"vip": ip_interface("2001:db8::10/64"),
                                                  "servers": (RealServer("web1", ip_address("2001:db8::21")),)}))
    assert _lvs112(_service(**marked), ipv6) == []
    assert _lvs112(_service(**marked), _service("six", SECOND_AT, **(marked | {"fwmark": 6}))) == []


def test_a_mark_service_and_an_address_service_never_collide() -> None:
    """A mark service with no VIP keys on (family, mark), never on (protocol, VIP, port)."""
    no_vip = _service("marked", SECOND_AT, vip=None, protocol=None, port=None, fwmark=80, marks_external=True)
    assert _lvs112(_service(), no_vip) == []


def test_two_direct_routing_servers_on_one_address_collide_whatever_ports_they_name() -> None:
    servers = (RealServer("web1", ip_address("192.0.2.21")),
               RealServer("web2", ip_address("192.0.2.21"), port=8080, span=SERVER_AT))
    assert _lvs112(_service(servers=servers, forwarding=Forwarding(Method.DIRECT))) == [(
        "service web: servers web1 and web2 are both 192.0.2.21 port 80", SERVER_AT)]
    assert _hints(_service(servers=servers)) == [
        "remove one of them (direct routing and tunnelling use the virtual port for every server)"]
    assert _hints(_service(), _service("www", SECOND_AT)) == ["merge the two services, or change the VIP, port or mark"]


def test_two_nat_servers_on_one_address_collide_only_on_one_port() -> None:
    nat = Forwarding(Method.NAT)
    apart = (RealServer("web1", ip_address("192.0.2.21"), port=8080),
             RealServer("web2", ip_address("192.0.2.21"), port=8081, span=SERVER_AT))
    assert _lvs112(_service(servers=apart, forwarding=nat)) == []
    alike = (apart[0], RealServer("web2", ip_address("192.0.2.21"), port=8080, span=SERVER_AT))
    assert _lvs112(_service(servers=alike, forwarding=nat)) == [
        ("service web: servers web1 and web2 are both 192.0.2.21 port 8080", SERVER_AT)]


def test_every_extra_server_on_a_taken_address_is_reported_against_the_first() -> None:
    servers = tuple(RealServer(f"web{i}", ip_address("192.0.2.21"), span=SERVER_AT) for i in (1, 2, 3))
    assert [m for m, _ in _lvs112(_service(servers=servers))] == [
        "service web: servers web1 and web2 are both 192.0.2.21 port 80",
        "service web: servers web1 and web3 are both 192.0.2.21 port 80",
    ]
