"""What the real-server kit gets where tests/test_lower.py does not look: the source line each
object points at (the `lvscc: server ... of service ...` comment and the drift report's place),
a GUE tunnel to an IPv6 server, an all-ports service redirected, a server in several services
of different ARP recipes. Found by mutation testing (docs/testing.md)."""

from __future__ import annotations

from dataclasses import replace
from ipaddress import ip_address

import pytest

from lvscc.lower import lower
from lvscc.lower.common import vip_address
from lvscc.lower.realserver import redirect_rules
from lvscc.model.config import ArpMethod, Forwarding, MarkPorts, Method, PortRange, Protocol, Tunnel, TunnelType
from lvscc.model.state import HostState, Origin, RedirectRule

from test_lower import FILE, NAT, config, server, service

WEB1 = Origin(FILE, 20, "server web1 of service http")


def _web1(*services, **fields) -> HostState:
    return lower(config(*services, **fields)).host("web1")


def _origins(host: HostState) -> set[Origin | None]:
    kept = (host.redirects, host.arp, host.sysctls, host.addresses, host.routes, host.tunnels)
    return {item.origin for section in kept for item in section}


@pytest.mark.parametrize("forwarding", [
    Forwarding(arp=ArpMethod.REDIRECT),
    Forwarding(arp=ArpMethod.ARPTABLES),
    Forwarding(arp=ArpMethod.SYSCTL),
    Forwarding(Method.TUNNEL),
    Forwarding(Method.TUNNEL, tunnel=Tunnel(TunnelType.GUE, 6080)),
    NAT,
], ids=["redirect", "arptables", "sysctl", "ipip", "gue", "nat"])
def test_every_real_server_object_points_at_its_server_line(forwarding: Forwarding) -> None:
    """A rule's comment and a drift's place name the server's line, never nothing."""
    assert _origins(_web1(service(forwarding=forwarding), forwarding=forwarding)) == {WEB1}


def test_a_redirected_fwmark_service_points_at_its_server_line() -> None:
    marks = (MarkPorts(Protocol.TCP, (PortRange(443, 443),)),)
    host = _web1(service(fwmark=9, mark_ports=marks, forwarding=Forwarding(arp=ArpMethod.REDIRECT)))
    assert {r.origin for r in host.redirects} == {WEB1}


def test_an_all_ports_service_is_redirected_on_port_0() -> None:
    """Port 0 is ipvsadm's every port (a persistent service); REDIRECT must take every port too,
    not port 1."""
    (rule,) = redirect_rules(service(port=0, persistence=300), WEB1)
    assert rule == RedirectRule(ip_address("192.0.2.10"), Protocol.TCP, 0)
    assert rule.origin == WEB1


def test_gue_to_an_ipv6_server_loads_fou6() -> None:
    tunnel = Forwarding(Method.TUNNEL, tunnel=Tunnel(TunnelType.GUE, 6080))
    host = _web1(service(vip="2001:db8::10/64", forwarding=tunnel, servers=(server(address="2001:db8:1::1"),)))
    assert "fou6" in host.modules and "fou" not in host.modules


@pytest.mark.parametrize("kind", [TunnelType.IPIP, TunnelType.GRE])
def test_only_a_gue_tunnel_has_a_port(kind: TunnelType) -> None:
    """A port given with another tunnel type is GUE's only: no fou port on the real server and
    no --tun-port on the director's server (ipvsadm refuses it without --tun-type gue)."""
    tunnel = Forwarding(Method.TUNNEL, tunnel=Tunnel(kind, port=6080))
    intent = lower(config(service(forwarding=tunnel)))
    assert [t.port for t in intent.host("web1").tunnels] == [None]
    (dest,) = intent.host("primary").ipvs[0].dests
    assert dest.tun_port is None


def test_arptables_jf_stays_when_a_later_service_uses_arptables() -> None:
    """One server, two services: the arptables_jf chains (IN/OUT) of the first are still the
    host's when the second's rules are added, or the jf kit would write to chains it lacks."""
    jf = service(forwarding=Forwarding(arp=ArpMethod.ARPTABLES_JF))
    plain = service("https", vip="192.0.2.11/24", forwarding=Forwarding(arp=ArpMethod.ARPTABLES))
    assert _web1(jf, plain).arp_chains == ("IN", "OUT")


def test_a_service_without_vip_is_named() -> None:
    with pytest.raises(ValueError, match="service http has no vip"):
        vip_address(replace(service(), vip=None))


def test_a_redirect_without_protocol_or_mark_is_named() -> None:
    with pytest.raises(ValueError, match="service http has neither a protocol nor a firewall mark"):
        redirect_rules(service(protocol=None), WEB1)
