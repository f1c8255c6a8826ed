"""A real server's own drift, diffed and planned on constructed states: its NAT default route,
its tunnel devices and GUE port, and the arptables pair of a VIP one rule at a time."""

from __future__ import annotations

from dataclasses import replace
from ipaddress import ip_address

import pytest

from lvscc.audit import diff, scope_for
from lvscc.drift import Drift, in_sync
from lvscc.model.state import FALLBACK_TUNNELS, fallback_tunnel
from lvscc.model.config import AuditPolicy, TunnelType
from lvscc.model.state import ArpRule, HostState, Route, TunnelDevice
from lvscc.plan import PlanOptions, plan, render

from .states import VIP, real_server

POLICY = AuditPolicy()
GATEWAY = ip_address("10.11.12.10")
DEFAULT = Route("default", GATEWAY)
REAL = ip_address("198.51.100.2")


def nat_server(*routes: Route) -> HostState:
    return HostState("web1", "real-server", address=ip_address("10.11.12.1"), routes=routes)


def tun_server(*tunnels: TunnelDevice) -> HostState:
    return HostState("edge1", "real-server", address=ip_address("203.0.113.21"), tunnels=tunnels)


def audit(intent: HostState, observed: HostState, sections: set[str] | None = None) -> list[Drift]:
    scope = scope_for(intent, POLICY) if sections is None else scope_for(intent, POLICY, sections)
    return diff(intent, observed, POLICY, scope)


def commands(drifts: list[Drift], options: PlanOptions = PlanOptions()) -> list[str]:
    return [" ".join(command.argv) for command in plan(drifts, options)]


def summary(drifts: list[Drift]) -> list[tuple]:
    return [(d.kind, d.object, d.field, d.expected, d.observed) for d in drifts]


# --- routes -----------------------------------------------------------------------------


def test_the_default_route_via_the_gateway_is_in_sync_and_other_routes_are_the_hosts_own() -> None:
    own = (Route("192.0.2.0/24", ip_address("0.0.0.0")), Route("default", ip_address("2001:db8::1")),
           Route("198.51.100.0/24", ip_address("10.11.12.99")))
    assert audit(nat_server(DEFAULT), nat_server(DEFAULT, *own)) == []


def test_a_default_route_via_another_gateway_is_changed_and_replaced_in_place() -> None:
    drifts = audit(nat_server(DEFAULT), nat_server(Route("default", ip_address("10.11.12.254"))))
    assert summary(drifts) == [("changed", "ipv4 route default via 10.11.12.10", "gateway", GATEWAY,
                                ip_address("10.11.12.254"))]
    assert drifts[0].section == "routes"
    # An edit, never delete+add: between the two the server could answer no one.
    assert commands(drifts) == ["ip -4 route replace default via 10.11.12.10"]


def test_a_missing_default_route_is_added_by_the_kits_command() -> None:
    drifts = audit(nat_server(DEFAULT), nat_server(Route("10.11.12.10/32", ip_address("0.0.0.0"))))
    assert summary(drifts) == [("missing", "ipv4 route default via 10.11.12.10", None, DEFAULT, None)]
    assert commands(drifts) == ["ip -4 route replace default via 10.11.12.10"]


def test_a_multipath_default_route_that_also_leaves_another_way_is_changed() -> None:
    other = ip_address("10.11.12.11")
    drifts = audit(nat_server(DEFAULT), nat_server(DEFAULT, Route("default", other)))
    assert summary(drifts) == [("changed", "ipv4 route default via 10.11.12.10", "gateway", GATEWAY, (GATEWAY, other))]


def test_routes_compare_by_family_and_canonical_destination() -> None:
    v6 = Route("default", ip_address("2001:db8::fe"))
    # an IPv4 default route is no IPv6 default route
    assert [d.object for d in audit(nat_server(v6), nat_server(DEFAULT))] == ["ipv6 route default via 2001:db8::fe"]
    assert commands(audit(nat_server(v6), nat_server(DEFAULT))) == ["ip -6 route replace default via 2001:db8::fe"]
    host = Route("198.51.100.7/32", GATEWAY)
    assert audit(nat_server(host), nat_server(Route("198.51.100.7", GATEWAY))) == []
    assert audit(nat_server(DEFAULT), nat_server(Route("0.0.0.0/0", GATEWAY))) == []


def test_routes_not_probed_are_not_reported() -> None:
    assert audit(nat_server(DEFAULT), nat_server(), sections={"addresses"}) == []
    assert [d.kind for d in audit(nat_server(DEFAULT), nat_server())] == ["missing"]


# --- tunnel devices and GUE ports -------------------------------------------------------

TUNL0 = TunnelDevice("tunl0", TunnelType.IPIP)
GUE = TunnelDevice("tunl0", TunnelType.GUE, 6080)


def test_a_gue_device_is_its_fallback_device_up_plus_its_port() -> None:
    assert audit(tun_server(GUE), tun_server(TUNL0, GUE)) == []
    # the host's other tunnels are not lvscc's
    assert audit(tun_server(GUE), tun_server(TUNL0, GUE, TunnelDevice("gre1", TunnelType.GRE, up=False))) == []


def test_a_missing_gue_port_is_added_alone() -> None:
    drifts = audit(tun_server(GUE), tun_server(TUNL0, replace(GUE, port=5555)))
    assert summary(drifts) == [("missing", "gue port 6080 into tunl0", None, GUE, None)]
    assert drifts[0].section == "fou"
    assert commands(drifts) == ["ip fou add port 6080 gue"]


def test_a_device_that_is_down_is_set_up() -> None:
    drifts = audit(tun_server(GUE), tun_server(replace(TUNL0, up=False), GUE))
    assert summary(drifts) == [("changed", "tunnel device tunl0", "up", True, False)]
    assert commands(drifts) == ["ip link set dev tunl0 up"]


def test_a_missing_device_is_created_as_the_kit_does_unless_a_modprobe_made_it() -> None:
    drifts = audit(tun_server(GUE), tun_server())
    assert [(d.kind, d.object) for d in drifts] == [("missing", "tunnel device tunl0"), ("missing", "gue port 6080 into tunl0")]
    commands = plan(drifts)
    assert [command.argv for command in commands] == [
        ("sh", "-c", 'ip link show dev "$1" >/dev/null 2>&1 || ip link add name "$1" type "$2"', "sh", "tunl0", "ipip"),
        ("ip", "link", "set", "dev", "tunl0", "up"),
        ("ip", "fou", "add", "port", "6080", "gue"),
    ]
    assert "sh -c 'ip link show dev \"$1\" >/dev/null 2>&1 || ip link add name \"$1\" type \"$2\"' sh tunl0 ipip" in render(commands)


def test_tunnel_ops_come_after_modprobe_and_before_addresses_and_sysctls() -> None:
    from ipaddress import ip_interface

    from lvscc.model.state import Address, Sysctl

    intent = replace(tun_server(GUE), modules=("fou", "ipip"), addresses=(Address(ip_interface("198.51.100.10/32"), "tunl0"),),
                     sysctls=(Sysctl("net.ipv4.conf.tunl0.rp_filter", "0"),))
    tools = [command.argv[:2] for command in plan(audit(intent, tun_server()))]
    assert tools == [("modprobe", "fou"), ("modprobe", "ipip"), ("sh", "-c"), ("ip", "link"), ("ip", "fou"), ("ip", "addr"),
                     ("sysctl", "-w")]


@pytest.mark.parametrize("device,kind,flag", [("ip6tnl0", "ip6tnl", ["-6"]), ("sit0", "sit", [])])
def test_other_families_get_their_own_kind_and_fou_family(device: str, kind: str, flag: list[str]) -> None:
    gue = TunnelDevice(device, TunnelType.GUE, 6080)
    commands = plan(audit(tun_server(gue), tun_server()))
    assert commands[0].argv[-1] == kind
    assert commands[-1].argv == ("ip", "fou", "add", "port", "6080", "gue", *flag)


def test_gue_ports_are_not_judged_when_fou_was_not_read() -> None:
    sections = {"tunnels"}
    assert audit(tun_server(GUE), tun_server(TUNL0), sections) == []
    assert [d.object for d in audit(tun_server(GUE), tun_server(), sections)] == ["tunnel device tunl0"]


def test_the_fallback_devices_are_the_ones_lowering_names() -> None:
    named = {fallback_tunnel(t, outer, inner).name: outer for t in TunnelType for outer in (4, 6) for inner in (4, 6)}
    assert named == {t.name: t.outer for t in FALLBACK_TUNNELS.values()}


# --- arptables, one rule at a time ------------------------------------------------------

PAIR = ArpRule(VIP, REAL)
DROP = ArpRule(VIP, VIP, part="drop")
MANGLE = ArpRule(VIP, REAL, part="mangle")


def test_a_whole_pair_is_in_sync_missing_or_extra_as_one() -> None:
    assert audit(real_server(), real_server()) == []
    drifts = audit(real_server(), real_server(arp=()))
    assert [(d.kind, d.object) for d in drifts] == [("missing", "arp rule vip 192.0.2.10 real 198.51.100.2")]
    assert commands(drifts) == ["arptables -A INPUT -d 192.0.2.10 -j DROP",
                                "arptables -A OUTPUT -s 192.0.2.10 -j mangle --mangle-ip-s 198.51.100.2"]


@pytest.mark.parametrize("survivor,missing,command", [
    (DROP, "arp mangle rule vip 192.0.2.10 real 198.51.100.2",
     "arptables -A OUTPUT -s 192.0.2.10 -j mangle --mangle-ip-s 198.51.100.2"),
    (MANGLE, "arp drop rule vip 192.0.2.10", "arptables -A INPUT -d 192.0.2.10 -j DROP"),
])
def test_half_a_pair_gets_only_its_missing_half(survivor: ArpRule, missing: str, command: str) -> None:
    drifts = audit(real_server(), real_server(arp=(survivor,)))
    assert [(d.kind, d.object) for d in drifts] == [("missing", missing)]
    assert not in_sync(drifts) and drifts[0].section == "arp"
    assert commands(drifts) == [command]


def test_a_wrong_real_address_swaps_the_mangle_rule_and_keeps_the_drop() -> None:
    wrong = ArpRule(VIP, ip_address("198.51.100.3"))
    drifts = audit(real_server(), real_server(arp=(wrong,)))
    assert [(d.kind, d.object) for d in drifts] == [("missing", "arp mangle rule vip 192.0.2.10 real 198.51.100.2"),
                                                    ("extra", "arp mangle rule vip 192.0.2.10 real 198.51.100.3")]
    assert commands(drifts, PlanOptions(arp_chains=("IN", "OUT"))) == [
        "arptables -A OUT -s 192.0.2.10 -j mangle --mangle-ip-s 198.51.100.2",
        "arptables -D OUT -s 192.0.2.10 -j mangle --mangle-ip-s 198.51.100.3",
    ]


def test_an_owned_half_pair_left_over_is_extra_and_deleted_alone() -> None:
    intent = real_server(arp=())
    scope = replace(scope_for(intent, POLICY), vips=frozenset({VIP}))
    drifts = diff(intent, real_server(arp=(DROP,)), POLICY, scope)
    assert [(d.kind, d.object) for d in drifts] == [("extra", "arp drop rule vip 192.0.2.10")]
    assert commands(drifts) == ["arptables -D INPUT -d 192.0.2.10 -j DROP"]
    drifts = diff(intent, real_server(arp=(PAIR,)), POLICY, scope)
    assert [(d.kind, d.object) for d in drifts] == [("extra", "arp rule vip 192.0.2.10 real 198.51.100.2")]
    assert len(commands(drifts)) == 2
