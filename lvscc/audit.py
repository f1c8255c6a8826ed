"""The drift auditor: a pure diff of what lowering wants on a host (Intent) against what the
probes read from it (Observed). Both are `HostState`s, so the auditor never touches a kernel
and is tested on constructed values.

Ownership decides what may be called drift. lvscc owns the VIPs and firewall marks the config
declares plus `audit.scope` networks and the `audit.fwmarks` range; every other IPVS service or
ARP rule is `foreign`: reported as information and never touched by a plan, because a cluster
manager that deletes what it did not create breaks its neighbours (kubernetes#59507).
Netfilter rules carry their own ownership mark (our nft table, an `lvscc` iptables comment), so
the probes sort those and hand the rest over in `HostState.foreign`."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Iterable

from lvscc.drift import SECTIONS, Drift, Kind, describe, service_name
from lvscc.model.canonical import canonical_marks
from lvscc.model.config import AuditPolicy, IPAddress, IPNetwork, TunnelType, WeightPolicy
from lvscc.model.state import (
    Address,
    ArpRule,
    HostState,
    IpvsDest,
    IpvsService,
    IpvsTimeouts,
    Route,
    Sysctl,
    TunnelDevice,
    route_destination,
)
from lvscc.syntax.ipvsadm import endpoint


def _compared(cls: type, identity: tuple[str, ...]) -> tuple[str, ...]:
    """The fields of a kernel object that a drift can name, in declaration order: all but
    what identifies it, its children and its origin. Derived, so that a new service or server
    option is audited without this module knowing it."""
    return tuple(f.name for f in fields(cls) if f.name not in identity and f.name not in ("dests", "origin"))


SERVICE_FIELDS = _compared(IpvsService, ("family", "protocol", "address", "port", "fwmark"))
DEST_FIELDS = _compared(IpvsDest, ("address", "port"))


@dataclass(frozen=True)
class Scope:
    """What lvscc owns on the host, and which sections the probes actually read."""

    vips: frozenset[IPAddress] = frozenset()
    networks: tuple[IPNetwork, ...] = ()
    fwmarks: frozenset[int] = frozenset()
    fwmark_range: tuple[int, int] | None = None
    sections: frozenset[str] = frozenset(SECTIONS)

    def owns_address(self, address: IPAddress | None) -> bool:
        if address is None:
            return False
        return address in self.vips or any(address in net for net in self.networks)

    def owns_fwmark(self, mark: int) -> bool:
        in_range = self.fwmark_range is not None and self.fwmark_range[0] <= mark <= self.fwmark_range[1]
        return mark in self.fwmarks or in_range

    def owns_service(self, service: IpvsService) -> bool:
        return self.owns_fwmark(service.fwmark) if service.fwmark else self.owns_address(service.address)


def scope_for(intent: HostState, policy: AuditPolicy, sections: Iterable[str] = SECTIONS) -> Scope:
    """The ownership scope of one host: its declared VIPs and marks plus the policy's extras."""
    vips = {s.address for s in intent.ipvs if s.address is not None}
    vips |= {m.destination.network_address for m in intent.marks if m.destination.num_addresses == 1}
    vips |= {r.destination for r in intent.redirects} | {a.vip for a in intent.arp}
    marks = {s.fwmark for s in intent.ipvs if s.fwmark} | {m.fwmark for m in intent.marks}
    marks_range = (policy.fwmarks.first, policy.fwmarks.last) if policy.fwmarks else None
    return Scope(frozenset(vips), tuple(policy.scope), frozenset(marks), marks_range, frozenset(sections))


# --- the diff ---------------------------------------------------------------------------


def diff(intent: HostState, observed: HostState, policy: AuditPolicy, scope: Scope) -> list[Drift]:
    """Every difference between intent and observed inside the scope, in a stable order."""
    audited = scope.sections
    drifts: list[Drift] = []
    if "ipvs" in audited:
        drifts += _diff_ipvs(intent.ipvs, observed.ipvs, policy.weight, scope)
    if "timeouts" in audited and intent.timeouts is not None:
        drifts += _diff_timeouts(intent.timeouts, observed.timeouts or IpvsTimeouts())
    if "netfilter" in audited:
        drifts += _diff_sets(canonical_marks(intent.marks), canonical_marks(observed.marks))
        drifts += _diff_sets(intent.masquerades, observed.masquerades)
        drifts += _diff_sets(intent.redirects, observed.redirects)
        drifts += _diff_sets(intent.helpers, observed.helpers)
    if "arp" in audited:
        drifts += _diff_arp(intent.arp, tuple(a for a in observed.arp if scope.owns_address(a.vip)))
        drifts += [_foreign(a) for a in observed.arp if not scope.owns_address(a.vip)]
    if "sysctls" in audited:
        drifts += _diff_sysctls(intent.sysctls, observed.sysctls)
    if "modules" in audited:
        loaded = set(observed.modules)
        drifts += [Drift("missing", describe(m), want=m) for m in intent.modules if m not in loaded]
    if "addresses" in audited:
        drifts += _diff_addresses(intent.addresses, observed.addresses, scope)
    if "routes" in audited:
        drifts += _diff_routes(intent.routes, observed.routes)
    if "tunnels" in audited:
        drifts += _diff_tunnels(intent.tunnels, observed.tunnels, gue="fou" in audited)
    drifts += [Drift("foreign", text) for text in observed.foreign]
    return drifts


def _foreign(obj: object) -> Drift:
    return Drift("foreign", describe(obj), observed=obj, have=obj)


def _diff_sets(want: tuple, have: tuple) -> list[Drift]:
    """Objects compared whole: a rule either is there or is not; a changed rule is two drifts."""
    have_set, want_set = set(have), set(want)
    missing = [Drift("missing", describe(w), expected=w, want=w) for w in want if w not in have_set]
    extra = [Drift("extra", describe(h), observed=h, have=h) for h in have if h not in want_set]
    return missing + extra


def _changed(name: str, want: object, have: object, names: Iterable[str], parent: IpvsService | None = None) -> list[Drift]:
    return [
        Drift("changed", name, f, getattr(want, f), getattr(have, f), want, have, parent)
        for f in names
        if getattr(want, f) != getattr(have, f)
    ]


def _diff_ipvs(want: tuple[IpvsService, ...], have: tuple[IpvsService, ...], weights: WeightPolicy, scope: Scope) -> list[Drift]:
    """One pass over each side, every service keyed once."""
    observed = [(s.key, s) for s in have]
    found_by_key = dict(observed)
    wanted: set[tuple] = set()
    drifts: list[Drift] = []
    names = _dest_fields(scope)
    for service in want:
        key = service.key
        wanted.add(key)
        found = found_by_key.get(key)
        if found == service:
            continue  # the common case on a big table: equal whole, so no field can differ
        name = describe(service)
        if found is None:
            drifts.append(Drift("missing", name, expected=service, want=service))
            continue
        drifts += _changed(name, service, found, SERVICE_FIELDS)
        drifts += _diff_dests(service, found, weights, names)
    for key, service in observed:
        if key in wanted:
            continue
        if scope.owns_service(service):
            drifts.append(Drift("extra", describe(service), observed=service, have=service))
        else:
            drifts.append(_foreign(service))
    return drifts


def _dest_fields(scope: Scope) -> tuple[str, ...]:
    # ipvsadm-save drops -x/-y, so a dump without them says nothing about thresholds.
    skipped = {"weight"} if "thresholds" in scope.sections else {"weight", "upper", "lower"}
    return tuple(f for f in DEST_FIELDS if f not in skipped)


def _unsettled(want: tuple[IpvsDest, ...], have: tuple[IpvsDest, ...]) -> tuple[list[IpvsDest], list[IpvsDest]]:
    """The real servers of each side that are not equal to the other side's at the same
    position. Both sides come in ipvsadm-save's order (lowering and the probes emit it), so on
    a big table this leaves what drifted, at one comparison a server; a server equal to its
    counterpart has nothing to report, whatever the weight policy."""
    settled = {i for i, (w, h) in enumerate(zip(want, have)) if w == h}
    if len(settled) == len(want) == len(have):
        return [], []
    return ([w for i, w in enumerate(want) if i not in settled],
            [h for i, h in enumerate(have) if i not in settled])


def _diff_dests(service: IpvsService, found: IpvsService, weights: WeightPolicy, names: tuple[str, ...]) -> list[Drift]:
    want, have = _unsettled(service.dests, found.dests)
    if not want and not have:
        return []
    # sort_key is a real server's identity in bytes: cheaper to hash than its address.
    observed = {d.sort_key: d for d in found.dests}
    if len(observed) < len(found.dests):
        # A server listed twice (a dump taken while the table changed): the last listing is
        # the one compared, for every server, as if nothing were settled by position.
        want, have = list(service.dests), list(found.dests)
    service_text = service_name(service)
    drifts: list[Drift] = []
    for dest in want:
        name = _dest_name(dest, service_text)
        other = observed.get(dest.sort_key)
        if other is None:
            drifts.append(Drift("missing", name, expected=dest, want=dest, parent=service))
            continue
        drifts += _changed(name, dest, other, names, service)
        drifts += _diff_weight(name, dest, other, service, weights)
    if have:
        wanted = {d.sort_key for d in service.dests}
        found_text = service_name(found)
        drifts += [
            Drift("extra", _dest_name(d, found_text), observed=d, have=d, parent=found)
            for d in have
            if d.sort_key not in wanted
        ]
    return drifts


def _dest_name(dest: IpvsDest, service_text: str) -> str:
    return f"dest {endpoint(dest.address, dest.port)} of {service_text}"


def _diff_weight(name: str, want: IpvsDest, have: IpvsDest, service: IpvsService, weights: WeightPolicy) -> list[Drift]:
    if want.weight == have.weight or weights in (WeightPolicy.OBSERVED, WeightPolicy.IGNORE):
        return []
    # A health checker quiescing a failed server sets weight 0; that is the cluster working.
    kind: Kind = "quiesced" if weights is WeightPolicy.QUIESCE and have.weight == 0 else "changed"
    return [Drift(kind, name, "weight", want.weight, have.weight, want, have, service)]


def _diff_timeouts(want: IpvsTimeouts, have: IpvsTimeouts) -> list[Drift]:
    # 0 in the intent means "leave the kernel's value", so only set values are compared.
    names = [f.name for f in fields(IpvsTimeouts) if getattr(want, f.name)]
    return _changed(describe(want), want, have, names)


def normalise_sysctl(value: str) -> str:
    """`sysctl -a` separates a vector value with tabs, /proc/sys with tabs or spaces."""
    return " ".join(value.split())


def _diff_sysctls(want: tuple[Sysctl, ...], have: tuple[Sysctl, ...]) -> list[Drift]:
    observed = {s.key: s for s in have}
    drifts: list[Drift] = []
    for sysctl in want:
        found = observed.get(sysctl.key)
        if found is None:
            drifts.append(Drift("missing", describe(sysctl), expected=sysctl.value, want=sysctl))
        elif normalise_sysctl(found.value) != normalise_sysctl(sysctl.value):
            drifts.append(Drift("changed", describe(sysctl), "value", sysctl.value, found.value, sysctl, found))
    return drifts


def _diff_addresses(want: tuple[Address, ...], have: tuple[Address, ...], scope: Scope) -> list[Drift]:
    # Only a declared VIP found where the config does not put it is ours to call extra: the
    # host's own addresses, even inside an owned network, are not lvscc's business.
    declared = scope.vips | {a.interface.ip for a in want}
    owned = tuple(a for a in have if a.interface.ip in declared)
    drifts = _diff_sets(want, owned)
    # A floating address is held by the active director only; its absence here says this one
    # is standing by, which is information, not drift.
    return [replace(d, kind="standby") if d.kind == "missing" and d.want.floating else d for d in drifts]


def arp_halves(rule: ArpRule) -> tuple[ArpRule, ...]:
    """The single arptables rules an ArpRule stands for."""
    if rule.part != "pair":
        return (rule,)
    return replace(rule, real=rule.vip, part="drop"), replace(rule, part="mangle")


def _diff_arp(want: tuple[ArpRule, ...], have: tuple[ArpRule, ...]) -> list[Drift]:
    """Rule by rule, so that a half pair is repaired by its missing half alone; a VIP whose two
    rules drift the same way is reported as the one pair it is."""
    drifts = _diff_sets(tuple(h for w in want for h in arp_halves(w)), tuple(h for w in have for h in arp_halves(w)))
    groups: dict[tuple[str, IPAddress], list[Drift]] = {}
    for d in drifts:
        groups.setdefault((d.kind, _arp_rule(d).vip), []).append(d)
    return [d for group in groups.values() for d in _joined_halves(group)]


def _arp_rule(d: Drift) -> ArpRule:
    return d.want if d.kind == "missing" else d.have


def _joined_halves(group: list[Drift]) -> list[Drift]:
    halves = {_arp_rule(d).part: _arp_rule(d) for d in group}
    if len(group) != 2 or set(halves) != {"drop", "mangle"}:
        return group
    pair = replace(halves["mangle"], part="pair")
    if group[0].kind == "missing":
        return [Drift("missing", describe(pair), expected=pair, want=pair)]
    return [Drift(group[0].kind, describe(pair), observed=pair, have=pair)]


def _route_key(route: Route) -> tuple[int, str]:
    return route.gateway.version, route_destination(route.destination)


def _diff_routes(want: tuple[Route, ...], have: tuple[Route, ...]) -> list[Drift]:
    """Only the destinations the intent names: the host's other routes are its own business.
    `have` holds the routes the kernel uses (the probe keeps the lowest metric's), so a default
    route via anything but the director's gateway is what LVS-NAT breaks on (V15)."""
    gateways: dict[tuple[int, str], list[Route]] = {}
    for route in have:
        gateways.setdefault(_route_key(route), []).append(route)
    drifts: list[Drift] = []
    for route in want:
        found = gateways.get(_route_key(route), [])
        if not found:
            drifts.append(Drift("missing", describe(route), expected=route, want=route))
        elif [r.gateway for r in found] != [route.gateway]:
            observed = found[0].gateway if len(found) == 1 else tuple(r.gateway for r in found)
            drifts.append(Drift("changed", describe(route), "gateway", route.gateway, observed, route, found[0]))
    return drifts


def _diff_tunnels(want: tuple[TunnelDevice, ...], have: tuple[TunnelDevice, ...], gue: bool) -> list[Drift]:
    """The devices the intent names, and for GUE the receive port; other tunnels on the host
    are not lvscc's. A GUE device is an ipip-like fallback device plus a fou port."""
    links = {t.name: t for t in have if t.type is not TunnelType.GUE}
    devices = {t.name: replace(t, type=TunnelType.IPIP if t.type is TunnelType.GUE else t.type, port=None) for t in want}
    drifts: list[Drift] = []
    for name, device in devices.items():
        link = links.get(name)
        if link is None:
            drifts.append(Drift("missing", describe(device), expected=device, want=device))
        elif not link.up:
            drifts.append(Drift("changed", describe(device), "up", True, False, device, link))
    ports = {(t.name, t.port) for t in have if t.type is TunnelType.GUE}
    drifts += [
        Drift("missing", describe(t), expected=t, want=t)
        for t in want
        if gue and t.type is TunnelType.GUE and (t.name, t.port) not in ports
    ]
    return drifts
