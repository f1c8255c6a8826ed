"""One host drifting in every section at once: the auditor reports each drift once, in section
order, carrying what the planner writes its command from (`want`, `have`, `parent`), and a
section the probes did not read takes exactly its own drifts out of the report. Found by
mutation testing (docs/testing.md): each section was tested alone, so a diff that kept only
its last section's drifts, or audited one section under another's name, passed."""

from __future__ import annotations

from dataclasses import replace
from ipaddress import ip_address, ip_interface, ip_network

import pytest

from lvscc.audit import diff, normalise_sysctl, scope_for
from lvscc.drift import SECTIONS, Drift
from lvscc.model.config import AuditPolicy, Protocol, TunnelType
from lvscc.model.state import (
    Address,
    ArpRule,
    HelperRule,
    HostState,
    IpvsService,
    IpvsTimeouts,
    MasqueradeRule,
    RedirectRule,
    Route,
    Sysctl,
    TunnelDevice,
)

from .states import VIP, dest, fwmark_service, mark, web

POLICY = AuditPolicy()
DNS = IpvsService(4, Protocol.UDP, VIP, 53, scheduler="rr", dests=(dest("198.51.100.2", 53),))
WEB = web(dest("198.51.100.2"), dest("198.51.100.3", weight=3))
MARKED = fwmark_service(80, dest("198.51.100.2", 0))
TUNL0 = TunnelDevice("tunl0", TunnelType.IPIP)
GUE = TunnelDevice("tunl0", TunnelType.GUE, 6080)
GATEWAY = ip_address("198.51.100.254")

INTENT = HostState(
    "primary", "director",
    ipvs=(DNS, MARKED, WEB),
    timeouts=IpvsTimeouts(900, 0, 0),
    marks=(mark(80, 80, 443),),
    masquerades=(MasqueradeRule(ip_network("198.51.100.0/24")),),
    redirects=(RedirectRule(VIP, Protocol.TCP, 80),),
    helpers=(HelperRule("ftp", VIP, Protocol.TCP, 21),),
    arp=(ArpRule(VIP, ip_address("198.51.100.2")),),
    sysctls=(Sysctl("net.ipv4.ip_forward", "1"), Sysctl("net.ipv4.vs.sync_threshold", "3 50")),
    modules=("ip_vs", "ip_vs_wlc"),
    addresses=(Address(ip_interface("192.0.2.10/24"), "eth0:1"),),
    routes=(Route("default", GATEWAY),),
    tunnels=(GUE,),
)

OBSERVED_WEB = replace(WEB, scheduler="rr", dests=(replace(WEB.dests[0], upper=50), replace(WEB.dests[1], weight=5)))
STRAY = IpvsService(4, Protocol.TCP, VIP, 8080)
KUBE = IpvsService(4, Protocol.TCP, ip_address("203.0.113.50"), 443)
THEIR_ARP = ArpRule(ip_address("203.0.113.9"), ip_address("198.51.100.2"))
DOWN = replace(TUNL0, up=False)

OBSERVED = HostState(
    "primary", "director",
    ipvs=(DNS, OBSERVED_WEB, STRAY, KUBE),
    timeouts=IpvsTimeouts(7200, 120, 300),
    marks=(mark(80, 80),),
    masquerades=(MasqueradeRule(ip_network("203.0.113.0/24")),),
    redirects=(RedirectRule(VIP, Protocol.TCP, 8080),),
    arp=(ArpRule(VIP, ip_address("198.51.100.3")), THEIR_ARP),
    sysctls=(Sysctl("net.ipv4.ip_forward", "0"),),
    modules=("ip_vs",),
    addresses=(Address(ip_interface("192.0.2.10/24"), "eth1"),),
    routes=(Route("default", ip_address("198.51.100.253")),),
    tunnels=(DOWN, replace(GUE, port=5555)),
    foreign=("nft table ip filter",),
)

MANGLE_WANTED = ArpRule(VIP, ip_address("198.51.100.2"), part="mangle")
MANGLE_FOUND = ArpRule(VIP, ip_address("198.51.100.3"), part="mangle")
SERVER = "dest 198.51.100.{}:80 of tcp 192.0.2.10:80"

# kind, object, field, expected, observed, want, have, parent
EVERY_DRIFT = [
    ("missing", "ipvs service fwmark 80", None, MARKED, None, MARKED, None, None),
    ("changed", "ipvs service tcp 192.0.2.10:80", "scheduler", "wlc", "rr", WEB, OBSERVED_WEB, None),
    ("changed", SERVER.format(2), "upper", 0, 50, WEB.dests[0], OBSERVED_WEB.dests[0], WEB),
    ("changed", SERVER.format(3), "weight", 3, 5, WEB.dests[1], OBSERVED_WEB.dests[1], WEB),
    ("extra", "ipvs service tcp 192.0.2.10:8080", None, None, STRAY, None, STRAY, None),
    ("foreign", "ipvs service tcp 203.0.113.50:443", None, None, KUBE, None, KUBE, None),
    ("changed", "ipvs timeouts", "tcp", 900, 7200, INTENT.timeouts, OBSERVED.timeouts, None),
    ("missing", "mark rule fwmark 80 tcp to 192.0.2.10/32 ports 80,443", None, mark(80, 80, 443), None,
     mark(80, 80, 443), None, None),
    ("extra", "mark rule fwmark 80 tcp to 192.0.2.10/32 ports 80", None, None, mark(80, 80), None, mark(80, 80), None),
    ("missing", "masquerade from 198.51.100.0/24", None, INTENT.masquerades[0], None, INTENT.masquerades[0], None, None),
    ("extra", "masquerade from 203.0.113.0/24", None, None, OBSERVED.masquerades[0], None, OBSERVED.masquerades[0], None),
    ("missing", "redirect tcp 192.0.2.10:80", None, INTENT.redirects[0], None, INTENT.redirects[0], None, None),
    ("extra", "redirect tcp 192.0.2.10:8080", None, None, OBSERVED.redirects[0], None, OBSERVED.redirects[0], None),
    ("missing", "conntrack helper ftp for tcp 192.0.2.10:21", None, INTENT.helpers[0], None, INTENT.helpers[0], None,
     None),
    ("missing", "arp mangle rule vip 192.0.2.10 real 198.51.100.2", None, MANGLE_WANTED, None, MANGLE_WANTED, None,
     None),
    ("extra", "arp mangle rule vip 192.0.2.10 real 198.51.100.3", None, None, MANGLE_FOUND, None, MANGLE_FOUND, None),
    ("foreign", "arp rule vip 203.0.113.9 real 198.51.100.2", None, None, THEIR_ARP, None, THEIR_ARP, None),
    ("changed", "sysctl net.ipv4.ip_forward", "value", "1", "0", INTENT.sysctls[0], OBSERVED.sysctls[0], None),
    ("missing", "sysctl net.ipv4.vs.sync_threshold", None, "3 50", None, INTENT.sysctls[1], None, None),
    ("missing", "module ip_vs_wlc", None, None, None, "ip_vs_wlc", None, None),
    ("missing", "address 192.0.2.10/24 dev eth0:1", None, INTENT.addresses[0], None, INTENT.addresses[0], None, None),
    ("extra", "address 192.0.2.10/24 dev eth1", None, None, OBSERVED.addresses[0], None, OBSERVED.addresses[0], None),
    ("changed", "ipv4 route default via 198.51.100.254", "gateway", GATEWAY, ip_address("198.51.100.253"),
     INTENT.routes[0], OBSERVED.routes[0], None),
    ("changed", "tunnel device tunl0", "up", True, False, TUNL0, DOWN, None),
    ("missing", "gue port 6080 into tunl0", None, GUE, None, GUE, None, None),
    ("foreign", "nft table ip filter", None, None, None, None, None, None),
]


def _audit(sections=SECTIONS) -> list[Drift]:
    return diff(INTENT, OBSERVED, POLICY, scope_for(INTENT, POLICY, sections))


def _whole(d: Drift) -> tuple:
    return d.kind, d.object, d.field, d.expected, d.observed, d.want, d.have, d.parent


def test_a_host_drifting_everywhere_gets_every_drift_once_in_section_order() -> None:
    assert [_whole(d) for d in _audit()] == EVERY_DRIFT


def _read_with(drift: tuple) -> set[str]:
    """The sections without which the probes could not have found this drift."""
    kind, _, field, _, _, want, have, _ = drift
    section = Drift(kind, "", want=want, have=have).section
    if field in ("upper", "lower"):
        return {"ipvs", "thresholds"}
    return {"helpers": {"netfilter"}, "fou": {"tunnels", "fou"}}.get(section, {section})


@pytest.mark.parametrize("unread", SECTIONS)
def test_a_section_not_read_takes_out_its_own_drifts_and_no_other(unread: str) -> None:
    kept = [d for d in EVERY_DRIFT if unread not in _read_with(d)]
    assert len(kept) < len(EVERY_DRIFT)
    assert [_whole(d) for d in _audit(frozenset(SECTIONS) - {unread})] == kept


def test_nothing_read_leaves_only_what_the_probes_called_foreign() -> None:
    assert _audit(frozenset()) == [Drift("foreign", "nft table ip filter")]


def test_timeouts_are_not_judged_when_the_config_sets_none() -> None:
    intent = replace(INTENT, timeouts=None)
    assert not [d for d in diff(intent, OBSERVED, POLICY, scope_for(intent, POLICY)) if d.object == "ipvs timeouts"]


def test_a_host_without_timeouts_read_is_compared_against_the_kernel_defaults_unset() -> None:
    """No timeouts in the dump: every value the config sets is reported against 0."""
    drifts = diff(INTENT, replace(OBSERVED, timeouts=None), POLICY, scope_for(INTENT, POLICY))
    assert [(d.field, d.expected, d.observed) for d in drifts if d.object == "ipvs timeouts"] == [("tcp", 900, 0)]


def test_a_sysctl_vector_is_compared_word_by_word_whatever_the_whitespace() -> None:
    assert normalise_sysctl("3\t50") == normalise_sysctl("  3   50 ") == "3 50"
    assert normalise_sysctl("3 50") != normalise_sysctl("350")
