"""The auditor as a pure function: constructed intent and observed states in, drifts out."""

from __future__ import annotations

from dataclasses import replace
from ipaddress import ip_address, ip_interface, ip_network

import pytest

from lvscc.audit import diff, scope_for
from lvscc.drift import Drift, in_sync
from lvscc.model.config import AuditPolicy, PortRange, Protocol, WeightPolicy
from lvscc.model.state import Address, ArpRule, IpvsService, IpvsTimeouts, Sysctl

from .states import VIP, dest, director, fwmark_service, mark, real_server


def audit(intent, observed, policy: AuditPolicy = AuditPolicy(), sections=None) -> list[Drift]:
    scope = scope_for(intent, policy) if sections is None else scope_for(intent, policy, sections)
    return diff(intent, observed, policy, scope)


def test_identical_states_are_in_sync() -> None:
    assert audit(director(), director()) == []
    assert audit(real_server(), real_server()) == []


def test_runtime_origin_and_order_never_drift() -> None:
    observed = director(sysctls=(Sysctl("net.ipv4.vs.sync_threshold", "3\t50"), Sysctl("net.ipv4.ip_forward", "1"),
                                 Sysctl("kernel.hostname", "lb1")))
    observed = replace(observed, marks=(mark(80, 443, 80),), modules=("ip_vs_wlc", "ip_vs", "nf_conntrack"))
    assert audit(director(), observed) == []


def _reweighted(weight: int):
    service = director().ipvs[0]
    dests = (service.dests[0], replace(service.dests[1], weight=weight))
    return director(ipvs=(replace(service, dests=dests), director().ipvs[1]))


@pytest.mark.parametrize(
    ("policy", "observed_weight", "kinds"),
    [
        (WeightPolicy.QUIESCE, 0, ["quiesced"]),
        (WeightPolicy.QUIESCE, 7, ["changed"]),
        (WeightPolicy.MANAGED, 0, ["changed"]),
        (WeightPolicy.MANAGED, 7, ["changed"]),
        (WeightPolicy.OBSERVED, 0, []),
        (WeightPolicy.OBSERVED, 7, []),
        (WeightPolicy.IGNORE, 7, []),
    ],
)
def test_weight_policy(policy: WeightPolicy, observed_weight: int, kinds: list[str]) -> None:
    drifts = audit(director(), _reweighted(observed_weight), AuditPolicy(weight=policy))
    assert [d.kind for d in drifts] == kinds
    for d in drifts:
        assert (d.object, d.field, d.expected, d.observed) == (
            "dest 198.51.100.3:80 of tcp 192.0.2.10:80", "weight", 3, observed_weight)


def test_quiesced_alone_is_in_sync() -> None:
    assert in_sync(audit(director(), _reweighted(0)))
    assert not in_sync(audit(director(), _reweighted(7)))


def test_changed_service_fields_are_one_drift_each() -> None:
    service = director().ipvs[0]
    observed = director(ipvs=(replace(service, scheduler="rr", persistence=300), director().ipvs[1]))
    drifts = audit(director(), observed)
    assert [(d.kind, d.object, d.field, d.expected, d.observed) for d in drifts] == [
        ("changed", "ipvs service tcp 192.0.2.10:80", "scheduler", "wlc", "rr"),
        ("changed", "ipvs service tcp 192.0.2.10:80", "persistence", None, 300),
    ]


def test_missing_and_extra_real_servers() -> None:
    service = director().ipvs[0]
    observed = director(ipvs=(replace(service, dests=(service.dests[0], dest("198.51.100.9"))), director().ipvs[1]))
    drifts = audit(director(), observed)
    assert [(d.kind, d.object) for d in drifts] == [
        ("missing", "dest 198.51.100.3:80 of tcp 192.0.2.10:80"),
        ("extra", "dest 198.51.100.9:80 of tcp 192.0.2.10:80"),
    ]
    assert drifts[0].parent == service and drifts[1].have == dest("198.51.100.9")


def test_other_services_are_foreign_not_drift() -> None:
    kube = IpvsService(4, Protocol.TCP, ip_address("203.0.113.50"), 443, dests=(dest("198.51.100.40", 443),))
    drifts = audit(director(), director(ipvs=director().ipvs + (kube, fwmark_service(7))))
    assert [(d.kind, d.object) for d in drifts] == [
        ("foreign", "ipvs service tcp 203.0.113.50:443"),
        ("foreign", "ipvs service fwmark 7"),
    ]
    assert in_sync(drifts)


def test_scope_networks_and_fwmark_range_make_services_ours() -> None:
    stray = IpvsService(4, Protocol.TCP, ip_address("203.0.113.50"), 443)
    policy = AuditPolicy(scope=(ip_network("203.0.113.0/24"),), fwmarks=PortRange(1, 99))
    drifts = audit(director(), director(ipvs=director().ipvs + (stray, fwmark_service(7))), policy)
    assert [(d.kind, d.object) for d in drifts] == [
        ("extra", "ipvs service tcp 203.0.113.50:443"),
        ("extra", "ipvs service fwmark 7"),
    ]


def test_missing_service_is_one_drift_not_one_per_server() -> None:
    drifts = audit(director(), director(ipvs=director().ipvs[1:]))
    assert [(d.kind, d.object) for d in drifts] == [("missing", "ipvs service tcp 192.0.2.10:80")]


def test_thresholds_compared_only_when_the_dump_states_them() -> None:
    service = director().ipvs[0]
    observed = director(ipvs=(replace(service, dests=(replace(service.dests[0], upper=50), service.dests[1])),
                              director().ipvs[1]))
    with_thresholds = audit(director(), observed)
    assert [(d.field, d.expected, d.observed) for d in with_thresholds] == [("upper", 0, 50)]
    sections = {"ipvs", "netfilter", "sysctls", "modules", "addresses"}
    assert audit(director(), observed, sections=sections) == []


def test_netfilter_rules_compare_whole() -> None:
    observed = director(marks=(mark(80, 80, 8443),), masquerades=())
    drifts = audit(director(), observed)
    assert [(d.kind, d.object) for d in drifts] == [
        ("missing", "mark rule fwmark 80 tcp to 192.0.2.10/32 ports 80,443"),
        ("extra", "mark rule fwmark 80 tcp to 192.0.2.10/32 ports 80,8443"),
        ("missing", "masquerade from 198.51.100.0/24"),
    ]


def test_adjacent_port_ranges_are_one_range() -> None:
    intent = director(marks=(mark(21, 21, (10000, 10009), (10010, 20000)),))
    assert audit(intent, director(marks=(mark(21, (10000, 20000), 21),))) == []


def test_sysctls_only_the_named_keys() -> None:
    observed = director(sysctls=(Sysctl("net.ipv4.ip_forward", "0"),))
    drifts = audit(director(), observed)
    assert [(d.kind, d.object, d.expected, d.observed) for d in drifts] == [
        ("changed", "sysctl net.ipv4.ip_forward", "1", "0"),
        ("missing", "sysctl net.ipv4.vs.sync_threshold", "3 50", None),
    ]


def test_modules_missing_never_extra() -> None:
    drifts = audit(director(), director(modules=("ip_vs", "nf_nat")))
    assert [(d.kind, d.object) for d in drifts] == [("missing", "module ip_vs_wlc")]


def test_addresses_only_declared_vips_can_be_extra() -> None:
    host_own = Address(ip_interface("203.0.113.7/24"), "eth0")
    moved = Address(ip_interface("192.0.2.10/24"), "eth1")
    drifts = audit(director(), director(addresses=(host_own, moved)))
    assert [(d.kind, d.object) for d in drifts] == [
        ("missing", "address 192.0.2.10/24 dev eth0:1"),
        ("extra", "address 192.0.2.10/24 dev eth1"),
    ]


def test_arp_rules_outside_scope_are_foreign() -> None:
    theirs = ArpRule(ip_address("203.0.113.9"), ip_address("198.51.100.2"))
    drifts = audit(real_server(), real_server(arp=real_server().arp + (theirs,)))
    assert [(d.kind, d.object) for d in drifts] == [("foreign", "arp rule vip 203.0.113.9 real 198.51.100.2")]
    wrong_real = ArpRule(VIP, ip_address("198.51.100.3"))
    drifts = audit(real_server(), real_server(arp=(wrong_real,)))
    assert [d.kind for d in drifts] == ["missing", "extra"]


def test_probe_reported_foreign_objects_are_information() -> None:
    drifts = audit(director(), director(foreign=("nft table ip filter",)))
    assert drifts == [Drift("foreign", "nft table ip filter")] and in_sync(drifts)


def test_unprobed_sections_are_not_reported_missing() -> None:
    observed = replace(director(), ipvs=(), marks=(), masquerades=(), sysctls=(), modules=(), addresses=())
    assert audit(director(), observed, sections={"arp"}) == []
    assert len(audit(director(), observed)) == 9  # 2 services, 1 mark, 1 masquerade, 2 sysctls, 2 modules, 1 address


def test_timeouts_compare_only_set_values() -> None:
    intent = director(timeouts=IpvsTimeouts(tcp=900, tcpfin=0, udp=0))
    assert audit(intent, director(timeouts=IpvsTimeouts(900, 120, 300))) == []
    drifts = audit(intent, director(timeouts=IpvsTimeouts(7200, 120, 300)))
    assert [(d.object, d.field, d.expected, d.observed) for d in drifts] == [("ipvs timeouts", "tcp", 900, 7200)]


def test_a_floating_address_missing_on_a_director_is_standby_not_drift() -> None:
    from ipaddress import ip_interface

    from lvscc.audit import diff, scope_for
    from lvscc.drift import in_sync
    from lvscc.model.config import AuditPolicy
    from lvscc.model.state import Address, HostState

    vip = Address(ip_interface("192.0.2.10/32"), "eth0:1", floating=True)
    own = Address(ip_interface("192.0.2.2/24"), "eth0")
    intent = HostState("backup", "director", addresses=(vip, own))
    observed = HostState("backup", "director", addresses=(Address(ip_interface("192.0.2.2/24"), "eth0"),))
    drifts = diff(intent, observed, AuditPolicy(), scope_for(intent, AuditPolicy()))
    assert [(d.kind, d.object) for d in drifts] == [("standby", drifts[0].object)]
    assert in_sync(drifts)
    # the same address declared fixed (not floating) is drift when missing
    fixed = HostState("backup", "director", addresses=(Address(ip_interface("192.0.2.10/32"), "eth0:1"), own))
    assert not in_sync(diff(fixed, observed, AuditPolicy(), scope_for(fixed, AuditPolicy())))
