"""The .lvs language's own syntax (grammar/lvs.lark, docs/language.md): the one place where a
value becomes .lvs text. fmt writes every string, name, device and engine through it, and the
importers ask it first, so a value read from a foreign file that does not fit the grammar is
a diagnostic of the import, never text that leaves its token (issue: `label "eth0:1 } service
evil {"` must not become a service)."""

from __future__ import annotations

import re

# the terminals of grammar/lvs.lark a value may be written as
NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
# a Linux interface name (at most 15 bytes) with an optional alias, as the builder accepts it
DEVICE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.@-]*(:[A-Za-z0-9_]+)?")
MAX_DEVICE = 15
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}


class LvsSyntaxError(ValueError):
    """A value that cannot be one token of the .lvs language."""


def quote(text: str) -> str:
    """A .lvs string literal: the language's five escapes, other printable text verbatim."""
    if any(not (c.isprintable() or c in _ESCAPES) for c in text):
        raise LvsSyntaxError(f"{text!r} holds a control character a .lvs string cannot carry")
    return '"' + "".join(_ESCAPES.get(c, c) for c in text) + '"'


def is_name(text: str) -> bool:
    return NAME.fullmatch(text) is not None


def is_device(text: str) -> bool:
    return len(text) <= MAX_DEVICE and DEVICE.fullmatch(text) is not None


def name(text: str) -> str:
    """A name (lvs, service, pool, server, scheduler, flag, engine, monitor, nft table)."""
    if not is_name(text):
        raise LvsSyntaxError(f"{text!r} is not a .lvs name")
    return text


def device(text: str) -> str:
    if not is_device(text):
        raise LvsSyntaxError(f"{text!r} is not a network device name")
    return text
