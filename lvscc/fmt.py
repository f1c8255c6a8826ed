"""Config -> canonical .lvs text (docs/language.md).

One statement per line, two-space indent, blocks in a fixed order, durations always in
seconds (`300s`: what ipvsadm and the lvs.cf files say, so a reader compares numbers without
converting units). Values equal to the language's documented default are left out, except
the scheduler, which is always written because keepalived, ldirectord and ipvsadm disagree on
it. The output parses back to an equal Config, and formatting is idempotent."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Iterator

from lvscc.model.config import (
    AuditPolicy,
    Config,
    DEFAULT_CHECK_REENTRY,
    DEFAULT_CHECK_TIMEOUT,
    DEFAULT_HEARTBEAT_DEAD_AFTER,
    DEFAULT_HEARTBEAT_INTERVAL,
    DEFAULT_HEARTBEAT_PORT,
    DEFAULT_WEIGHT,
    Director,
    Forwarding,
    HealthCheck,
    Method,
    Pool,
    RealServer,
    TunnelType,
    VirtualService,
)
from lvscc.audit import endpoint
from lvscc.model.span import NOWHERE, Span

INDENT = "  "
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def quote(text: str) -> str:
    """A .lvs string literal: the language's five escapes, everything else verbatim."""
    return '"' + "".join(_ESCAPES.get(c, c) for c in text) + '"'


def seconds(value: int) -> str:
    return f"{value}s"


def _block(head: str, body: list[str]) -> list[str]:
    return [f"{head} {{", *(INDENT + line for line in body), "}"] if body else [f"{head} {{}}"]


def _dev(dev: str | None) -> str:
    return f" dev {dev}" if dev else ""


def _director(d: Director) -> list[str]:
    body = []
    if d.public is not None:
        body.append(f"public {d.public}{_dev(d.public_dev)}")
    if d.private is not None:
        body.append(f"private {d.private}{_dev(d.private_dev)}")
    return _block(f"director {d.role}", body)


def _heartbeat(config: Config) -> list[str]:
    hb = config.heartbeat
    if hb is None:
        return []
    body = [
        f"port {hb.port}" if hb.port != DEFAULT_HEARTBEAT_PORT else "",
        f"interval {seconds(hb.interval)}" if hb.interval != DEFAULT_HEARTBEAT_INTERVAL else "",
        f"dead-after {seconds(hb.dead_after)}" if hb.dead_after != DEFAULT_HEARTBEAT_DEAD_AFTER else "",
        "monitor-links" if hb.monitor_links else "",
    ]
    return _block("heartbeat", [line for line in body if line])


def _sync_daemon(config: Config) -> list[str]:
    sd = config.sync_daemon
    if sd is None:
        return []
    return _block("sync-daemon", [f"interface {sd.interface}", f"id {sd.sync_id}"])


def _plain(forwarding: Forwarding) -> Forwarding:
    return replace(forwarding, span=NOWHERE)


def _forwarding(fwd: Forwarding) -> list[str]:
    body: list[str] = []
    if fwd.method is Method.NAT:
        if fwd.gateway is not None:
            body.append(f"gateway {fwd.gateway}{_dev(fwd.gateway_dev)}")
        if fwd.masquerade:
            body.append("masquerade " + ", ".join(str(n) for n in fwd.masquerade))
    elif fwd.method is Method.DIRECT:
        if fwd.arp is not Forwarding().arp:
            body.append(f"arp {fwd.arp}")
    elif fwd.tunnel is not None:
        if fwd.tunnel.type is not TunnelType.IPIP:
            body.append(f"type {fwd.tunnel.type}")
        if fwd.tunnel.port is not None:
            body.append(f"port {fwd.tunnel.port}")
        if fwd.tunnel.csum:
            body.append(fwd.tunnel.csum)
    head = f"forwarding {fwd.method}"
    return _block(head, body) if body else [head]


def _cluster_forwarding(config: Config) -> list[str]:
    return [] if _plain(config.forwarding) == _plain(Forwarding()) else _forwarding(config.forwarding)


def _timeouts(config: Config) -> list[str]:
    t = config.timeouts
    if t is None:
        return []
    pairs = (("tcp", t.tcp), ("tcpfin", t.tcpfin), ("udp", t.udp))
    return _block("timeouts", [f"{k} {seconds(v)}" for k, v in pairs if v is not None])


def _ipvs(config: Config) -> list[str]:
    if not config.ipvs_sysctls:
        return []
    return _block("ipvs", [f"{name} {' '.join(map(str, values))}" for name, values, _ in config.ipvs_sysctls])


def _audit(config: Config) -> list[str]:
    a = config.audit
    default = AuditPolicy()
    body = [
        f"weight {a.weight}" if a.weight is not default.weight else "",
        "own " + ", ".join(str(n) for n in a.scope) if a.scope else "",
        f"fwmarks {a.fwmarks.first}-{a.fwmarks.last}" if a.fwmarks else "",
        f"nft-table {a.nft_table}" if a.nft_table != default.nft_table else "",
    ]
    body = [line for line in body if line]
    return _block("audit", body) if body else []


def _server(rs: RealServer, service: VirtualService | None) -> str:
    words = ["server", rs.name, str(rs.address)]
    default_port = service.port if service is not None else None
    if rs.port is not None and rs.port != default_port:
        words += ["port", str(rs.port)]
    if rs.weight != DEFAULT_WEIGHT:
        words += ["weight", str(rs.weight)]
    if rs.upper:
        words += ["upper", str(rs.upper)]
    if rs.lower:
        words += ["lower", str(rs.lower)]
    if not rs.active:
        words.append("inactive")
    if rs.method is not None and (service is None or rs.method is not service.forwarding.method):
        words.append(str(rs.method))
    return " ".join(words)


def _pool(pool: Pool) -> list[str]:
    return _block(f"pool {pool.name}", [_server(rs, None) for rs in pool.servers])


def _check(check: HealthCheck) -> list[str]:
    body = [
        f"send {quote(check.send)}" if check.send is not None else "",
        f"expect {quote(check.expect)}" if check.expect is not None else "",
        "regex" if check.regex else "",
        f"send-program {quote(check.send_program)}" if check.send_program is not None else "",
        f"timeout {seconds(check.timeout)}" if check.timeout != DEFAULT_CHECK_TIMEOUT else "",
        f"reentry {seconds(check.reentry)}" if check.reentry != DEFAULT_CHECK_REENTRY else "",
        f"load-monitor {check.load_monitor}" if check.load_monitor != "none" else "",
        f"port {check.port}" if check.port is not None else "",
    ]
    return _block("check", [line for line in body if line])


def _listen(svc: VirtualService) -> list[str]:
    if svc.ftp is not None:
        return [f"ftp passive {svc.ftp.passive}" if svc.ftp.passive else "ftp"]
    if svc.fwmark is not None:
        marks = [f"{m.protocol} " + ", ".join(str(p) for p in m.ports) for m in svc.mark_ports]
        return _block(f"fwmark {svc.fwmark}", marks)
    if svc.protocol is not None and svc.port is not None:
        return [f"{svc.protocol} {svc.port}"]
    return []


def _persistence(svc: VirtualService) -> list[str]:
    if svc.persistence is None:
        return []
    line = f"persistence {seconds(svc.persistence)}"
    if isinstance(svc.persistence_mask, int):
        line += f" prefix {svc.persistence_mask}"
    elif svc.persistence_mask is not None:
        line += f" netmask {svc.persistence_mask}"
    return [line]


def _pooled(svc: VirtualService, pools: dict[str, Pool]) -> list[str]:
    """Pools whose every server this service lists, in first-use order: `servers NAME`."""
    names: list[str] = []
    for rs in svc.servers:
        if rs.pool is not None and rs.pool in pools and rs.pool not in names:
            names.append(rs.pool)
    listed = {(rs.pool, rs.name) for rs in svc.servers}
    return [n for n in names if all((n, rs.name) in listed for rs in pools[n].servers)]


def _servers(svc: VirtualService, pools: dict[str, Pool]) -> list[str]:
    pooled = _pooled(svc, pools)
    lines = ["servers " + ", ".join(pooled)] if pooled else []
    return lines + [_server(rs, svc) for rs in svc.servers if rs.pool not in pooled]


def _service(svc: VirtualService, config: Config, pools: dict[str, Pool]) -> list[str]:
    body: list[str] = []
    if svc.vip is not None:
        body.append(f"vip {svc.vip}{_dev(svc.vip_dev)}")
    body += _listen(svc)
    body.append(" ".join(["scheduler", svc.scheduler, *svc.sched_flags]))
    body += _persistence(svc)
    if svc.persistence_engine:
        body.append(f"persistence-engine {svc.persistence_engine}")
    if svc.one_packet:
        body.append("one-packet")
    if _plain(svc.forwarding) != _plain(config.forwarding):
        body += _forwarding(svc.forwarding)
    if svc.check is not None:
        body += _check(svc.check)
    if svc.quiesce:
        body.append("quiesce")
    if svc.sorry_server is not None:
        at = svc.sorry_server if svc.sorry_port is None else endpoint(svc.sorry_server, svc.sorry_port)
        body.append(f"sorry-server {at}")
    if not svc.active:
        body.append("disabled")
    body += _servers(svc, pools)
    return _block(f"service {svc.name}", body)


@dataclass(frozen=True)
class _Item:
    """One top-level statement as written out, with where it came from (for comments)."""

    lines: list[str]
    span: Span
    group: str  # items of one group are not separated by blank lines


def _items(config: Config) -> Iterator[_Item]:
    pools = {p.name: p for p in config.pools}
    for d in sorted(config.directors, key=lambda d: d.role != "primary"):
        yield _Item(_director(d), d.span, "head")
    heads = (
        (_heartbeat, config.heartbeat), (_sync_daemon, config.sync_daemon), (_cluster_forwarding, config.forwarding),
        (_timeouts, config.timeouts), (_ipvs, None), (_audit, config.audit),
    )
    for render, node in heads:
        lines = render(config)
        if lines:
            span = node.span if node is not None else _ipvs_span(config)
            yield _Item(lines, span, "head")
    for pool in config.pools:
        yield _Item(_pool(pool), pool.span, f"pool {pool.name}")
    for svc in config.services:
        yield _Item(_service(svc, config, pools), svc.span, f"service {svc.name}")


def _ipvs_span(config: Config) -> Span:
    spans = [span for _, _, span in config.ipvs_sysctls]
    return replace(spans[0], end_line=spans[-1].end_line) if spans else NOWHERE


def source_comments(text: str) -> list[tuple[int, str]]:
    """(line, comment) for every `#` comment outside a string, in order."""
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        in_string, i = False, 0
        while i < len(line):
            char = line[i]
            if in_string and char == "\\":
                i += 1  # the escaped character cannot end the string
            elif char == '"':
                in_string = not in_string
            elif char == "#" and not in_string:
                found.append((number, line[i:].rstrip()))
                break
            i += 1
    return found


def _place_comments(items: list[_Item], comments: list[tuple[int, str]], file: str) -> list[str]:
    """Attach each comment to the statement it precedes or sits inside (source order), so a
    statement that fmt moves takes its comments along. Returns the comments left at the end."""
    placed = sorted((i for i in items if i.span.file == file and i.span.line), key=lambda i: i.span.line)
    before: dict[int, list[str]] = {}
    inside: dict[int, list[str]] = {}
    trailing: list[str] = []
    for line, text in comments:
        owner = next((i for i in placed if line <= i.span.end_line), None)
        if owner is None:
            trailing.append(text)
        elif line < owner.span.line:
            before.setdefault(id(owner), []).append(text)
        else:
            inside.setdefault(id(owner), []).append(text)
    for item in items:
        inner = inside.get(id(item), [])
        if len(item.lines) > 1:
            item.lines[1:1] = [INDENT + c for c in inner]
        else:
            before.setdefault(id(item), []).extend(inner)
        item.lines[0:0] = before.get(id(item), [])
    return trailing


def format_config(config: Config, source: str | None = None) -> str:
    """Canonical text of `config`; given the `source` it was read from, its comments are kept
    next to the statements they were written with."""
    comments = source_comments(source) if source is not None else []
    header = [text for line, text in comments if line < config.span.line]
    items = list(_items(config))
    trailing = _place_comments(items, [c for c in comments if c[0] >= config.span.line], config.span.file)
    body: list[str] = []
    previous = None
    for item in items:
        if body and (item.group != previous or item.group != "head"):
            body.append("")
        body += item.lines
        previous = item.group
    body += trailing
    lines = header + _block(f"lvs {config.name}", body)
    return "\n".join(line.rstrip() for line in lines) + "\n"
