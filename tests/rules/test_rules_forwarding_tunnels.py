"""LVS114 word for word: which tunnel option does not fit which tunnel type, so the operator
fixes the one ipvsadm would have refused (`Tunnel options conflict with forward method`)."""

from __future__ import annotations

from ipaddress import ip_address, ip_interface

import pytest

from lvscc.model.config import Config, Forwarding, Method, Protocol, RealServer, Tunnel, TunnelType, VirtualService
from lvscc.model.span import Span
from lvscc.rules import check

FORWARDING_AT = Span("lab.lvs", 2, 3, 2, 40)


def _lvs114(tunnel: Tunnel, method: Method = Method.TUNNEL) -> list[tuple[str, Span, str | None]]:
    forwarding = Forwarding(method, tunnel=tunnel, span=FORWARDING_AT)
    service = VirtualService("web", vip=ip_interface("192.0.2.10/24"), protocol=Protocol.TCP, port=80,
                             forwarding=forwarding, servers=(RealServer("web1", ip_address("198.51.100.21")),))
    found = check(Config("lab", forwarding=forwarding, services=(service,)))
    return [(d.message, d.span, d.hint) for d in found if d.code == "LVS114"]


def _one(problem: str) -> list[tuple[str, Span, str | None]]:
    return [(f"cluster lab: {problem}", FORWARDING_AT, "see `ipvsadm --tun-type` in ipvsadm(8)")]


@pytest.mark.parametrize(("tunnel", "problem"), [
    (Tunnel(TunnelType.GUE), "a gue tunnel needs a port (the kernel refuses tunnel port 0)"),
    (Tunnel(TunnelType.GUE, port=0), "a gue tunnel needs a port (the kernel refuses tunnel port 0)"),
    (Tunnel(TunnelType.IPIP, port=6080), "only gue tunnels take a port, not ipip"),
    (Tunnel(TunnelType.GRE, port=0), "only gue tunnels take a port, not gre"),
    (Tunnel(TunnelType.IPIP, csum="nocsum"), "ipip tunnels have no checksum option (nocsum)"),
    (Tunnel(TunnelType.GRE, csum="remcsum"), "gre tunnels do not support remcsum"),
])
def test_a_tunnel_option_its_type_cannot_take_is_named(tunnel: Tunnel, problem: str) -> None:
    assert _lvs114(tunnel) == _one(problem)


@pytest.mark.parametrize("tunnel", [
    Tunnel(TunnelType.IPIP),
    Tunnel(TunnelType.GUE, port=1),
    Tunnel(TunnelType.GUE, port=6080, csum="remcsum"),
    Tunnel(TunnelType.GRE, csum="csum"),
    Tunnel(TunnelType.GRE, csum="nocsum"),
])
def test_a_tunnel_its_type_supports_passes(tunnel: Tunnel) -> None:
    assert _lvs114(tunnel) == []


def test_tunnel_options_on_another_method_name_the_method() -> None:
    assert _lvs114(Tunnel(TunnelType.GUE, port=6080), Method.NAT) == _one(
        "tunnel options need `forwarding tunnel`, not nat")
