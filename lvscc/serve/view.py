"""What the pages show, computed once per refresh: the config, its diagnostics and artifacts,
the audit of one host, and from those a view model in which every director, virtual service
and real server carries the auditor's verdict. Pure functions of a Snapshot; the templates
only lay it out (with autoescaping: names from dumps are other people's text)."""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from lvscc.diagnostics import has_errors
from lvscc.drift import Drift, service_name
from lvscc.drift_report import value_text
from lvscc.model.config import Config, Method
from lvscc.model.state import Address, HostState, IpvsDest, IpvsService, MarkRule, Origin
from lvscc.pipeline import Audited, AuditError, Result, audit_config, compile_file
from lvscc.probes import ProbeError
from lvscc.serve.stats import DestStats, StatsKey, read_stats
from lvscc.syntax.ipvsadm import endpoint

# How `ipvsadm -L` names the forwarding methods.
METHODS = {Method.NAT: "Masq", Method.DIRECT: "Route", Method.TUNNEL: "Tunnel"}


@dataclass(frozen=True)
class Target:
    """What `lvscc serve` shows: a config, and the host it audits (live, or a dump)."""

    config: Path
    host: str | None = None
    dump: Path | None = None


@dataclass(frozen=True)
class Snapshot:
    """One refresh: everything read at `time`."""

    time: float
    target: Target
    compiled: Result
    audited: Audited | None
    failure: str | None  # why there is no audit
    stats: Mapping[StatsKey, DestStats] | None = None  # live only; None when unreadable
    stats_time: float | None = None

    @property
    def config(self) -> Config | None:
        return self.compiled.config


def take(target: Target) -> Snapshot:
    """Compile and audit now."""
    return assemble(target, compile_file(target.config), lambda config: audit_config(config, target.host, target.dump))


def assemble(target: Target, compiled: Result, audit: Callable[[Config], Audited]) -> Snapshot:
    """The snapshot of a compile and, when it compiled, of `audit` of its config (which raises
    AuditError, ProbeError or OSError when there is none)."""
    if compiled.config is None or has_errors(compiled.diagnostics):
        return Snapshot(time.time(), target, compiled, None, "the config does not compile: see its diagnostics")
    try:
        snapshot = Snapshot(time.time(), target, compiled, audit(compiled.config), None)
    except (AuditError, ProbeError, OSError) as e:
        snapshot = Snapshot(time.time(), target, compiled, None, str(e))
    return with_stats(snapshot) if target.dump is None else snapshot


def with_stats(snapshot: Snapshot) -> Snapshot:
    """The snapshot with the live counters read now."""
    return replace(snapshot, stats=read_stats(), stats_time=time.time())


# --- the view model ---------------------------------------------------------------------


@dataclass(frozen=True)
class Verdict:
    kind: str  # in-sync, drift, missing, extra, quiesced, standby, foreign, not-audited
    details: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        return self.kind.replace("-", " ") + "".join(f"; {d}" for d in self.details)


NOT_AUDITED = Verdict("not-audited")


@dataclass(frozen=True)
class DestView:
    name: str
    endpoint: str
    method: str
    weight: int | None  # what the config wants; None for a server the config does not have
    observed: IpvsDest | None
    verdict: Verdict
    service: str | None = None  # the config's service and server names, for edits
    server: str | None = None


@dataclass(frozen=True)
class ServiceView:
    name: str
    label: str  # `tcp 192.0.2.10:80` or `fwmark 80 (tcp 80,443)`
    scheduler: str
    persistence: str
    verdict: Verdict
    dests: tuple[DestView, ...]
    vip: str | None = None  # what links it to the director holding that address
    key: tuple = ()  # IpvsService.key: what the kernel's table is matched by


@dataclass(frozen=True)
class VipView:
    address: str
    device: str
    state: str  # held, standby, missing, not-audited


@dataclass(frozen=True)
class DirectorView:
    name: str
    addresses: tuple[str, ...]
    vips: tuple[VipView, ...]
    verdict: Verdict


@dataclass(frozen=True)
class DriftRow:
    kind: str
    object: str
    field: str
    expected: str
    observed: str


@dataclass(frozen=True)
class ClusterView:
    name: str
    host: str | None  # the audited host
    source: str
    audited_at: float
    summary: str
    directors: tuple[DirectorView, ...]
    services: tuple[ServiceView, ...]  # the config's, in the audited director's order
    others: tuple[ServiceView, ...]  # found on the host and not in the config: extra or foreign
    rows: tuple[DriftRow, ...]
    notes: tuple[str, ...]
    failure: str | None


def shown(value: object) -> str:
    """A value as ipvsadm prints it (Masq/Route/Tunnel for methods)."""
    return METHODS[value] if isinstance(value, Method) else value_text(value)


def _detail(d: Drift) -> str:
    return f"{d.field}: expected {shown(d.expected)}, observed {shown(d.observed)}"


def _verdict(drifts: list[Drift], audited: bool) -> Verdict:
    if not audited:
        return NOT_AUDITED
    kinds = {d.kind for d in drifts}
    for kind in ("missing", "extra", "foreign"):
        if kind in kinds:
            return Verdict(kind)
    changed = tuple(_detail(d) for d in drifts if d.kind == "changed")
    if changed:
        return Verdict("drift", changed)
    if "quiesced" in kinds:
        return Verdict("quiesced", tuple(_detail(d) for d in drifts if d.kind == "quiesced"))
    return Verdict("in-sync")


class _Index:
    """The drifts of one audit, by the object they are about."""

    def __init__(self, drifts: tuple[Drift, ...]) -> None:
        self.services: dict[tuple, list[Drift]] = defaultdict(list)
        self.dests: dict[tuple, list[Drift]] = defaultdict(list)
        self.addresses: dict[str, list[Drift]] = defaultdict(list)
        for d in drifts:
            obj = d.want if d.want is not None else d.have
            if isinstance(obj, IpvsService):
                self.services[obj.key].append(d)
            elif isinstance(obj, IpvsDest) and d.parent is not None:
                self.dests[(d.parent.key, obj.address, obj.port)].append(d)
            elif isinstance(obj, Address):
                self.addresses[str(obj.interface.ip)].append(d)


def _label(service: IpvsService, marks: tuple[MarkRule, ...]) -> str:
    """The service as ipvsadm names it; a firewall mark with the ports it carries."""
    ports = [f"{m.protocol.value} {','.join(str(p) for p in m.ports)}" for m in marks if m.fwmark == service.fwmark]
    return service_name(service) + (f" ({'; '.join(ports)})" if service.fwmark and ports else "")


def _vip(service: IpvsService, marks: tuple[MarkRule, ...]) -> str | None:
    if service.address is not None:
        return str(service.address)
    return next((str(m.destination.network_address) for m in marks if m.fwmark == service.fwmark), None)


def _persistence(service: IpvsService) -> str:
    if service.persistence is None:
        return "-"
    return f"{service.persistence}s" + (f" mask {service.netmask}" if service.netmask else "")


def _names(config: Config) -> dict[Origin, tuple[str, str]]:
    from lvscc.lower.common import server_origin

    return {server_origin(rs, svc): (svc.name, rs.name) for svc in config.services for rs in svc.servers}


def _dest_view(dest: IpvsDest, service: IpvsService, observed: dict[tuple, IpvsDest], index: _Index,
               audited: bool, names: dict[Origin, tuple[str, str]]) -> DestView:
    key = (service.key, dest.address, dest.port)
    service_name_, server = names.get(dest.origin, (None, None)) if dest.origin else (None, None)
    return DestView(server or str(dest.address), endpoint(dest.address, dest.port), METHODS[dest.method], dest.weight,
                    observed.get(key), _verdict(index.dests.get(key, []), audited), service_name_, server)


def _service_view(service: IpvsService, found: IpvsService | None, index: _Index, audited: bool,
                  names: dict[Origin, tuple[str, str]], standby: bool, marks: tuple[MarkRule, ...]) -> ServiceView:
    observed = {(service.key, d.address, d.port): d for d in (found.dests if found else ())}
    dests = tuple(_dest_view(d, service, observed, index, audited, names) for d in service.dests)
    wanted = {(d.address, d.port) for d in service.dests}
    dests += tuple(_observed_dest(d, service, index) for d in (found.dests if found else ()) if (d.address, d.port) not in wanted)
    verdict = _verdict(index.services.get(service.key, []), audited)
    if standby and verdict.kind == "in-sync":
        verdict = Verdict("standby", ("this director does not hold the VIP now",))
    name = service.origin.what.removeprefix("service ") if service.origin else service_name(service)
    return ServiceView(name, _label(service, marks), service.scheduler, _persistence(service), verdict, dests,
                       _vip(service, marks), service.key)


def _observed_dest(dest: IpvsDest, service: IpvsService, index: _Index, kind: str | None = None) -> DestView:
    drifts = index.dests.get((service.key, dest.address, dest.port), [])
    verdict = Verdict(kind) if kind else _verdict(drifts, True)
    return DestView(str(dest.address), endpoint(dest.address, dest.port), METHODS[dest.method], None, dest, verdict)


def _other_view(service: IpvsService, index: _Index) -> ServiceView:
    kind = "foreign" if any(d.kind == "foreign" for d in index.services.get(service.key, [])) else "extra"
    dests = tuple(_observed_dest(d, service, index, kind) for d in service.dests)
    return ServiceView(service_name(service), service_name(service), service.scheduler, _persistence(service),
                       Verdict(kind), dests, key=service.key)


def _vip_state(address: Address, index: _Index, audited: bool) -> str:
    if not audited:
        return "not-audited"
    kinds = {d.kind for d in index.addresses.get(str(address.interface.ip), [])}
    return "standby" if "standby" in kinds else "missing" if "missing" in kinds else "held"


def _director_view(host: HostState, audited: Audited | None, index: _Index) -> DirectorView:
    this = audited is not None and audited.intent.host == host.host
    sections = audited.report.sections if this and audited else frozenset()
    vips = tuple(VipView(str(a.interface), a.device, _vip_state(a, index, "addresses" in sections))
                 for a in host.addresses if a.floating)
    own = tuple(f"{a.interface} {a.device}" for a in host.addresses if not a.floating)
    if not this or audited is None:
        verdict = NOT_AUDITED
    else:
        verdict = Verdict("in-sync") if audited.report.in_sync else Verdict("drift", (audited.report.summary,))
    return DirectorView(host.host, own or ((str(host.address),) if host.address else ()), vips, verdict)


def _row(d: Drift) -> DriftRow:
    if d.field is None:
        return DriftRow(d.kind, d.object, "", "", "")
    return DriftRow(d.kind, d.object, d.field, shown(d.expected), shown(d.observed))


def cluster(snapshot: Snapshot) -> ClusterView | None:
    """The cluster as the audited host sees it; None when the config does not compile."""
    from lvscc.lower import lower

    config, audited = snapshot.config, snapshot.audited
    if config is None or has_errors(snapshot.compiled.diagnostics):
        return None
    intent = lower(config)
    directors = [h for h in intent.hosts if h.role == "director"]
    drawn = audited.intent if audited is not None and audited.intent.role == "director" else (directors or [None])[0]
    report = audited.report if audited is not None else None
    index = _Index(report.drifts if report else ())
    ipvs_audited = drawn is not None and report is not None and audited.intent.host == drawn.host and "ipvs" in report.sections
    found = {s.key: s for s in audited.observation.state.ipvs} if audited and ipvs_audited else {}
    standby = {vip for vip, ds in index.addresses.items() if any(d.kind == "standby" for d in ds)}
    names = _names(config)
    services = tuple(
        _service_view(s, found.get(s.key), index, ipvs_audited, names, _vip(s, drawn.marks) in standby, drawn.marks)
        for s in (drawn.ipvs if drawn else ())
    )
    wanted = {s.key for s in (drawn.ipvs if drawn else ())}
    others = tuple(_other_view(s, index) for s in found.values() if s.key not in wanted)
    return ClusterView(
        config.name,
        audited.intent.host if audited else snapshot.target.host,
        report.source if report else "-",
        snapshot.time,
        report.summary if report else (snapshot.failure or ""),
        tuple(_director_view(h, audited, index) for h in directors),
        services,
        others,
        tuple(_row(d) for d in (report.drifts if report else ())),
        report.notes if report else (),
        snapshot.failure,
    )


# --- the monitoring panel -----------------------------------------------------------------


@dataclass(frozen=True)
class KernelDest:
    endpoint: str
    method: str
    weight: int
    verdict: str
    stats: DestStats | None = None


@dataclass(frozen=True)
class KernelService:
    line: str  # as `ipvsadm -Ln` heads a service
    verdict: str
    dests: tuple[KernelDest, ...]


def _ipvsadm_line(service: IpvsService) -> str:
    head = f"FWM {service.fwmark}" if service.fwmark else f"{service.protocol.value.upper() if service.protocol else '?'} {endpoint(service.address, service.port)}"
    words = [head, service.scheduler, *service.flags]
    if service.persistence is not None:
        words += ["persistent", str(service.persistence)] + (["mask", service.netmask] if service.netmask else [])
    return " ".join(words)


def kernel(snapshot: Snapshot, view: ClusterView | None) -> tuple[KernelService, ...]:
    """The host's IPVS table as read (all of it, foreign services too), with verdicts."""
    if snapshot.audited is None or view is None:
        return ()
    verdicts = {s.key: s for s in (*view.services, *view.others)}
    rows = []
    for service in snapshot.audited.observation.state.ipvs:
        seen = verdicts.get(service.key)
        dests = {d.endpoint: d.verdict.kind for d in (seen.dests if seen else ())}
        rows.append(KernelService(
            _ipvsadm_line(service), seen.verdict.kind if seen else "not-audited",
            tuple(KernelDest(endpoint(d.address, d.port), METHODS[d.method], d.weight,
                             dests.get(endpoint(d.address, d.port), "not-audited"),
                             (snapshot.stats or {}).get((service.key, d.address, d.port)))
                  for d in service.dests)))
    return tuple(rows)


def stats_note(snapshot: Snapshot) -> str:
    from lvscc.watch.state import timestamp

    if snapshot.target.dump is not None:
        return "A dump carries no connection counters or rates (ipvsadm-save has none): weights and verdicts only."
    if snapshot.stats is None or snapshot.stats_time is None:
        return "Connection counters and rates could not be read: no IPVS in this kernel, or no CAP_NET_ADMIN."
    return (f"Counters and rates as the kernel keeps them (rates per second, its 2-second estimate), read at "
            f"{timestamp(snapshot.stats_time)} and again at every IPVS poll.")
