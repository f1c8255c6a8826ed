"""What the three importers share: a statement tree with source spans, the diagnostic codes
(one meaning per code whatever the source format), the naming rules that turn foreign
identifiers into lvscc names, and the Config an import ends in.

Codes:
  LVS500 error    the input cannot be read (bad quoting, unbalanced braces, bad syntax)
  LVS501 warning  a keyword or value has no lvscc equivalent and was not translated
  LVS502 error    a value is malformed; the statement was not translated
  LVS503 info     a name was rewritten into an lvscc name
  LVS504 warning  the input does not say something lvscc needs; an assumption was made
  LVS505 warning  settings lvscc has to merge into one service disagree; the first was kept
  LVS506 info     a keyword with no effect on the cluster (bookkeeping, defaults) was dropped
  LVS507 error    a value (device, name, engine, string) cannot be one .lvs token; it was left out
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from ipaddress import IPv4Address, IPv6Address, ip_address
from pathlib import Path
from typing import Any

from lvscc.diagnostics import Diagnostic, error, info, warning
from lvscc.model.config import DEFAULT_SCHEDULER, Config, Forwarding, HealthCheck, IPAddress, Protocol, Timeouts, VirtualService
from lvscc.syntax import lvs as lvs_syntax
from lvscc.model.span import Span

NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")


@dataclass(frozen=True)
class Entry:
    """One statement of a foreign config: keyword, arguments, and a block body if it has one."""

    key: str
    args: tuple[str, ...]
    span: Span
    body: tuple[Entry, ...] | None = None


def span_at(filename: str, line: int, column: int, width: int) -> Span:
    return Span(filename, line, column, line, column + width)


def lvs_name(raw: str) -> str:
    """The nearest valid lvscc name: invalid characters become '-', a leading digit gets '_'."""
    name = re.sub(r"[^A-Za-z0-9_-]", "-", raw) or "_"
    return name if NAME.fullmatch(name) else "_" + name


class Notes:
    """Collects an importer's diagnostics; one helper per code keeps messages uniform."""

    def __init__(self) -> None:
        self.items: list[Diagnostic] = []

    def unreadable(self, span: Span, message: str) -> None:
        self.items.append(error("LVS500", message, span))

    def untranslated(self, entry: Entry, why: str) -> None:
        self.items.append(warning("LVS501", f"`{entry.key}` not translated: {why}", entry.span))

    def malformed(self, entry: Entry, why: str) -> None:
        self.items.append(error("LVS502", f"`{entry.key}`: {why}", entry.span))

    def renamed(self, span: Span, old: str, new: str) -> None:
        self.items.append(info("LVS503", f"name {old!r} is written {new!r} in lvscc", span))

    def assumed(self, span: Span, message: str, hint: str | None = None) -> None:
        self.items.append(warning("LVS504", message, span, hint))

    def conflict(self, span: Span, message: str) -> None:
        self.items.append(warning("LVS505", message, span))

    def dropped(self, entry: Entry, why: str) -> None:
        self.items.append(info("LVS506", f"`{entry.key}` dropped: {why}", entry.span))

    def name(self, raw: str, span: Span) -> str:
        new = lvs_name(raw)
        if new != raw:
            self.renamed(span, raw, new)
        return new

    def stopped(self) -> bool:
        """Whether the input could not be read (LVS500): then no Config comes of it."""
        return any(d.code == "LVS500" for d in self.items)


class Blocks:
    """The statement tree of a config whose blocks nest in braces, built as its reader meets
    statements, block openers and `}`."""

    def __init__(self, notes: Notes) -> None:
        self.notes = notes
        self.stack: list[tuple[Entry | None, list[Entry]]] = [(None, [])]

    def add(self, entry: Entry) -> None:
        self.stack[-1][1].append(entry)

    def open(self, opener: Entry) -> None:
        self.stack.append((opener, []))

    def close(self, span: Span) -> None:
        if len(self.stack) == 1:
            self.notes.unreadable(span, "`}` without an open block")
            return
        opener, body = self.stack.pop()
        assert opener is not None
        self.add(replace(opener, body=tuple(body)))

    def finish(self, named: Callable[[Entry], str]) -> tuple[Entry, ...]:
        """The top-level statements; every block still open is reported by `named(opener)`."""
        for opener, _ in self.stack[1:]:
            assert opener is not None
            self.notes.unreadable(opener.span, f"{named(opener)} is never closed")
        return tuple(self.stack[0][1])


def parse_address(text: str) -> IPAddress | None:
    try:
        return ip_address(text)
    except ValueError:
        return None


def parse_int(text: str, base: int = 10) -> int | None:
    try:
        return int(text, base)
    except ValueError:
        return None


def dashed(address: IPv4Address | IPv6Address) -> str:
    """192.0.2.10 -> 192-0-2-10, 2001:db8::1 -> 2001-db8--1: an address inside a name."""
    return str(address).replace(".", "-").replace(":", "-")


def service_name(protocol: Protocol, address: IPAddress, port: int) -> str:
    return f"svc-{protocol.value}-{dashed(address)}-{port}"


def fwmark_service_name(mark: int, version: int | None) -> str:
    return f"svc-fwmark-{mark}" + ("-6" if version == 6 else "")


def real_server_name(address: IPAddress, port: int | None, service_port: int | None) -> str:
    """rs-ADDRESS, and the server's own port where it differs from the service's."""
    return f"rs-{dashed(address)}" + (f"-{port}" if port not in (None, 0, service_port) else "")


def most_common(forwardings: list[Forwarding]) -> Forwarding:
    """The forwarding most services use (the first met on a tie): the cluster's own."""
    counts = Counter(forwardings)
    return max(counts, key=lambda f: (counts[f], -forwardings.index(f))) if forwardings else Forwarding()


def kernel_timeouts(tcp: int, tcpfin: int, udp: int) -> Timeouts | None:
    """0 leaves the kernel's value (ipvsadm --set 0); three zeros say nothing at all."""
    return Timeouts(tcp or None, tcpfin or None, udp or None) if tcp or tcpfin or udp else None


def imported(filename: str, notes: Notes, **fields: Any) -> tuple[Config, list[Diagnostic]]:
    """The Config an importer made of `filename`, named after the file, and its diagnostics in
    source order. Every word it carries has passed lvscc.syntax.lvs (see `writable`)."""
    config = Config(name=lvs_name(Path(filename).stem), files=(filename,), span=span_at(filename, 1, 1, 0),
                    **fields)
    config = writable(config, notes)
    left_out = tuple((f"{d.span.file}:{d.span.line}: {printable(d.message)}", d.span)
                     for d in sorted(notes.items, key=lambda d: d.sort_key) if d.severity.value == "error")
    return replace(config, untranslated=left_out), sorted(notes.items, key=lambda d: d.sort_key)


def printable(text: str) -> str:
    """Text that fits one .lvs string: control characters become `?`."""
    return "".join(c if c.isprintable() else "?" for c in text)


def writable(config: Config, notes: Notes) -> Config:
    """`config` with every device, name and string a .lvs token can carry; a value read from
    the foreign file that cannot be one is left out and reported (LVS507) where it was read.
    This is the importers' one gate to the .lvs text: fmt refuses what did not pass it."""
    gate = _Gate(notes)
    directors = tuple(replace(d, public_dev=gate.device(d.public_dev, d.span),
                              private_dev=gate.device(d.private_dev, d.span)) for d in config.directors)
    sync = config.sync_daemon
    if sync is not None and gate.device(sync.interface, sync.span) is None:
        sync = None
    services = tuple(gate.service(s) for s in config.services)
    return replace(config, directors=directors, sync_daemon=sync, forwarding=gate.forwarding(config.forwarding),
                   services=services)


class _Gate:
    def __init__(self, notes: Notes) -> None:
        self.notes = notes

    def refuse(self, span: Span, what: str, value: str) -> None:
        self.notes.items.append(error("LVS507", f"{what} {value!r} cannot be written in .lvs: left out", span,
                                      "the imported file holds a value lvscc's language has no token for"))

    def device(self, value: str | None, span: Span) -> str | None:
        if value is None or lvs_syntax.is_device(value):
            return value
        self.refuse(span, "device", value)
        return None

    def word(self, value: str | None, span: Span, what: str) -> str | None:
        if value is None or lvs_syntax.is_name(value):
            return value
        self.refuse(span, what, value)
        return None

    def text(self, value: str | None, span: Span, what: str) -> str | None:
        if value is None:
            return None
        try:
            lvs_syntax.quote(value)
            return value
        except lvs_syntax.LvsSyntaxError:
            self.refuse(span, what, value)
            return None

    def forwarding(self, fwd: Forwarding) -> Forwarding:
        return replace(fwd, gateway_dev=self.device(fwd.gateway_dev, fwd.span))

    def check(self, check: HealthCheck | None) -> HealthCheck | None:
        if check is None:
            return None
        return replace(check, send=self.text(check.send, check.span, "check string"),
                       expect=self.text(check.expect, check.span, "check string"),
                       send_program=self.text(check.send_program, check.span, "check program"))

    def service(self, svc: VirtualService) -> VirtualService:
        flags = tuple(f for f in svc.sched_flags if self.word(f, svc.span, "scheduler flag"))
        return replace(svc, vip_dev=self.device(svc.vip_dev, svc.span),
                       scheduler=self.word(svc.scheduler, svc.span, "scheduler") or DEFAULT_SCHEDULER,
                       sched_flags=flags,
                       persistence_engine=self.word(svc.persistence_engine, svc.span, "persistence engine"),
                       forwarding=self.forwarding(svc.forwarding), check=self.check(svc.check))
