"""What a drift carries besides its kind and name: the expected and observed objects a report
shows and the planner writes from, for a missing server, a foreign service and an ARP pair;
what a dump listing a server twice or one extra server at the end is audited as; two rules of
one half for one VIP. Found by mutation testing (docs/testing.md)."""

from __future__ import annotations

from dataclasses import replace
from ipaddress import ip_address

from lvscc.audit import diff, scope_for
from lvscc.drift import Drift
from lvscc.model.config import AuditPolicy, Method, Protocol
from lvscc.model.state import ArpRule, IpvsService, Origin, RedirectRule

from .states import VIP, dest, director, real_server, web


def audit(intent, observed) -> list[Drift]:
    return diff(intent, observed, AuditPolicy(), scope_for(intent, AuditPolicy()))


def _with(*dests):
    return director(ipvs=(web(*dests), director().ipvs[1]))


def test_a_missing_server_carries_what_is_expected() -> None:
    wanted = dest("198.51.100.3", weight=3)
    (drift,) = audit(_with(dest("198.51.100.2"), wanted), _with(dest("198.51.100.2")))
    assert drift == Drift("missing", "dest 198.51.100.3:80 of tcp 192.0.2.10:80", expected=wanted)
    assert (drift.want, drift.parent) == (wanted, web(dest("198.51.100.2"), wanted))


def test_an_extra_server_listed_after_every_wanted_one_is_extra() -> None:
    """Every wanted server settled by position must not hide one more at the end."""
    (drift,) = audit(_with(dest("198.51.100.2")), _with(dest("198.51.100.2"), dest("198.51.100.9")))
    assert drift == Drift("extra", "dest 198.51.100.9:80 of tcp 192.0.2.10:80", observed=dest("198.51.100.9"))
    assert drift.have == dest("198.51.100.9")


def test_a_changed_server_field_names_the_server_and_carries_both_sides() -> None:
    wanted, found = dest("198.51.100.3"), dest("198.51.100.3", method=Method.DIRECT)
    (drift,) = audit(_with(wanted), _with(found))
    assert drift == Drift("changed", "dest 198.51.100.3:80 of tcp 192.0.2.10:80", "method", Method.NAT, Method.DIRECT)
    assert (drift.want, drift.have) == (wanted, found)


def test_a_server_listed_twice_is_compared_by_its_last_listing() -> None:
    """A dump taken while the table changed: the last line is the kernel's latest word."""
    old, new = dest("198.51.100.2", weight=5), dest("198.51.100.2", weight=1)
    assert audit(_with(new), _with(old, new)) == []
    drifts = audit(_with(new), _with(new, old))
    assert [(d.kind, d.field, d.expected, d.observed) for d in drifts] == [("changed", "weight", 1, 5)]


def test_a_foreign_service_is_carried_whole() -> None:
    """The report shows it and serve/watch keep it; the planner never touches it."""
    kube = IpvsService(4, Protocol.TCP, ip_address("203.0.113.50"), 443, dests=(dest("198.51.100.40", 443),))
    observed = replace(director(), ipvs=director().ipvs + (kube,))
    (drift,) = audit(director(), observed)
    assert drift == Drift("foreign", "ipvs service tcp 203.0.113.50:443", observed=kube)
    assert drift.have == kube


PAIR = ArpRule(VIP, ip_address("198.51.100.2"))


def test_a_missing_arp_pair_is_one_drift_expecting_the_pair() -> None:
    (drift,) = audit(real_server(), real_server(arp=()))
    assert drift == Drift("missing", "arp rule vip 192.0.2.10 real 198.51.100.2", expected=PAIR)
    assert drift.want == PAIR


def test_an_extra_arp_pair_is_one_drift_observing_the_pair() -> None:
    """The VIP is ours (a REDIRECT recipe now), so its old ARP rules are extra, not foreign."""
    redirected = (RedirectRule(VIP, Protocol.TCP, 80),)
    (drift,) = audit(real_server(arp=(), redirects=redirected), real_server(arp=(PAIR,), redirects=redirected))
    assert drift == Drift("extra", "arp rule vip 192.0.2.10 real 198.51.100.2", observed=PAIR)
    assert drift.have == PAIR


def test_two_mangle_rules_for_one_vip_are_not_a_pair() -> None:
    """Two extra halves of the same kind are two rules to delete, not one drop+mangle pair."""
    one = ArpRule(VIP, ip_address("198.51.100.7"), part="mangle")
    two = ArpRule(VIP, ip_address("198.51.100.8"), part="mangle")
    drifts = audit(real_server(), real_server(arp=(PAIR, one, two)))
    assert [(d.kind, d.have) for d in drifts] == [("extra", one), ("extra", two)]


def test_where_an_object_was_declared_or_found_is_never_a_drift() -> None:
    """The intent's origin is a config line, the observed one the probe's dump: a changed
    scheduler or server is one drift, not one more for the origin."""
    declared, probed = Origin("t.lvs", 10, "service http"), Origin("ipvsadm-save", 3, "")
    wanted = replace(dest("198.51.100.3"), origin=declared)
    found = replace(dest("198.51.100.3", method=Method.DIRECT), origin=probed)
    intent = director(ipvs=(replace(web(wanted), origin=declared), director().ipvs[1]))
    observed = director(ipvs=(replace(web(found), scheduler="rr", origin=probed), director().ipvs[1]))
    assert [d.field for d in audit(intent, observed)] == ["scheduler", "method"]
