"""The IPVS diff's shortcuts (real servers settled by position, services keyed once) give the
drifts of the plain definition, for any order, duplicates and perturbation: `reference` below
is that definition, written for clarity, and hypothesis compares the two on drawn tables.
Also: the dump reader's word splitter agrees with shlex wherever its fast path applies."""

from __future__ import annotations

import shlex
from dataclasses import fields, replace
from ipaddress import ip_address

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lvscc.audit import DEST_FIELDS, SERVICE_FIELDS, Scope, diff, scope_for
from lvscc.drift import Drift, describe, service_name
from lvscc.model.config import AuditPolicy, Method, Protocol, WeightPolicy
from lvscc.model.state import HostState, IpvsDest, IpvsService
from lvscc.syntax.ipvsadm import endpoint
from lvscc.syntax.shell import words


def _changed(name: str, want: object, have: object, names: tuple[str, ...], parent: object = None) -> list[Drift]:
    return [Drift("changed", name, f, getattr(want, f), getattr(have, f), want, have, parent)
            for f in names if getattr(want, f) != getattr(have, f)]


def reference(want: tuple[IpvsService, ...], have: tuple[IpvsService, ...], weights: WeightPolicy,
              thresholds: bool, scope: Scope) -> list[Drift]:
    """Every wanted service against the observed one of its key, every wanted real server against
    the last observed one of its address and port; then what is observed and not wanted."""
    skipped = {"weight"} if thresholds else {"weight", "upper", "lower"}
    dest_fields = tuple(f for f in DEST_FIELDS if f not in skipped)
    observed = {s.key: s for s in have}
    drifts: list[Drift] = []
    for service in want:
        found = observed.get(service.key)
        if found is None:
            drifts.append(Drift("missing", describe(service), expected=service, want=service))
            continue
        drifts += _changed(describe(service), service, found, SERVICE_FIELDS)
        by_endpoint = {(d.address, d.port): d for d in found.dests}
        for dest in service.dests:
            name = f"dest {endpoint(dest.address, dest.port)} of {service_name(service)}"
            other = by_endpoint.get((dest.address, dest.port))
            if other is None:
                drifts.append(Drift("missing", name, expected=dest, want=dest, parent=service))
                continue
            drifts += _changed(name, dest, other, dest_fields, service)
            if dest.weight != other.weight and weights in (WeightPolicy.MANAGED, WeightPolicy.QUIESCE):
                kind = "quiesced" if weights is WeightPolicy.QUIESCE and other.weight == 0 else "changed"
                drifts.append(Drift(kind, name, "weight", dest.weight, other.weight, dest, other, service))  # type: ignore[arg-type]
        wanted = {(d.address, d.port) for d in service.dests}
        drifts += [Drift("extra", f"dest {endpoint(d.address, d.port)} of {service_name(found)}", observed=d, have=d,
                         parent=found) for d in found.dests if (d.address, d.port) not in wanted]
    keys = {s.key for s in want}
    drifts += [Drift("extra" if scope.owns_service(s) else "foreign", describe(s), observed=s, have=s)
               for s in have if s.key not in keys]
    return drifts


def _whole(drift: Drift) -> tuple:
    """Every field, also those a Drift's == leaves out (what the planner reads)."""
    return tuple(getattr(drift, f.name) for f in fields(Drift))


ADDRESSES = [ip_address(f"198.51.100.{n}") for n in range(1, 7)] + [ip_address("2001:db8::5")]
dest_st = st.builds(IpvsDest, st.sampled_from(ADDRESSES), st.sampled_from([80, 8080]),
                    st.sampled_from([Method.NAT, Method.DIRECT]), weight=st.integers(0, 3), upper=st.sampled_from([0, 9]))


@st.composite
def tables(draw: st.DrawFn) -> tuple[tuple[IpvsService, ...], tuple[IpvsService, ...]]:
    """A wanted table (sorted, no real server twice, as lowering makes it) and an observed one
    drawn from it: real servers changed, dropped, added, listed twice, reordered."""
    want = []
    for port in draw(st.lists(st.sampled_from([80, 443, 8000]), unique=True, max_size=3)):
        dests = draw(st.lists(dest_st, max_size=6, unique_by=lambda d: (d.address, d.port)))
        want.append(IpvsService(4, Protocol.TCP, ip_address("192.0.2.10"), port,
                                dests=tuple(sorted(dests, key=lambda d: d.sort_key))))
    have = []
    for service in want:
        if draw(st.integers(0, 9)) == 0:
            continue  # missing
        dests = [d for d in service.dests if draw(st.integers(0, 5))]
        dests = [replace(d, weight=draw(st.integers(0, 3))) if draw(st.booleans()) else d for d in dests]
        dests += draw(st.lists(dest_st, max_size=2))  # extra, or a second listing of a wanted one
        if draw(st.booleans()):
            dests.sort(key=lambda d: d.sort_key)
        else:
            dests = draw(st.permutations(dests))
        scheduler = draw(st.sampled_from(["wlc", "wlc", "rr"]))
        have.append(replace(service, scheduler=scheduler, dests=tuple(dests)))
    if draw(st.booleans()):
        have.append(IpvsService(4, Protocol.UDP, ip_address("192.0.2.10"), 53))
    return tuple(want), tuple(have)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables(), st.sampled_from(list(WeightPolicy)), st.booleans())
def test_ipvs_diff_is_the_plain_definition(table: tuple, weights: WeightPolicy, thresholds: bool) -> None:
    want, have = table
    intent, observed = HostState("primary", "director", ipvs=want), HostState("primary", "director", ipvs=have)
    policy = AuditPolicy(weight=weights)
    scope = scope_for(intent, policy, ("ipvs", "thresholds") if thresholds else ("ipvs",))
    found = diff(intent, observed, policy, scope)
    assert [_whole(d) for d in found] == [_whole(d) for d in reference(want, have, weights, thresholds, scope)]


def test_a_server_listed_twice_is_compared_with_its_last_listing() -> None:
    """Position would pair the first listing (equal) with the wanted server; the plain
    definition compares the last, whose weight differs."""
    web = ip_address("198.51.100.2")
    wanted = IpvsService(4, Protocol.TCP, ip_address("192.0.2.10"), 80, dests=(IpvsDest(web, 80, Method.NAT),))
    listed = replace(wanted, dests=(IpvsDest(web, 80, Method.NAT), IpvsDest(web, 80, Method.NAT, weight=5)))
    policy = AuditPolicy(weight=WeightPolicy.MANAGED)
    intent = HostState("primary", "director", ipvs=(wanted,))
    drifts = diff(intent, HostState("primary", "director", ipvs=(listed,)), policy, scope_for(intent, policy))
    assert [(d.kind, d.field, d.observed) for d in drifts] == [("changed", "weight", 5)]


@given(st.text(alphabet=st.sampled_from(list(" \t\r\n\x0b\x0c\x1c\x85\xa0-#abc'\"\\é")), max_size=30))
def test_words_are_shlex_words(text: str) -> None:
    try:
        expected = shlex.split(text)
    except ValueError:
        return  # an unclosed quote: refused, through shlex's own path
    assert words(text) == expected
