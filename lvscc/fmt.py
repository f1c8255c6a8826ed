"""Config -> canonical .lvs text (docs/language.md).

One statement per line, two-space indent, blocks in a fixed order. Made from a Config alone
(what `import` prints), durations are in seconds (`300s`: what ipvsadm and the lvs.cf files
say) and values equal to the language's documented default are left out, except the
scheduler, which is always written because keepalived, ldirectord and ipvsadm disagree on it.

Given the source the Config was read from (what `lvscc fmt` does), the layout changes but the
words do not, like gofmt: a duration keeps its unit (`30m`), a value the operator wrote stays
even when it is the default (`weight 1`, `arp sysctl`), and a comment at the end of a line
stays at the end of that statement's line. The output parses back to an equal Config, and
formatting is idempotent."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Iterator, Mapping

from lvscc.model.config import (
    AuditPolicy,
    Config,
    DEFAULT_CHECK_REENTRY,
    DEFAULT_CHECK_TIMEOUT,
    DEFAULT_HEARTBEAT_DEAD_AFTER,
    DEFAULT_HEARTBEAT_INTERVAL,
    DEFAULT_HEARTBEAT_PORT,
    DEFAULT_PERSISTENCE,
    DEFAULT_WEIGHT,
    Director,
    Forwarding,
    HealthCheck,
    IPInterface,
    Method,
    Pool,
    RealServer,
    TunnelType,
    VirtualService,
)
from lvscc.model.span import NOWHERE, Span

from lvscc.syntax.ipvsadm import endpoint
from lvscc.syntax.lvs import device, name, quote

INDENT = "  "


def seconds(value: int) -> str:
    return f"{value}s"


_DURATION_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}  # the language's (lvscc.builder.values)
_STRING = re.compile(r'"(?:\\.|[^"\\])*"')
_IPVS_HEAD = re.compile(r"(?<![\w-])ipvs(?![\w-])")


@dataclass(frozen=True)
class Written:
    """What the operator wrote, to keep their words: the source's lines with string literals
    blanked (a keyword inside a string is not a keyword). Empty: print the canonical form."""

    file: str = ""
    lines: tuple[str, ...] = ()

    @classmethod
    def of(cls, source: str | None, file: str) -> Written:
        if source is None:
            return cls()
        blank = (_STRING.sub(lambda m: '"' + " " * (len(m.group()) - 2) + '"', line) for line in source.splitlines())
        return cls(file, tuple(blank))

    def text(self, span: Span) -> str:
        """The statement at `span` as written (strings blanked); "" for one not in this source."""
        if span.file != self.file or not span.line or span.end_line > len(self.lines):
            return ""
        lines = self.lines[span.line - 1: span.end_line]
        end = sum(len(line) + 1 for line in lines[:-1]) + span.end_column - 1
        return "\n".join(lines)[span.column - 1: end]

    def spans(self, span: Span) -> bool:
        """Whether `span` is a statement of this source (not a default, not another file)."""
        return bool(self.text(span))

    def says(self, span: Span, keyword: str) -> bool:
        """Whether the statement at `span` spells out `keyword`."""
        return re.search(rf"(?<![\w-]){re.escape(keyword)}(?![\w-])", self.text(span)) is not None

    def keyed(self, spans: Mapping[str, Span], key: str) -> bool:
        """Whether an option recorded in a node's `spans` was written in this source."""
        return key in spans and self.spans(spans[key])

    def duration(self, span: Span, keyword: str, value: int) -> str:
        """`value` as written after `keyword` in the statement at `span` (`30m`), else in seconds."""
        found = re.search(rf"(?<![\w-]){re.escape(keyword)}\s+(\d+)([smhd])\b", self.text(span))
        if found and len(found[1]) <= 20 and int(found[1]) * _DURATION_UNITS[found[2]] == value:
            return found[1] + found[2]
        return seconds(value)


def _block(head: str, body: list[str]) -> list[str]:
    return [f"{head} {{", *(INDENT + line for line in body), "}"] if body else [f"{head} {{}}"]


def _dev(dev: str | None) -> str:
    return f" dev {device(dev)}" if dev else ""


def _director(d: Director) -> list[str]:
    body = []
    for side, address, dev in (("public", d.public, d.public_dev), ("private", d.private, d.private_dev)):
        if address is not None or dev:
            body.append(f"{side} {address or 'external'}{_dev(dev)}")
    return _block(f"director {d.role}", body)


def _heartbeat(config: Config, w: Written) -> list[str]:
    hb = config.heartbeat
    if hb is None:
        return []
    body = [
        f"port {hb.port}" if hb.port != DEFAULT_HEARTBEAT_PORT or w.says(hb.span, "port") else "",
        f"interval {w.duration(hb.span, 'interval', hb.interval)}"
        if hb.interval != DEFAULT_HEARTBEAT_INTERVAL or w.says(hb.span, "interval") else "",
        f"dead-after {w.duration(hb.span, 'dead-after', hb.dead_after)}"
        if hb.dead_after != DEFAULT_HEARTBEAT_DEAD_AFTER or w.says(hb.span, "dead-after") else "",
        "monitor-links" if hb.monitor_links else "",
    ]
    return _block("heartbeat", [line for line in body if line])


def _sync_daemon(config: Config, w: Written) -> list[str]:
    sd = config.sync_daemon
    if sd is None:
        return []
    return _block("sync-daemon", [f"interface {device(sd.interface)}", f"id {sd.sync_id}"])


def _plain(forwarding: Forwarding) -> Forwarding:
    return replace(forwarding, span=NOWHERE)


def _forwarding(fwd: Forwarding, w: Written) -> list[str]:
    body: list[str] = []
    if fwd.method is Method.NAT:
        if fwd.gateway is not None or fwd.gateway_external:
            body.append(f"gateway {fwd.gateway or 'external'}{_dev(fwd.gateway_dev)}")
        if fwd.masquerade:
            body.append("masquerade " + ", ".join(str(n) for n in fwd.masquerade))
    elif fwd.method is Method.DIRECT:
        if fwd.arp is not Forwarding().arp or w.says(fwd.span, "arp"):
            body.append(f"arp {fwd.arp}")
    elif fwd.tunnel is not None:
        if fwd.tunnel.type is not TunnelType.IPIP or w.says(fwd.span, "type"):
            body.append(f"type {fwd.tunnel.type}")
        if fwd.tunnel.port is not None:
            body.append(f"port {fwd.tunnel.port}")
        if fwd.tunnel.csum:
            body.append(fwd.tunnel.csum)
    head = f"forwarding {fwd.method}"
    return _block(head, body) if body else [head]


def _cluster_forwarding(config: Config, w: Written) -> list[str]:
    default = _plain(config.forwarding) == _plain(Forwarding()) and not w.spans(config.forwarding.span)
    return [] if default else _forwarding(config.forwarding, w)


def _timeouts(config: Config, w: Written) -> list[str]:
    t = config.timeouts
    if t is None:
        return []
    pairs = (("tcp", t.tcp), ("tcpfin", t.tcpfin), ("udp", t.udp))
    return _block("timeouts", [f"{k} {w.duration(t.span, k, v)}" for k, v in pairs if v is not None])


def _ipvs(config: Config, w: Written) -> list[str]:
    if not config.ipvs_sysctls:
        return []
    return _block("ipvs", [f"{name(key)} {' '.join(map(str, values))}" for key, values, _ in config.ipvs_sysctls])


def _audit(config: Config, w: Written) -> list[str]:
    a = config.audit
    default = AuditPolicy()
    body = [
        f"weight {a.weight}" if a.weight is not default.weight else "",
        "own " + ", ".join(str(n) for n in a.scope) if a.scope else "",
        f"fwmarks {a.fwmarks.first}-{a.fwmarks.last}" if a.fwmarks else "",
        f"nft-table {name(a.nft_table)}" if a.nft_table != default.nft_table else "",
    ]
    body = [line for line in body if line]
    return _block("audit", body) if body else []


def _server(rs: RealServer, service: VirtualService | None, w: Written) -> str:
    words = ["server", name(rs.name), str(rs.address)]
    default_port = service.port if service is not None else None
    if rs.port is not None and (rs.port != default_port or w.keyed(rs.spans, "port")):
        words += ["port", str(rs.port)]
    if rs.weight != DEFAULT_WEIGHT or w.keyed(rs.spans, "weight"):
        words += ["weight", str(rs.weight)]
    if rs.upper:
        words += ["upper", str(rs.upper)]
    if rs.lower:
        words += ["lower", str(rs.lower)]
    if not rs.active:
        words.append("inactive")
    if rs.method is not None and (service is None or rs.method is not service.forwarding.method
                                  or w.keyed(rs.spans, "method")):
        words.append(str(rs.method))
    return " ".join(words)


def _pool(pool: Pool, w: Written) -> list[str]:
    return _block(f"pool {name(pool.name)}", [_server(rs, None, w) for rs in pool.servers])


def _check(check: HealthCheck, w: Written) -> list[str]:
    body = [
        f"send {quote(check.send)}" if check.send is not None else "",
        f"expect {quote(check.expect)}" if check.expect is not None else "",
        "regex" if check.regex else "",
        f"send-program {quote(check.send_program)}" if check.send_program is not None else "",
        f"timeout {w.duration(check.span, 'timeout', check.timeout)}"
        if check.timeout != DEFAULT_CHECK_TIMEOUT or w.says(check.span, "timeout") else "",
        f"reentry {w.duration(check.span, 'reentry', check.reentry)}"
        if check.reentry != DEFAULT_CHECK_REENTRY or w.says(check.span, "reentry") else "",
        f"load-monitor {name(check.load_monitor)}" if check.load_monitor != "none" else "",
        f"port {check.port}" if check.port is not None else "",
    ]
    return _block("check", [line for line in body if line])


def _listen(svc: VirtualService) -> list[str]:
    if svc.ftp is not None:
        return [f"ftp passive {svc.ftp.passive}" if svc.ftp.passive else "ftp"]
    if svc.fwmark is not None and svc.marks_external:
        return [f"fwmark {svc.fwmark} external"]
    if svc.fwmark is not None:
        marks = [f"{m.protocol} " + ", ".join(str(p) for p in m.ports) for m in svc.mark_ports]
        return _block(f"fwmark {svc.fwmark}", marks)
    if svc.protocol is not None and svc.port is not None:
        return [f"{svc.protocol} {svc.port}"]
    return []


def _persistence(svc: VirtualService, w: Written) -> list[str]:
    if svc.persistence is None:
        return []
    span = svc.spans.get("persistence", NOWHERE)
    bare = svc.persistence == DEFAULT_PERSISTENCE and w.spans(span) and not re.match(r"persistence\s+\d", w.text(span))
    line = "persistence" if bare else f"persistence {w.duration(span, 'persistence', svc.persistence)}"
    if isinstance(svc.persistence_mask, int):
        line += f" prefix {svc.persistence_mask}"
    elif svc.persistence_mask is not None:
        line += f" netmask {svc.persistence_mask}"
    return [line]


def _vip(vip: IPInterface, span: Span, w: Written) -> str:
    """The VIP with its prefix, unless the operator left out the prefix of a single address."""
    single = vip.network.prefixlen == vip.max_prefixlen
    return str(vip.ip) if single and w.spans(span) and "/" not in w.text(span) else str(vip)


def _pooled(svc: VirtualService, pools: dict[str, Pool]) -> list[str]:
    """Pools whose every server this service lists, in first-use order: `servers NAME`."""
    names: list[str] = []
    for rs in svc.servers:
        if rs.pool is not None and rs.pool in pools and rs.pool not in names:
            names.append(rs.pool)
    listed = {(rs.pool, rs.name) for rs in svc.servers}
    return [n for n in names if all((n, rs.name) in listed for rs in pools[n].servers)]


def _servers(svc: VirtualService, pools: dict[str, Pool], w: Written) -> list[str]:
    pooled = _pooled(svc, pools)
    lines = ["servers " + ", ".join(map(name, pooled))] if pooled else []
    return lines + [_server(rs, svc, w) for rs in svc.servers if rs.pool not in pooled]


def _service(svc: VirtualService, config: Config, pools: dict[str, Pool], w: Written) -> list[str]:
    body: list[str] = []
    if svc.vip is not None:
        body.append(f"vip {_vip(svc.vip, svc.spans.get('vip', NOWHERE), w)}{_dev(svc.vip_dev)}")
    body += _listen(svc)
    body.append(" ".join(["scheduler", *map(name, (svc.scheduler, *svc.sched_flags))]))
    body += _persistence(svc, w)
    if svc.persistence_engine:
        body.append(f"persistence-engine {name(svc.persistence_engine)}")
    if svc.one_packet:
        body.append("one-packet")
    if _plain(svc.forwarding) != _plain(config.forwarding) or w.keyed(svc.spans, "forwarding"):
        body += _forwarding(svc.forwarding, w)
    if svc.check is not None:
        body += _check(svc.check, w)
    if svc.quiesce:
        body.append("quiesce")
    if svc.sorry_server is not None:
        at = svc.sorry_server if svc.sorry_port is None else endpoint(svc.sorry_server, svc.sorry_port)
        body.append(f"sorry-server {at}" + (" inhibit" if svc.sorry_inhibit else ""))
    if not svc.active:
        body.append("disabled")
    body += _servers(svc, pools, w)
    return _block(f"service {name(svc.name)}", body)


@dataclass(frozen=True)
class _Item:
    """One top-level statement as written out, with where it came from (for comments)."""

    lines: list[str]
    span: Span
    group: str  # items of one group are not separated by blank lines


def _items(config: Config, w: Written) -> Iterator[_Item]:
    pools = {p.name: p for p in config.pools}
    for d in sorted(config.directors, key=lambda d: d.role != "primary"):
        yield _Item(_director(d), d.span, "head")
    heads = (
        (_heartbeat, config.heartbeat), (_sync_daemon, config.sync_daemon), (_cluster_forwarding, config.forwarding),
        (_timeouts, config.timeouts), (_ipvs, None), (_audit, config.audit),
    )
    for render, node in heads:
        lines = render(config, w)
        if lines:
            span = node.span if node is not None else _ipvs_span(config, w)
            yield _Item(lines, span, "head")
    if config.untranslated:
        lines = ["# not translated by the import: write each by hand, then delete its line"]
        yield _Item(lines + [f"untranslated {quote(text)}" for text, _ in config.untranslated],
                    config.untranslated[0][1], "untranslated")
    for pool in config.pools:
        yield _Item(_pool(pool, w), pool.span, f"pool {pool.name}")
    for svc in config.services:
        yield _Item(_service(svc, config, pools, w), svc.span, f"service {svc.name}")


def _ipvs_span(config: Config, w: Written) -> Span:
    """From the `ipvs` head of the first block to the last sysctl (a config with sysctls): the
    Config keeps only each sysctl's span, and a comment between `ipvs {` and its first sysctl
    is inside the block."""
    spans = [span for _, _, span in config.ipvs_sysctls]
    first, head = spans[0], spans[0].line
    if w.spans(first):
        head = next(n for n in range(head, 0, -1) if _IPVS_HEAD.search(w.lines[n - 1].split("#")[0]))
    return replace(first, line=head, end_line=spans[-1].end_line)


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


def _at_end_of_its_line(item: _Item, code: str, comment: str) -> bool:
    """Append `comment` to the item's line that prints the statement it was written after:
    the line that reads `code`, else the one line that starts with the same two words
    (`server web1 ...` with its options reordered, `check {` of a one-line block)."""
    wanted = code.split()
    lines = [line.split() for line in item.lines]
    matches = [i for i, words in enumerate(lines) if wanted and words == wanted]
    if not matches and len(wanted) >= 2:
        matches = [i for i, words in enumerate(lines) if words[:2] == wanted[:2]]
        matches = matches if len(matches) == 1 else []
    if matches:
        item.lines[matches[0]] += f"  {comment}"
    return bool(matches)


def _place_comments(items: list[_Item], comments: list[tuple[int, str]], file: str, source: list[str]) -> list[str]:
    """Attach each comment to the statement it precedes or sits inside (source order), so a
    statement that fmt moves takes its comments along; a comment after a statement on its
    line stays there. Returns the comments left at the end."""
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
        elif not _at_end_of_its_line(owner, source[line - 1].rstrip()[: -len(text)], text):
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
    """Canonical text of `config`; given the `source` it was read from, the operator's words
    and comments are kept (see the module's docstring)."""
    comments = source_comments(source) if source is not None else []
    header = [text for line, text in comments if line < config.span.line]
    items = list(_items(config, Written.of(source, config.span.file)))
    trailing = _place_comments(items, [c for c in comments if c[0] >= config.span.line], config.span.file,
                               source.splitlines() if source is not None else [])
    body: list[str] = []
    previous = None
    for item in items:
        if body and (item.group != previous or item.group != "head"):
            body.append("")
        body += item.lines
        previous = item.group
    body += trailing
    lines = header + _block(f"lvs {name(config.name)}", body)
    return "\n".join(line.rstrip() for line in lines) + "\n"
