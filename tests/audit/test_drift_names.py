"""The name a report gives each kind of object (`describe`, `service_name`): the text reports
print, the JUnit report's test case, and the `object` a drift is matched by, so two objects that
name alike hide which one drifted. Found by mutation testing (docs/testing.md)."""

from __future__ import annotations

from dataclasses import replace
from ipaddress import ip_address, ip_interface, ip_network

import pytest

from lvscc.drift import describe, service_name
from lvscc.model.config import Protocol, TunnelType
from lvscc.model.state import (
    Address,
    ArpRule,
    HelperRule,
    IpvsService,
    IpvsTimeouts,
    MasqueradeRule,
    RedirectRule,
    Route,
    Sysctl,
    TunnelDevice,
)

from .states import VIP, dest, fwmark_service, mark, web

V6 = ip_address("2001:db8::10")
REAL = ip_address("198.51.100.2")


@pytest.mark.parametrize(("obj", "name"), [
    (web(dest("198.51.100.2")), "ipvs service tcp 192.0.2.10:80"),
    (IpvsService(6, Protocol.UDP, V6, 53), "ipvs service udp [2001:db8::10]:53"),
    (fwmark_service(80), "ipvs service fwmark 80"),
    (replace(fwmark_service(80), family=6), "ipvs service fwmark 80 -6"),
    (mark(80, 80, (10000, 10009)), "mark rule fwmark 80 tcp to 192.0.2.10/32 ports 80,10000-10009"),
    (MasqueradeRule(ip_network("198.51.100.0/24")), "masquerade from 198.51.100.0/24"),
    (MasqueradeRule(ip_network("198.51.100.0/24"), Protocol.TCP, 20), "masquerade from 198.51.100.0/24 tcp sport 20"),
    (RedirectRule(VIP, Protocol.TCP, 80), "redirect tcp 192.0.2.10:80"),
    (RedirectRule(V6, Protocol.UDP, 53), "redirect udp [2001:db8::10]:53"),
    (HelperRule("ftp", VIP, Protocol.TCP, 21), "conntrack helper ftp for tcp 192.0.2.10:21"),
    (ArpRule(VIP, REAL), "arp rule vip 192.0.2.10 real 198.51.100.2"),
    (ArpRule(VIP, VIP, part="drop"), "arp drop rule vip 192.0.2.10"),
    (ArpRule(VIP, REAL, part="mangle"), "arp mangle rule vip 192.0.2.10 real 198.51.100.2"),
    (Route("default", ip_address("198.51.100.254")), "ipv4 route default via 198.51.100.254"),
    (Route("2001:db8:1::/64", ip_address("2001:db8::1")), "ipv6 route 2001:db8:1::/64 via 2001:db8::1"),
    (TunnelDevice("tunl0", TunnelType.GUE, 6080), "gue port 6080 into tunl0"),
    (TunnelDevice("tunl0", TunnelType.IPIP), "tunnel device tunl0"),
    (TunnelDevice("gre0", TunnelType.GRE), "tunnel device gre0"),
    (Sysctl("net.ipv4.ip_forward", "1"), "sysctl net.ipv4.ip_forward"),
    (Address(ip_interface("192.0.2.10/24"), "eth0:1"), "address 192.0.2.10/24 dev eth0:1"),
    (IpvsTimeouts(900, 120, 300), "ipvs timeouts"),
    ("ip_vs_wlc", "module ip_vs_wlc"),
    (3, "3"),
], ids=lambda v: v if isinstance(v, str) else type(v).__name__)
def test_each_object_has_its_report_name(obj: object, name: str) -> None:
    assert describe(obj) == name


def test_a_masquerade_by_source_port_without_a_protocol_names_the_port() -> None:
    """The iptables probe reads `--sport` without `-p` (a hand-written dump): its name still shows
    the port."""
    name = describe(MasqueradeRule(ip_network("198.51.100.0/24"), None, 20))
    assert name == "masquerade from 198.51.100.0/24 sport 20"


def test_a_service_without_protocol_or_mark_is_named_with_a_question_mark() -> None:
    """A dump line lvscc cannot place still gets a name a report can print."""
    assert service_name(IpvsService(4, None, VIP, 80)) == "? 192.0.2.10:80"


def test_a_service_is_named_by_its_mark_before_its_address() -> None:
    marked = IpvsService(4, Protocol.TCP, VIP, 80, fwmark=7)
    assert (service_name(marked), service_name(replace(marked, fwmark=0))) == ("fwmark 7", "tcp 192.0.2.10:80")
