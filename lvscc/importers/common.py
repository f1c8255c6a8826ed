"""What the three importers share: a statement tree with source spans, the diagnostic codes
(one meaning per code whatever the source format), and the naming rules that turn foreign
identifiers into lvscc names.

Codes:
  LVS500 error    the input cannot be read (bad quoting, unbalanced braces, bad syntax)
  LVS501 warning  a keyword or value has no lvscc equivalent and was not translated
  LVS502 error    a value is malformed; the statement was not translated
  LVS503 info     a name was rewritten into an lvscc name
  LVS504 warning  the input does not say something lvscc needs; an assumption was made
  LVS505 warning  settings lvscc has to merge into one service disagree; the first was kept
  LVS506 info     a keyword with no effect on the cluster (bookkeeping, defaults) was dropped
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv6Address, ip_address

from lvscc.diagnostics import Diagnostic, error, info, warning
from lvscc.model.config import IPAddress
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
