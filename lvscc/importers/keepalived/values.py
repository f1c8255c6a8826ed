"""Typed values of keepalived.conf statements: a bad value becomes LVS502 and None."""

from __future__ import annotations

from ipaddress import IPv4Address

from lvscc.importers.common import Entry, Notes, parse_address, parse_int
from lvscc.importers.keepalived.reading import plain
from lvscc.model.config import Forwarding, IPAddress, Method, Tunnel, TunnelType

METHODS = {"NAT": Method.NAT, "DR": Method.DIRECT, "TUN": Method.TUNNEL}


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
        if not args or args[0].upper() not in METHODS:
            self.notes.malformed(entry, "expected NAT, DR or TUN")
            return None
        method = METHODS[args[0].upper()]
        if method is not Method.TUNNEL:
            return Forwarding(method=method)
        options = dict(zip(args[1::2], args[2::2]))
        csum = next((a for a in args if a in ("csum", "nocsum", "remcsum")), None)
        kind = options.get("type", "ipip")
        port = parse_int(options["port"]) if "port" in options else None
        return Forwarding(method=method, tunnel=Tunnel(TunnelType(kind) if kind in ("ipip", "gue", "gre")
                                                       else TunnelType.IPIP, port, csum))
