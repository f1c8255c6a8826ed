"""Typed values of lvs.cf statements, read as lvsconfig.c and nanny read them."""

from __future__ import annotations

import re
from ipaddress import IPv4Address, IPv4Network

from lvscc.importers.common import Entry, Notes, parse_address, parse_int

# getservbyname() answers from the importing machine's /etc/services; a fixed table keeps an
# import the same on every machine.
SERVICE_PORTS = {
    "ftp": 21, "ssh": 22, "telnet": 23, "smtp": 25, "domain": 53, "http": 80, "www": 80, "pop3": 110,
    "imap": 143, "ldap": 389, "https": 443, "submission": 587, "ldaps": 636, "imaps": 993, "pop3s": 995,
    "mysql": 3306, "postgresql": 5432,
}
# nanny's string escapes (lvs.cf(5)); anything else after a backslash is kept as written.
NANNY_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "\\": "\\", "'": "'", '"': '"'}


class LvsCfValues:
    """Typed access to an lvs.cf entry's arguments, as lvsconfig.c and nanny read them; a bad
    value becomes LVS502 and None."""

    def __init__(self, notes: Notes) -> None:
        self.notes = notes

    def one(self, entry: Entry, count: int = 1) -> tuple[str, ...] | None:
        if len(entry.args) != count:
            self.notes.malformed(entry, f"takes {count} value{'s' if count > 1 else ''}")
            return None
        return entry.args

    def one_of(self, entry: Entry, choices: tuple[str, ...]) -> str | None:
        args = self.one(entry)
        if args is not None and args[0] not in choices:
            self.notes.malformed(entry, f"{args[0]!r} is not one of {', '.join(choices)}")
            return None
        return args[0] if args else None

    def number(self, entry: Entry) -> int | None:
        args = self.one(entry)
        if args is None:
            return None
        value = c_number(args[0])
        if value is None or value < 0:
            self.notes.malformed(entry, f"{args[0]!r} is not a number")
        return value if value is None or value >= 0 else None

    def boolean(self, entry: Entry) -> bool | None:
        value = self.number(entry)
        if value is None:
            return None
        if value not in (0, 1):
            self.notes.malformed(entry, "piranha booleans are 0 or 1")
            return None
        return value == 1

    def address(self, entry: Entry, text: str) -> IPv4Address | None:
        address = parse_address(text)
        if not isinstance(address, IPv4Address):
            self.notes.malformed(entry, f"{text!r} is not an IPv4 address (host names are not resolved on import)")
            return None
        return address

    def host(self, entry: Entry) -> IPv4Address | None:
        args = self.one(entry)
        return self.address(entry, args[0]) if args else None

    def netmask(self, entry: Entry) -> IPv4Address | None:
        mask = self.host(entry)
        if mask is not None:
            try:
                IPv4Network(f"0.0.0.0/{mask}")
            except ValueError:
                self.notes.malformed(entry, f"{mask} is not a netmask")
                return None
        return mask

    def port(self, entry: Entry) -> int | None:
        args = self.one(entry)
        if args is None:
            return None
        value = SERVICE_PORTS.get(args[0], c_number(args[0]))
        if value is None or not 0 <= value <= 65535:
            self.notes.malformed(entry, f"{args[0]!r} is not a port number or a known service name")
            return None
        return value

    def nat_router(self, entry: Entry) -> tuple[IPv4Address, str] | None:
        args = self.one(entry, 2)
        if args is None:
            return None
        address = self.address(entry, args[0])
        return (address, args[1]) if address is not None else None


def c_number(text: str) -> int | None:
    """strtol(text, NULL, 0) as lvsconfig.c reads numbers: decimal, 0x hex, leading-0 octal."""
    return parse_int(text, 8) if re.fullmatch(r"0[0-7]+", text) else parse_int(text, 0)


def prefix(mask: IPv4Address | None) -> int:
    return IPv4Network(f"0.0.0.0/{mask}").prefixlen if mask is not None else 32


def unescape(text: str) -> str:
    out, i = [], 0
    while i < len(text):
        if text[i] == "\\" and i + 1 < len(text) and text[i + 1] in NANNY_ESCAPES:
            out.append(NANNY_ESCAPES[text[i + 1]])
            i += 2
        else:
            out.append(text[i])
            i += 1
    return "".join(out)
