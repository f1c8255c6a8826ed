"""Typed values of keepalived.conf statements: a bad value becomes LVS502 and None."""

from __future__ import annotations

from ipaddress import IPv4Address

from lvscc.importers.common import Entry, Notes, parse_address, parse_int
from lvscc.importers.keepalived.reading import plain
from lvscc.model.config import Forwarding, IPAddress, Method, Tunnel, TunnelType

METHODS = {"NAT": Method.NAT, "DR": Method.DIRECT, "TUN": Method.TUNNEL}
TUNNEL_TYPES = {t.value for t in TunnelType}
CSUMS = ("csum", "nocsum", "remcsum")


class KeepalivedValues:
    """Typed access to a keepalived.conf entry's arguments, as keepalived's parser reads them;
    a bad value becomes LVS502 and None."""

    def __init__(self, notes: Notes) -> None:
        self.notes = notes

    def number(self, entry: Entry, index: int = 0, word: str | None = None) -> int | None:
        text = word if word is not None else (entry.args[index] if len(entry.args) > index else None)
        value = parse_int(plain(text)) if text is not None else None
        if value is None or value < 0:
            self.notes.malformed(entry, f"expected a number, found {text!r}")
            return None
        return value

    def address(self, entry: Entry, text: str) -> IPAddress | None:
        value = parse_address(plain(text))
        if value is None:
            self.notes.malformed(entry, f"{text!r} is not an IP address")
        return value

    def granularity(self, entry: Entry, text: str) -> IPv4Address | int | None:
        if text.isdigit():
            return int(text)
        try:
            # keepalived takes any IPv4 address (inet_aton) and IPVS applies it as a mask;
            # lvscc's rules judge one that is not a netmask
            return None if text == "255.255.255.255" else IPv4Address(text)
        except ValueError:
            self.notes.malformed(entry, f"{text!r} is not a netmask or prefix length")
            return None

    def lvs_method(self, entry: Entry) -> Forwarding | None:
        args = [plain(a) for a in entry.args]
        if not args or args[0] not in METHODS:  # strcmp: keepalived refuses `dr` and keeps NAT
            self.notes.malformed(entry, "expected NAT, DR or TUN")
            return None
        method = METHODS[args[0]]
        if method is not Method.TUNNEL:
            return Forwarding(method=method)
        return Forwarding(method=method, tunnel=self.tunnel(entry, args[1:]))

    def tunnel(self, entry: Entry, options: list[str]) -> Tunnel:
        """`TUN [type ipip|gue|gre] [port N] [csum|nocsum|remcsum]`, the words in any order, as
        keepalived's svr_forwarding_handler reads them; on a word it refuses keepalived keeps its
        default tunnel (ipip), so does lvscc, with LVS502."""
        kind, port, csum = TunnelType.IPIP, None, None
        words = iter(options)
        for word in words:
            if word in CSUMS:
                csum = word
                continue
            value = next(words, None) if word in ("type", "port") else None
            if word == "type" and value in TUNNEL_TYPES:
                kind = TunnelType(value)
            elif word == "port" and value is not None and parse_int(value) is not None:
                port = parse_int(value)
            else:
                self.notes.malformed(entry, f"bad tunnel option {word!r}" + (f" {value!r}" if value else ""))
                return Tunnel()
        return Tunnel(kind, port, csum)
