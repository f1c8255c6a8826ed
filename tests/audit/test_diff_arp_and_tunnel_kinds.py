"""Two ARP half pairs of different VIPs are not one pair, and a tunnel device keeps its own type
in the drift a report shows. Found by mutation testing (docs/testing.md)."""

from __future__ import annotations

from ipaddress import ip_address

from lvscc.audit import diff, scope_for
from lvscc.model.config import AuditPolicy, TunnelType
from lvscc.model.state import ArpRule, HostState, TunnelDevice
from lvscc.plan import plan

from .states import VIP, real_server

POLICY = AuditPolicy()
OTHER_VIP = ip_address("192.0.2.11")
REAL = ip_address("198.51.100.2")


def test_half_pairs_of_two_vips_are_repaired_each_by_its_own_missing_half() -> None:
    """VIP A lost its drop rule and VIP B its mangle rule: joining the two halves into one pair
    would re-add a drop rule B already has and never add A's."""
    intent = real_server(arp=(ArpRule(VIP, REAL), ArpRule(OTHER_VIP, REAL)))
    observed = real_server(arp=(ArpRule(VIP, REAL, part="mangle"), ArpRule(OTHER_VIP, OTHER_VIP, part="drop")))
    drifts = diff(intent, observed, POLICY, scope_for(intent, POLICY))
    assert [(d.kind, d.object) for d in drifts] == [
        ("missing", "arp drop rule vip 192.0.2.10"),
        ("missing", "arp mangle rule vip 192.0.2.11 real 198.51.100.2"),
    ]
    assert [" ".join(c.argv) for c in plan(drifts)] == [
        "arptables -A INPUT -d 192.0.2.10 -j DROP",
        "arptables -A OUTPUT -s 192.0.2.11 -j mangle --mangle-ip-s 198.51.100.2",
    ]


def test_a_missing_pair_beside_a_stray_mangle_rule_of_its_vip_is_still_one_pair() -> None:
    """The pair's two halves are missing together; the stray half of another kind stays apart."""
    intent = real_server(arp=(ArpRule(VIP, REAL),))
    wrong = ArpRule(VIP, ip_address("198.51.100.3"), part="mangle")
    drifts = diff(intent, real_server(arp=(wrong,)), POLICY, scope_for(intent, POLICY))
    assert [(d.kind, d.object) for d in drifts] == [
        ("missing", "arp rule vip 192.0.2.10 real 198.51.100.2"),
        ("extra", "arp mangle rule vip 192.0.2.10 real 198.51.100.3"),
    ]


def test_a_missing_tunnel_device_is_expected_with_its_own_type() -> None:
    """Only a GUE device is audited as the ipip-like device under it; a GRE device stays GRE."""
    gre = TunnelDevice("gre0", TunnelType.GRE)
    intent = HostState("edge1", "real-server", tunnels=(gre,))
    (drift,) = diff(intent, HostState("edge1", "real-server"), POLICY, scope_for(intent, POLICY))
    assert (drift.kind, drift.object, drift.expected, drift.want) == ("missing", "tunnel device gre0", gre, gre)
