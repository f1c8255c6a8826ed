"""The section of each kind of object and the name of an IPv6 fwmark service: the JUnit report fails the test case of that name and the
JSON report prints it, so an IPVS drift filed under another name passes a CI gate on `ipvs`.
Found by mutation testing (docs/testing.md)."""

from __future__ import annotations

from dataclasses import replace
from ipaddress import ip_address, ip_interface, ip_network

import pytest

from lvscc.drift import SECTIONS, section_of, service_name
from lvscc.model.config import Protocol, TunnelType
from lvscc.model.state import (
    Address,
    ArpRule,
    HelperRule,
    IpvsTimeouts,
    MasqueradeRule,
    RedirectRule,
    Route,
    Sysctl,
    TunnelDevice,
)

from .states import VIP, dest, fwmark_service, mark, web


@pytest.mark.parametrize(("obj", "section"), [
    (web(dest("198.51.100.2")), "ipvs"),
    (dest("198.51.100.2"), "ipvs"),
    (IpvsTimeouts(900, 120, 300), "timeouts"),
    (mark(80, 80), "netfilter"),
    (MasqueradeRule(ip_network("198.51.100.0/24")), "netfilter"),
    (RedirectRule(VIP, Protocol.TCP, 80), "netfilter"),
    (ArpRule(VIP, ip_address("198.51.100.2")), "arp"),
    (Sysctl("net.ipv4.ip_forward", "1"), "sysctls"),
    (Address(ip_interface("192.0.2.10/32"), "lo"), "addresses"),
    (Route("default", ip_address("198.51.100.254")), "routes"),
    (TunnelDevice("tunl0", TunnelType.IPIP), "tunnels"),
    (TunnelDevice("tunl0", TunnelType.GUE, 6080), "fou"),
    ("ip_vs", "modules"),
], ids=lambda v: v if isinstance(v, str) else type(v).__name__)
def test_each_object_is_filed_under_its_audited_section(obj: object, section: str) -> None:
    assert section_of(obj) == section and section in SECTIONS


def test_helpers_are_their_own_section_and_anything_else_is_foreign() -> None:
    """Helper rules are repaired by reloading the compiled rules, not by the plan."""
    assert section_of(HelperRule("ftp", VIP, Protocol.TCP, 21)) == "helpers"
    assert section_of(3) == "foreign"


def test_an_ipv6_fwmark_service_is_named_apart_from_the_ipv4_one() -> None:
    """fwmark 80 and fwmark 80 -6 are two kernel services: a report naming both alike hides which
    one drifted."""
    assert (service_name(fwmark_service(80)), service_name(replace(fwmark_service(80), family=6))) == ("fwmark 80", "fwmark 80 -6")
