"""Rendering the backends (lvscc/backends: one package each, its declaration and templates).
Rendering is pure: an Intent (and the Config, for daemon configs) in, text out. Templates
write a value into a kernel tool's syntax only through the filters of lvscc/syntax (FILTERS),
which refuse (lvscc.syntax.Refused) what the tool could not read back as meant."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from functools import cache
from typing import Callable, Iterable, Mapping

import jinja2

from lvscc.backends import Backend, registry
from lvscc.diagnostics import Diagnostic, did_you_mean, warning
from lvscc.model.config import Config
from lvscc.model.span import Span
from lvscc.model.state import (
    Address,
    ArpRule,
    HelperRule,
    HostState,
    Intent,
    IpvsService,
    MarkRule,
    MasqueradeRule,
    Origin,
    RedirectRule,
    Route,
    Sysctl,
    TunnelDevice,
    rule_comment,
)
from lvscc.progress import SILENT, Progress
from lvscc.syntax import arptables, iproute, iptables, ipvsadm, nft, shell, sysctl

LAYOUTS = ("flat", "rhel", "debian")


@dataclass(frozen=True)
class Artifact:
    host: str
    backend: str
    path: str  # relative to the output directory, '/'-separated
    content: str
    mode: int = 0o644


FILTERS: dict[str, Callable] = {
    "sh": shell.quote,
    "comment": shell.comment,
    "json": lambda v: json.dumps(v),
    "rule_comment": rule_comment,
    "module": shell.module,
    "device": iproute.device,
    "label": iproute.label,
    "nft_str": nft.string,
    "nft_id": nft.identifier,
    "ipvsadm_timeouts": lambda t: ipvsadm.timeouts_line(t.tcp, t.tcpfin, t.udp),
    "arp_chain": arptables.chain,
    "arptables_specs": arptables.specs,
    "iptables_port": iptables.port,
    "iptables_port_matches": iptables.port_matches,
    "sysctl_key": sysctl.key,
    "sysctl_value": sysctl.value,
}


@cache
def _templates(name: str) -> dict[str, jinja2.Template]:
    """A backend's templates by output file, compiled once per run: a compile renders them
    for every host, and the templates do not change under a running lvscc (no reload check,
    which would stat the template file on every render)."""
    backend = registry()[name]
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(backend.directory)),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
        auto_reload=False,
    )
    env.filters.update(FILTERS)
    env.filters.update(backend.filters)
    templates = {file: env.get_template(template) for file, template in backend.files.items()}
    for template in templates.values():
        # A plain dict of the (unchanging) globals: Jinja copies them into every render's
        # context, and copying its ChainMap was a sixth of a small template's render.
        template.globals = dict(template.globals)
    return templates


def output_path(backend: Backend, host: HostState, file: str, layout: str) -> str:
    placed = backend.layouts.get(layout, {}).get(file) if layout != "flat" else None
    return f"{host.host}/{placed or file}"


class BackendChoiceError(ValueError):
    """A --backend list that names no backend set lvscc can write."""


def _named(name: str, known: Mapping[str, Backend]) -> list[str]:
    if name in ("default", "all"):
        return [b.name for b in known.values() if b.default or name == "all"]
    if name not in known:
        close = did_you_mean(name, [*known, "default", "all"])
        hint = f" ({close})" if close else ""
        raise BackendChoiceError(f"unknown backend {name}{hint}; backends: default, all, {', '.join(known)}")
    return [name]


def select(names: list[str] | None) -> list[Backend]:
    """The backends `--backend` names, in order: a name or a set (`default`, `all`) adds to the
    choice, `+NAME` adds to the default set, `-NAME` takes out. A backend that yields to a chosen
    one is left out of a set, and is an error when named beside it."""
    known = registry()
    words = names or ["default"]
    chosen: list[str] = _named("default", known) if words[0][:1] in "+-" else []
    for word in words:
        sign, name = (word[0], word[1:]) if word[:1] in "+-" else ("", word)
        picked = _named(name, known)
        chosen = [n for n in chosen if n not in picked] if sign == "-" else chosen + picked
    chosen = list(dict.fromkeys(chosen))
    for name in chosen:
        owners = [o for o in known[name].yields_to if o in chosen]
        if owners and any(w.lstrip("+") == name for w in words):
            raise BackendChoiceError(f"{name} and {owners[0]} would both own the VIPs; choose one")
    return [known[n] for n in chosen if not any(o in chosen for o in known[n].yields_to)]


def render(config: Config, intent: Intent, backends: list[Backend], layout: str = "flat",
           progress: Progress = SILENT) -> list[Artifact]:
    artifacts = []
    progress.phase("rendering", len(intent.hosts))
    templates = {b.name: _templates(b.name) for b in backends}
    for host in intent.hosts:
        progress.advance()
        chosen = [b for b in backends if host.role in b.roles and b.wants(host)]
        # Every file this host gets, by name: where it lands relative to the host's tree.
        files = {file: output_path(b, host, file, layout).split("/", 1)[1] for b in chosen for file in b.files}
        for backend in chosen:
            for file, template in templates[backend.name].items():
                text = template.render(config=config, intent=intent, host=host, layout=layout, files=files)
                artifacts.append(Artifact(host.host, backend.name, output_path(backend, host, file, layout), text,
                                          backend.modes.get(file, 0o644)))
    return artifacts


# --- coverage: every declared statement lands in a file some host loads --------------------

NOT_CARRIED = "LVS360"
# Past this many statements missing the same thing, one warning at the first stands for them
# all: a 5000-service cluster compiled for one backend would otherwise print 100,000 alike
# warnings, half of such a compile's time, and bury every other finding.
ALIKE = 10


@dataclass(frozen=True)
class Need:
    """One declared thing a host must get, the backend kinds that would carry it, and where it
    was declared."""

    kinds: tuple[str, ...]
    what: str
    origin: Origin


def _kinds(obj: object) -> tuple[tuple[str, ...], str] | None:
    match obj:
        case IpvsService():
            return ("ipvs",), "the IPVS service"
        case MarkRule():
            return (f"netfilter{obj.destination.version}",), f"firewall mark {obj.fwmark}"
        case MasqueradeRule():
            return (f"netfilter{obj.source.version}",), "the MASQUERADE rule"
        case HelperRule():
            return (f"netfilter{obj.destination.version}",), f"the {obj.helper} conntrack helper"
        case RedirectRule():
            return (f"netfilter{obj.destination.version}", "redirect"), "the REDIRECT rule"
        case ArpRule():
            return ("arp",), "the ARP rules"
        case Sysctl():
            return ("sysctls",), f"sysctl {obj.key}"
        case Address():
            return ("addresses",), f"address {obj.interface.ip}"
        case Route():
            return ("routes",), "the route back through the NAT gateway"
        case TunnelDevice():
            return ("tunnels",), f"tunnel device {obj.name}"
    return None


def _host_needs(host: HostState) -> list[Need]:
    found = []
    for obj in (*host.ipvs, *host.marks, *host.masquerades, *host.helpers, *host.redirects, *host.arp,
                *host.sysctls, *host.addresses, *host.routes, *host.tunnels):
        kinds = _kinds(obj)
        origin = getattr(obj, "origin", None)
        if kinds is not None and origin is not None:
            found.append(Need(kinds[0], kinds[1], origin))
    if host.sync is not None and host.sync.origin is not None:
        found.append(Need(("sync",), "the sync daemon", host.sync.origin))
    return found


def _daemon_needs(config: Config) -> list[Need]:
    """What only a failover daemon does: health checks and what hangs on them."""
    found = []
    if config.heartbeat is not None:
        found.append(Need(("heartbeat",), "the heartbeat", Origin(config.heartbeat.span.file, config.heartbeat.span.line, "heartbeat")))
    for service in config.services:
        if not service.active:
            continue
        where = Origin(service.span.file, service.span.line, f"service {service.name}")
        if service.check is not None:
            found.append(Need(("check",), "the health check", Origin(service.check.span.file, service.check.span.line, f"check of service {service.name}")))
        if service.sorry_server is not None:
            found.append(Need(("sorry-server",), "the sorry server", where))
        if service.quiesce:
            found.append(Need(("quiesce",), "quiesce", where))
    return found


def _statement_spans(config: Config) -> dict[tuple[str, int], Span]:
    """The IR's spans by line, so a warning about a lowered object underlines its statement."""
    spans = [config.forwarding.span, *(span for _, _, span in config.ipvs_sysctls)]
    spans += [x.span for x in (config.sync_daemon, config.heartbeat) if x is not None]
    for service in config.services:
        spans += [service.span, service.forwarding.span, *service.spans.values(), *(r.span for r in service.servers)]
        spans += [service.check.span] if service.check is not None else []
    return {(span.file, span.line): span for span in reversed(spans)}


def _carriers(backends: Iterable[Backend], role: str, kinds: tuple[str, ...]) -> list[str]:
    return [b.name for b in backends if role in b.roles and not b.carries.isdisjoint(kinds)]


def coverage(config: Config, intent: Intent, chosen: list[Backend]) -> list[Diagnostic]:
    """A warning for each statement some host needs that no chosen backend writes, naming the
    backends that would."""
    missing: dict[Origin, tuple[list[str], set[str]]] = {}
    spans = _statement_spans(config)
    # Whether a chosen backend carries a need, and which would, depend on the host's role and
    # the need's kinds only: decided once each, not once per real server.
    carried = cache(lambda role, kinds: bool(_carriers(chosen, role, kinds)))
    would = cache(lambda role, kinds: _carriers(registry().values(), role, kinds))
    for host in intent.hosts:
        needs = _host_needs(host) + (_daemon_needs(config) if host.role == "director" else [])
        for need in needs:
            if carried(host.role, need.kinds):
                continue
            whats, carriers = missing.setdefault(need.origin, ([], set()))
            if need.what not in whats:
                whats.append(need.what)
            carriers.update(would(host.role, need.kinds))
    ordered = sorted(missing.items(), key=lambda item: (item[0].file, item[0].line))
    alike = Counter((tuple(whats), frozenset(carriers)) for _, (whats, carriers) in ordered)
    found, said = [], set()
    for origin, (whats, carriers) in ordered:
        key = (tuple(whats), frozenset(carriers))
        subject = origin.what
        if alike[key] > ALIKE:
            if key in said:
                continue
            said.add(key)
            subject += f" and {alike[key] - 1} more statements like it"
        found.append(warning(
            NOT_CARRIED,
            f"{subject}: {', '.join(whats)} {'is' if len(whats) == 1 else 'are'} written by no chosen backend",
            spans.get((origin.file, origin.line), Span(origin.file, origin.line, 1, origin.line, 1)),
            f"add {' or '.join(f'`--backend +{name}`' for name in sorted(carriers))}" if carriers else None,
        ))
    return found
