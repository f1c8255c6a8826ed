"""sysctl: `key = value` lines of a sysctl.d file and `sysctl -a`, and `sysctl -w key=value`."""

from __future__ import annotations

import re

from lvscc.syntax import Refused, checked_line

# A dotted kernel parameter; a device name component may hold `:`, `@`, `-`, `+`.
_KEY = re.compile(r"[a-z0-9_]+(?:\.[A-Za-z0-9_:@+-]+)+")
_VALUE = re.compile(r"[\x20-\x7e\t]*")


def key(value: str) -> str:
    if len(value) > 255 or not _KEY.fullmatch(value):
        raise Refused(f"sysctl key {value[:60]!r} is not a kernel parameter name")
    return value


def value(text: str) -> str:
    if len(text) > 4096 or not _VALUE.fullmatch(text):
        raise Refused(f"sysctl value {text[:60]!r} holds control characters")
    return text


def assignment(name: str, setting: str) -> str:
    """The argument of `sysctl -w`."""
    return f"{key(name)}={value(setting)}"


def parse_line(text: str, where: str = "sysctl") -> tuple[str, str] | None:
    """(key, value) of a `sysctl -a` line (a /proc/sys path's `/` read as `.`), or None."""
    name, sep, setting = checked_line(text, where).partition(" = ")
    if not sep:
        return None
    return name.strip().replace("/", "."), setting.strip()
