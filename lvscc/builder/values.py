"""Values inside statements: numbers, durations, addresses, devices, strings, each checked at
its token and turned into a diagnostic when malformed.

Leaves may be lark's Token or lark-cython's (not a str subclass): anything that is not a
Tree is a token, read with str() and its position attributes."""

from __future__ import annotations

import re
import socket
from dataclasses import dataclass, field, replace
from ipaddress import IPv4Address, ip_address, ip_interface, ip_network
from typing import TYPE_CHECKING, Any, TypeVar

from lark import Token, Tree

from lvscc.diagnostics import Diagnostic, did_you_mean, error
from lvscc.model.config import IPAddress, IPInterface, IPNetwork, PortRange
from lvscc.model.span import Span
from lvscc.parse import args, node_span

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

BAD_NUMBER = "LVS010"
BAD_DURATION = "LVS011"
BAD_ADDRESS = "LVS012"
BAD_DEVICE = "LVS014"
BAD_STRING = "LVS015"
BAD_VALUE = "LVS024"  # a word outside its allowed set
BAD_RANGE = "LVS028"

UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
MAX_VALUE = 2**64
MAX_DIGITS = 20  # of a decimal: more cannot be below MAX_VALUE
DEVICE_RE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.@-]*(:[A-Za-z0-9_]+)?")
ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "\\": "\\", '"': '"'}


@dataclass(frozen=True)
class Address:
    """An ADDRESS token taken apart: the address, and what was written around it."""

    address: IPAddress
    prefix: int | None
    port: int | None
    last: IPAddress | None  # end of a range


DUPLICATE = "LVS023"  # a pool, director or single-valued statement declared twice


@dataclass
class Builder:
    file: str = ""
    diagnostics: list[Diagnostic] = field(default_factory=list)
    seen: dict[tuple[str, str], Span] = field(default_factory=dict)  # see once()

    # ---- spans and errors ---------------------------------------------------------------
    def span(self, node: Tree | Token) -> Span:
        return node_span(self.file, node)

    def tokens_span(self, first: Token, last: Token) -> Span:
        """node_span of a node whose first and last tokens are known, without walking it."""
        return Span(self.file, first.line or 0, first.column or 0, last.end_line or 0, last.end_column or 0)

    def fail(self, code: str, message: str, node: Tree | Token | Span, hint: str | None = None) -> None:
        at = node if isinstance(node, Span) else self.span(node)
        self.diagnostics.append(error(code, message, at, hint))

    def once(self, scope: str, stmt: Tree, what: str | None = None, span: Span | None = None) -> bool:
        """Single-valued statements: the second one is an error that points at the first.
        `span` is the statement's own, when the caller has already worked it out."""
        what = what or stmt.data.replace("_", "-")
        key = (scope, what)
        if key in self.seen:
            first = self.seen[key]
            self.fail(DUPLICATE, f"`{what}` given twice in {scope}", stmt, f"the first one is at line {first.line}")
            return False
        self.seen[key] = span or self.span(stmt)
        return True

    # ---- scalar values ------------------------------------------------------------------
    def integer(self, token: Token) -> int | None:
        text = str(token)
        if re.fullmatch(r"\d+|0[xX][0-9a-fA-F]+", text):
            hexadecimal = text[1:2] in ("x", "X")
            value = int(text, 16) if hexadecimal else int(text) if len(text) <= MAX_DIGITS else None
            return self.bounded(value, token, BAD_NUMBER, "no count, port, mark or weight is that large")
        unit = re.fullmatch(r"\d+([a-z]+)", text)
        hint = "a count takes no unit" if unit and unit.group(1) in UNITS else "write digits, or 0x and hex digits"
        self.fail(BAD_NUMBER, f"`{text}` is not a number", token, hint)
        return None

    def bounded(self, value: int | None, token: Token, code: str, hint: str) -> int | None:
        """`value` if it fits in 64 bits (the widest field any kernel tool takes), else a range
        error that names the token without printing all of its digits."""
        if value is not None and value < MAX_VALUE:
            return value
        text = str(token)
        shown = text if len(text) <= 24 else f"{text[:12]}…({len(text)} characters)"
        self.fail(code, f"`{shown}` is out of range", token, hint)
        return None

    def duration(self, token: Token) -> int | None:
        match = re.fullmatch(r"(\d+)([a-z]*)", str(token))
        if match and match.group(2) in UNITS:
            digits = match.group(1)
            value = int(digits) * UNITS[match.group(2)] if len(digits) <= MAX_DIGITS else None
            return self.bounded(value, token, BAD_DURATION, "durations are at most a few days, e.g. `300s`, `5m`")
        if match and not match.group(2):
            self.fail(BAD_DURATION, f"duration `{token}` has no unit", token, f"write `{token}s` for seconds")
        else:
            self.fail(BAD_DURATION, f"`{token}` is not a duration", token, "use a number and s, m, h or d: `300s`, `5m`")
        return None

    def string(self, token: Token) -> str | None:
        out, text, i = [], str(token)[1:-1], 0
        while i < len(text):
            ch = text[i]
            if ch == "\\":
                nxt = text[i + 1: i + 2]
                if nxt not in ESCAPES:
                    self.fail(BAD_STRING, f"unknown escape `\\{nxt}` in string", token, "escapes are \\n \\r \\t \\\\ \\\"")
                    return None
                out.append(ESCAPES[nxt])
                i += 2
                continue
            if not ch.isprintable():
                self.fail(BAD_STRING, "string holds a control character", token, "write it as an escape such as \\t")
                return None
            out.append(ch)
            i += 1
        return "".join(out)

    def device(self, token: Token) -> str | None:
        text = str(token)
        if len(text) > 15 or not DEVICE_RE.fullmatch(text):
            self.fail(BAD_DEVICE, f"`{text}` is not a valid device name", token,
                      "a Linux interface name has at most 15 characters, e.g. eth0 or the alias eth0:1")
            return None
        return text

    def dev(self, node: Tree) -> str | None:
        """The device of an optional `dev DEVICE` clause of a statement."""
        clauses = children(node, "dev")
        return self.device(args(clauses[0])[0]) if clauses else None

    def choice(self, token: Token, allowed: tuple[str, ...], what: str) -> str | None:
        if str(token) in allowed:
            return str(token)
        self.fail(BAD_VALUE, f"unknown {what} `{token}`", token,
                  did_you_mean(str(token), allowed) or "choose one of " + ", ".join(allowed))
        return None

    def address(self, token: Token, *, prefix: bool = False, port: bool = False, range_: bool = False) -> Address | None:
        text = str(token)
        parsed = _split_address(text)
        if parsed is None:
            self.fail(BAD_ADDRESS, f"`{text}` is not an IPv4 or IPv6 address", token)
            return None
        allowed = {"prefix": prefix, "port": port, "range": range_}
        for part, given in (("prefix", parsed.prefix), ("port", parsed.port), ("range", parsed.last)):
            if given is not None and not allowed[part]:
                self.fail(BAD_ADDRESS, f"`{text}`: a {part} is not allowed here", token,
                          f"write the address without its {part}")
                return None
        limit = 32 if parsed.address.version == 4 else 128
        if parsed.prefix is not None and parsed.prefix > limit:
            self.fail(BAD_ADDRESS, f"`{text}`: prefix /{parsed.prefix} is longer than /{limit}", token)
            return None
        if parsed.port is not None and parsed.port > 65535:
            self.fail(BAD_ADDRESS, f"`{text}`: port {parsed.port} is out of range", token, "ports are 0 to 65535")
            return None
        return parsed

    def interface(self, token: Token, default_prefix: bool) -> IPInterface | None:
        parsed = self.address(token, prefix=True)
        if parsed is None:
            return None
        if parsed.prefix is None and not default_prefix:
            self.fail(BAD_ADDRESS, f"`{token}` needs a prefix length", token, f"for example `{token}/24`")
            return None
        bits = parsed.prefix if parsed.prefix is not None else parsed.address.max_prefixlen
        return ip_interface(f"{parsed.address}/{bits}")

    def network(self, token: Token) -> IPNetwork | None:
        parsed = self.address(token, prefix=True)
        if parsed is None:
            return None
        bits = parsed.prefix if parsed.prefix is not None else parsed.address.max_prefixlen
        return ip_network(f"{parsed.address}/{bits}", strict=False)

    def port_range(self, node: Tree) -> PortRange | None:
        tokens = args(node)
        values = [v for v in (self.integer(t) for t in tokens) if v is not None]
        if len(values) < len(tokens):
            return None
        first, last = values[0], values[-1]
        if first > last:
            self.fail(BAD_RANGE, f"range {first}-{last} runs backwards", node, f"write {last}-{first}")
            return None
        return PortRange(first, last)


_PLAIN_V4 = re.compile(r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}")


def plain_ipv4(text: str) -> IPv4Address | None:
    """A dotted quad alone, read without ipaddress's slow octet parser; None for anything else."""
    return IPv4Address(socket.inet_aton(text)) if _PLAIN_V4.fullmatch(text) else None


def _split_address(text: str) -> Address | None:
    plain = plain_ipv4(text)
    if plain is not None:  # the common case
        return Address(plain, None, None, None)
    port = last = prefix = None
    match = re.fullmatch(r"\[([^\]]+)\](?::(\d+))?", text)
    if match:
        body, port = match.group(1), match.group(2)
    elif text.count(":") == 1 and "." in text:
        body, port = text.split(":")
    else:
        body = text
    if "/" in body:
        body, prefix = body.split("/", 1)
    if "-" in body:
        body, last = body.split("-", 1)
    try:
        address = ip_address(body)
        end = None
        if last is not None:
            end = ip_address(last) if ("." in last or ":" in last) else _same_but_last(address, last)
        return Address(address, int(prefix) if prefix is not None else None, int(port) if port is not None else None, end)
    except ValueError:
        return None


def _same_but_last(address: IPAddress, last: str) -> IPAddress:
    """`10.11.12.1-20`: the range ends at 10.11.12.20 (IPv6: the last group, in hex)."""
    if address.version == 4:
        return ip_address(".".join(str(address).split(".")[:3] + [str(int(last))]))
    return ip_address((int(address) & ~0xFFFF) | int(last, 16))


def children(node: Tree, name: str) -> list[Tree]:
    return [c for c in args(node) if isinstance(c, Tree) and c.data == name]


def keyword(node: Tree) -> str:
    """The keyword kept by a `!rule` (role, method, protocol, ...)."""
    return str(args(node)[0])


V = TypeVar("V", bound="DataclassInstance")


def read_into(value: V, **read: Any) -> V:
    """`value` with the fields an option set; a field whose value failed to read (None: the
    reader has reported it) keeps its default."""
    given = {name: found for name, found in read.items() if found is not None}
    return replace(value, **given) if given else value
