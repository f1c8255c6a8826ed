"""Model-based audit and plan: hypothesis draws a director's intent and perturbs a copy of it the
way routers drift (a weight up or down, a threshold, one timeout, a scheduler, a server or
service gone or added, services of other owners, marks at the edges of the owned range);
kernel_model runs the plan; the result must audit clean, leave every foreign object as it
was, and take no command beyond the minimum the perturbation needs."""

from __future__ import annotations

from dataclasses import dataclass, replace
from ipaddress import ip_address, ip_network

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lvscc.audit import diff, scope_for
from lvscc.drift import in_sync
from lvscc.model.config import AuditPolicy, Method, PortRange, Protocol, TunnelType, WeightPolicy
from lvscc.model.state import HostState, IpvsDest, IpvsService, IpvsTimeouts, Sysctl
from lvscc.plan import plan

from .kernel_model import Director

OWNED_MARKS = PortRange(1000, 1999)
OWNED_NETWORK = ip_network("203.0.113.0/25")
SCHEDULERS = ("wlc", "rr", "wrr", "lc", "sh")
MODEL_SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# --- the intent ---------------------------------------------------------------------------

@st.composite
def dests(draw: st.DrawFn, index: int) -> tuple[IpvsDest, ...]:
    count = draw(st.integers(1, 3))
    method = draw(st.sampled_from(Method))
    found = []
    for n in range(count):
        upper = draw(st.sampled_from((0, 0, 50, 2147483647)))
        lower = draw(st.sampled_from((0, 10))) if upper else draw(st.sampled_from((0, 0, 10)))
        tunnel = method is Method.TUNNEL
        found.append(IpvsDest(ip_address(f"198.51.100.{10 * index + n + 1}"), draw(st.sampled_from((80, 8080))),
                              draw(st.sampled_from((method, method, Method.NAT))) if not tunnel else method,
                              weight=draw(st.integers(0, 65535)), upper=upper, lower=lower,
                              tun_type=TunnelType.IPIP if tunnel and draw(st.booleans()) else None))
    return tuple(sorted(found, key=lambda d: d.sort_key))


@st.composite
def service(draw: st.DrawFn, index: int) -> IpvsService:
    persistence = draw(st.sampled_from((None, 1, 300, 2678400)))
    common = dict(scheduler=draw(st.sampled_from(SCHEDULERS)), persistence=persistence,
                  netmask="255.255.255.0" if persistence and draw(st.booleans()) else None, dests=draw(dests(index)))
    if draw(st.integers(0, 3)) == 0:
        mark = draw(st.sampled_from((OWNED_MARKS.first, OWNED_MARKS.last, 21, 80)))
        return IpvsService(4, None, None, 0, fwmark=mark + index, **common)
    protocol = draw(st.sampled_from((Protocol.TCP, Protocol.UDP)))
    return IpvsService(4, protocol, ip_address(f"192.0.2.{10 + index}"), draw(st.sampled_from((0, 80, 443, 65535))),
                       **common)


@st.composite
def intents(draw: st.DrawFn) -> HostState:
    services = [draw(service(i)) for i in range(draw(st.integers(1, 3)))]
    unique = {s.key: s for s in services}
    timeouts = IpvsTimeouts(*(draw(st.sampled_from((0, 60, 900, 2678400))) for _ in range(3)))
    return HostState(
        "primary", "director",
        ipvs=tuple(sorted(unique.values(), key=lambda s: s.sort_key)),
        timeouts=timeouts if any((timeouts.tcp, timeouts.tcpfin, timeouts.udp)) else None,
        sysctls=(Sysctl("net.ipv4.ip_forward", "1"), Sysctl("net.ipv4.vs.expire_nodest_conn", "1")),
        modules=("ip_vs", "ip_vs_wlc"),
    )


# --- perturbations: each one drift a router can have, and the commands it needs ------------

@dataclass(frozen=True)
class Perturbed:
    observed: HostState
    foreign: tuple[IpvsService, ...]  # services some other owner put there: must stay as they are
    edited_dests: frozenset[tuple]  # (service key, dest key) needing one `ipvsadm -e` each
    commands: int  # the rest of the minimal plan


def _replace_dest(state: HostState, key: tuple, index: int, **changes: object) -> HostState:
    services = []
    for s in state.ipvs:
        if s.key == key:
            dests = list(s.dests)
            dests[index] = replace(dests[index], **changes)
            s = replace(s, dests=tuple(dests))
        services.append(s)
    return replace(state, ipvs=tuple(services))


def _replace_service(state: HostState, key: tuple, new: IpvsService | None) -> HostState:
    kept = tuple(s for s in state.ipvs if s.key != key)
    return replace(state, ipvs=tuple(sorted(kept + ((new,) if new else ()), key=lambda s: s.sort_key)))


FOREIGN = (
    IpvsService(4, Protocol.TCP, ip_address("203.0.113.200"), 443, dests=(IpvsDest(ip_address("198.51.100.250"), 443, Method.NAT),)),
    IpvsService(4, None, None, 0, fwmark=OWNED_MARKS.first - 1, scheduler="rr", dests=(IpvsDest(ip_address("198.51.100.251"), 0, Method.DIRECT),)),
    IpvsService(4, None, None, 0, fwmark=OWNED_MARKS.last + 1, dests=(IpvsDest(ip_address("198.51.100.252"), 0, Method.DIRECT, weight=0),)),
)
# Ours though no config declares them: in `audit.scope` or at the ends of `audit.fwmarks`.
OWNED_EXTRA = (
    IpvsService(4, Protocol.UDP, ip_address("203.0.113.9"), 53, dests=(IpvsDest(ip_address("198.51.100.240"), 53, Method.NAT),)),
    IpvsService(4, None, None, 0, fwmark=OWNED_MARKS.first, dests=(IpvsDest(ip_address("198.51.100.241"), 0, Method.DIRECT),)),
    IpvsService(4, None, None, 0, fwmark=OWNED_MARKS.last, dests=(IpvsDest(ip_address("198.51.100.242"), 0, Method.DIRECT),)),
)


@st.composite
def perturbed(draw: st.DrawFn, intent: HostState, policy: AuditPolicy) -> Perturbed:
    observed = intent
    edited: set[tuple] = set()
    commands = 0
    touched: set[tuple] = set()  # services already perturbed as a whole
    # What `lvscc audit` reads when the kernel holds no --set: the kernel's defaults.
    observed = replace(observed, timeouts=IpvsTimeouts(900, 120, 300))
    for service in intent.ipvs:
        for index, dest in enumerate(service.dests):
            change = draw(st.sampled_from(("none", "none", "weight", "upper", "lower", "both", "method")))
            if change == "none":
                continue
            if change == "weight":
                weight = draw(st.sampled_from((0, 1, dest.weight + 1, max(dest.weight - 1, 0), 65535)))
                if weight == dest.weight:
                    continue
                observed = _replace_dest(observed, service.key, index, weight=weight)
                if policy.weight is WeightPolicy.MANAGED or (policy.weight is WeightPolicy.QUIESCE and weight != 0):
                    edited.add((service.key, (dest.address, dest.port)))
            elif change == "method":
                other = Method.NAT if dest.method is not Method.NAT else Method.DIRECT
                observed = _replace_dest(observed, service.key, index, method=other)
                edited.add((service.key, (dest.address, dest.port)))
            else:
                upper = dest.upper + 1 if change in ("upper", "both") else dest.upper
                lower = dest.lower + 1 if change in ("lower", "both") else dest.lower
                observed = _replace_dest(observed, service.key, index, upper=upper, lower=lower)
                edited.add((service.key, (dest.address, dest.port)))
    for service in intent.ipvs:
        change = draw(st.sampled_from(("none", "none", "none", "scheduler", "persistence", "gone", "dest-gone", "dest-extra")))
        current = next(s for s in observed.ipvs if s.key == service.key)
        if change == "scheduler":
            other = next(s for s in SCHEDULERS if s != service.scheduler)
            observed = _replace_service(observed, service.key, replace(current, scheduler=other))
            commands += 1
        elif change == "persistence":
            observed = _replace_service(observed, service.key,
                                        replace(current, persistence=None if service.persistence else 600, netmask=None))
            commands += 1
        elif change == "gone":
            observed = _replace_service(observed, service.key, None)
            edited = {e for e in edited if e[0] != service.key}
            commands += 1 + len(service.dests)  # -A and one -a per server
        elif change == "dest-gone":
            gone = current.dests[0]
            observed = _replace_service(observed, service.key, replace(current, dests=current.dests[1:]))
            edited.discard((service.key, (gone.address, gone.port)))
            commands += 1
        elif change == "dest-extra":
            extra = IpvsDest(ip_address("198.51.100.199"), 80, Method.DIRECT)
            observed = _replace_service(observed, service.key, replace(current, dests=current.dests + (extra,)))
            commands += 1
    if intent.timeouts is not None:
        which = draw(st.sampled_from(("none", "tcp", "tcpfin", "udp")))
        wanted = getattr(intent.timeouts, which, 0) if which != "none" else 0
        if wanted:
            observed = replace(observed, timeouts=replace(observed.timeouts, **{which: wanted + 1}))
        # --set states all three: unless the kernel's defaults happen to match, one command
        drifting = [f for f in ("tcp", "tcpfin", "udp")
                    if getattr(intent.timeouts, f) and getattr(intent.timeouts, f) != getattr(observed.timeouts, f)]
        commands += 1 if drifting else 0
    extras = draw(st.sets(st.sampled_from(OWNED_EXTRA)))
    foreign = draw(st.sets(st.sampled_from(FOREIGN)))
    declared = {s.key for s in intent.ipvs}
    extras = {s for s in extras if s.key not in declared}
    foreign = tuple(sorted((s for s in foreign if s.key not in declared), key=lambda s: s.sort_key))
    commands += len(extras)
    observed = replace(observed, ipvs=tuple(sorted(observed.ipvs + tuple(extras) + foreign, key=lambda s: s.sort_key)))
    if draw(st.booleans()):
        observed = replace(observed, sysctls=(Sysctl("net.ipv4.ip_forward", "0"), intent.sysctls[1]))
        commands += 1
    if draw(st.booleans()):
        observed = replace(observed, modules=("ip_vs",))
        commands += 1
    observed = replace(observed, foreign=("nft table ip filter", "iptables -t nat -A POSTROUTING -j MASQUERADE"))
    return Perturbed(observed, foreign, frozenset(edited), commands)


POLICIES = st.sampled_from([AuditPolicy(weight=w, scope=(OWNED_NETWORK,), fwmarks=OWNED_MARKS)
                            for w in (WeightPolicy.MANAGED, WeightPolicy.QUIESCE)])


@MODEL_SETTINGS
@given(st.data(), intents(), POLICIES)
def test_plan_repairs_exactly_the_drift_and_nothing_else(data: st.DataObject, intent: HostState, policy: AuditPolicy) -> None:
    case = data.draw(perturbed(intent, policy))
    scope = scope_for(intent, policy)
    commands = plan(diff(intent, case.observed, policy, scope))
    kernel = Director.holding(case.observed)
    for command in commands:
        kernel.run(command)
    after = kernel.state(case.observed)
    assert in_sync(diff(intent, after, policy, scope)), kernel.commands
    assert [s for s in after.ipvs if s in case.foreign] == list(case.foreign), "a foreign service was touched"
    assert not [s for s in after.ipvs if s.key in {f.key for f in case.foreign} and s not in case.foreign]
    edits = [command for command in commands if command.argv[:2] == ("ipvsadm", "-e")]
    assert len(edits) == len(case.edited_dests), kernel.commands
    assert len(commands) - len(edits) == case.commands, kernel.commands
    # a second audit finds nothing to do: the plan is idempotent through the kernel
    assert plan(diff(intent, after, policy, scope)) == []


def test_one_changed_weight_is_one_edit_through_the_model() -> None:
    dest = IpvsDest(ip_address("198.51.100.2"), 80, Method.NAT, weight=3, upper=50, lower=10)
    intent = HostState("primary", "director", ipvs=(IpvsService(4, Protocol.TCP, ip_address("192.0.2.10"), 80, dests=(dest,)),))
    for observed_weight in (1, 2, 4):
        observed = _replace_dest(intent, intent.ipvs[0].key, 0, weight=observed_weight)
        commands = plan(diff(intent, observed, AuditPolicy(), scope_for(intent, AuditPolicy())))
        assert [command.argv[:2] for command in commands] == [("ipvsadm", "-e")]
        kernel = Director.holding(observed)
        kernel.run(commands[0])
        assert kernel.state(observed).ipvs == intent.ipvs  # thresholds kept: -e restated them
