"""Rule paths the language cannot reach but an importer (lvs.cf, keepalived.conf,
ipvsadm-save) can: IR built directly."""

from __future__ import annotations

from ipaddress import IPv4Address, ip_address, ip_interface

from lvscc.model.config import Config, Forwarding, Method, Protocol, RealServer, Tunnel, TunnelType, VirtualService
from lvscc.rules import check


def _service(**fields: object) -> VirtualService:
    base: dict[str, object] = {
        "name": "web",
        "vip": ip_interface("192.0.2.10/24"),
        "protocol": Protocol.TCP,
        "port": 80,
        "servers": (RealServer("web1", ip_address("192.0.2.21")),),
    }
    return VirtualService(**(base | fields))  # type: ignore[arg-type]


def _codes(config: Config) -> list[str]:
    return [d.code for d in check(config)]


def test_an_empty_cluster_is_clean() -> None:
    assert check(Config("empty")) == []


def test_tunnel_options_on_direct_routing() -> None:
    direct = Forwarding(method=Method.DIRECT, tunnel=Tunnel(TunnelType.GUE, port=6080))
    assert _codes(Config("lab", forwarding=direct, services=(_service(forwarding=direct),))) == ["LVS114"]


def test_netmask_without_persistence() -> None:
    service = _service(persistence_mask=IPv4Address("255.255.255.0"))
    assert _codes(Config("lab", services=(service,))) == ["LVS170"]


def test_inactive_services_are_not_judged() -> None:
    broken = _service(port=0, active=False)
    assert _codes(Config("lab", services=(broken,))) == []
    assert _codes(Config("lab", services=(_service(port=0),))) == ["LVS103"]


def test_inactive_servers_do_not_collide() -> None:
    twins = (RealServer("a", ip_address("192.0.2.21")), RealServer("b", ip_address("192.0.2.21"), active=False))
    assert _codes(Config("lab", services=(_service(servers=twins),))) == []
    assert _codes(Config("lab", services=(_service(servers=(twins[0], twins[0])),))) == ["LVS112", "LVS161"]
