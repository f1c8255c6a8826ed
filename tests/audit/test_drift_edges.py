"""Edges of the auditor's judgements that a plausible one-character bug moves: which weight
counts as quiesced, where an owned fwmark range ends, what a declaration makes lvscc's
(docs/testing.md, "Planted bugs" and "Mutation testing")."""

from __future__ import annotations

from dataclasses import replace
from ipaddress import ip_address

import pytest

from lvscc.audit import diff, scope_for
from lvscc.drift import in_sync
from lvscc.load import load_text
from lvscc.lower import lower
from lvscc.model.config import AuditPolicy, PortRange, Protocol, WeightPolicy
from lvscc.model.state import ArpRule, IpvsService, RedirectRule

from .states import VIP, director, fwmark_service, mark, real_server


def _reweighted(weight: int):
    service = director().ipvs[0]
    dests = (service.dests[0], replace(service.dests[1], weight=weight))  # intent weight 3
    return director(ipvs=(replace(service, dests=dests), director().ipvs[1]))


@pytest.mark.parametrize(("observed", "kind"), [(0, "quiesced"), (1, "changed"), (2, "changed"), (4, "changed")])
def test_only_weight_zero_is_quiesced(observed: int, kind: str) -> None:
    """A weight lowered from 3 to 1 is drift: only 0 is what a health checker's quiesce writes."""
    drifts = diff(director(), _reweighted(observed), AuditPolicy(), scope_for(director(), AuditPolicy()))
    assert [(d.kind, d.field, d.expected, d.observed) for d in drifts] == [(kind, "weight", 3, observed)]
    assert in_sync(drifts) is (kind == "quiesced")


@pytest.mark.parametrize(("policy", "kind"), [(WeightPolicy.QUIESCE, "changed"), (WeightPolicy.MANAGED, "changed")])
def test_weight_one_below_intent_is_drift_under_every_reporting_policy(policy: WeightPolicy, kind: str) -> None:
    policy_ = AuditPolicy(weight=policy)
    drifts = diff(director(), _reweighted(1), policy_, scope_for(director(), policy_))
    assert [d.kind for d in drifts] == [kind]


OWNED_RANGE = """\
lvs lab {
  audit { fwmarks 100-199 }
  service web {
    vip 192.0.2.10/24 dev eth0
    tcp 80
    server web1 192.0.2.21
  }
}
"""


@pytest.mark.parametrize(("mark", "kind"), [(99, "foreign"), (100, "extra"), (150, "extra"), (199, "extra"), (200, "foreign")])
def test_owned_fwmark_range_includes_both_ends(mark: int, kind: str) -> None:
    """`audit { fwmarks 100-199 }` from the text through lowering: both edge marks are ours (an
    extra service there is drift a plan removes), one beyond either edge is someone else's."""
    config, diagnostics = load_text(OWNED_RANGE)
    assert config is not None, diagnostics
    assert config.audit.fwmarks == PortRange(100, 199)
    intent = lower(config).host("primary")
    observed = replace(intent, ipvs=intent.ipvs + (fwmark_service(mark),))
    drifts = diff(intent, observed, config.audit, scope_for(intent, config.audit))
    assert [(d.kind, d.object) for d in drifts] == [(kind, f"ipvs service fwmark {mark}")]


# --- what a declaration makes ours (mutation testing found these unpinned) --------------------

def _kinds(intent, *extra_services) -> list[tuple[str, str]]:
    observed = replace(intent, ipvs=intent.ipvs + extra_services)
    return [(d.kind, d.object) for d in diff(intent, observed, AuditPolicy(), scope_for(intent, AuditPolicy()))]


def test_another_port_on_a_declared_vip_is_ours() -> None:
    stray = IpvsService(4, Protocol.TCP, VIP, 8080)
    assert _kinds(director(marks=()), stray) == [("extra", "ipvs service tcp 192.0.2.10:8080")]


def test_a_mark_rules_single_address_is_a_declared_vip_its_network_is_not() -> None:
    marked = director(ipvs=director().ipvs[1:], marks=(mark(80, 80, destination="192.0.2.20/32"),
                                                       mark(80, 443, destination="198.51.100.0/24")))
    on_vip = IpvsService(4, Protocol.TCP, ip_address("192.0.2.20"), 80)
    on_network = IpvsService(4, Protocol.TCP, ip_address("198.51.100.0"), 80)
    assert _kinds(marked, on_vip, on_network) == [
        ("extra", "ipvs service tcp 192.0.2.20:80"), ("foreign", "ipvs service tcp 198.51.100.0:80")]


def test_a_real_servers_arp_and_redirect_vips_are_ours() -> None:
    redirected = RedirectRule(ip_address("192.0.2.30"), Protocol.TCP, 80)
    host = real_server(redirects=(redirected,))
    theirs = ArpRule(ip_address("203.0.113.9"), ip_address("198.51.100.2"))
    observed = replace(host, arp=host.arp + (theirs,), ipvs=(IpvsService(4, Protocol.TCP, ip_address("192.0.2.30"), 443),))
    drifts = diff(host, observed, AuditPolicy(), scope_for(host, AuditPolicy()))
    assert [(d.kind, d.object) for d in drifts] == [
        ("extra", "ipvs service tcp 192.0.2.30:443"), ("foreign", "arp rule vip 203.0.113.9 real 198.51.100.2")]
    assert scope_for(host, AuditPolicy()).owns_address(VIP)


def test_a_mark_set_by_a_rule_alone_is_ours() -> None:
    """A mark rule whose mark no declared service uses still makes that mark lvscc's."""
    intent = director(marks=(mark(80, 80, 443), mark(90, 8080)))
    assert _kinds(intent, fwmark_service(90)) == [("extra", "ipvs service fwmark 90")]


@pytest.mark.parametrize("field", ["upper", "lower"])
def test_a_dump_without_thresholds_says_nothing_about_either(field: str) -> None:
    service = director().ipvs[0]
    observed = director(ipvs=(replace(service, dests=(replace(service.dests[0], **{field: 7}), service.dests[1])),
                              director().ipvs[1]))
    without = frozenset({"ipvs", "netfilter"})
    assert diff(director(), observed, AuditPolicy(), scope_for(director(), AuditPolicy(), without)) == []
    assert [d.field for d in diff(director(), observed, AuditPolicy(), scope_for(director(), AuditPolicy()))] == [field]
