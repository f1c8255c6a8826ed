"""virtual_server and virtual_server_group blocks -> Virtual, with the IPVS services
(Targets) each block makes: one per address of a group."""

from __future__ import annotations

from ipaddress import ip_address, ip_network

from lvscc.importers.common import Entry
from lvscc.importers.keepalived.pieces import Target, Virtual
from lvscc.importers.keepalived.reading import plain
from lvscc.importers.keepalived.real_servers import NO_RETRY_DELAY, RETRY_DELAY, real_server
from lvscc.importers.keepalived.values import KeepalivedValues
from lvscc.model.config import DEFAULT_PERSISTENCE, SCHEDULERS, IPAddress, Protocol

FLAGS = ("flag-1", "flag-2", "flag-3", "sh-port", "sh-fallback", "mh-port", "mh-fallback")


class VirtualServers:
    def __init__(self, values: KeepalivedValues) -> None:
        self.values = values
        self.notes = values.notes
        self.groups: dict[str, Entry] = {}
        self.virtuals: list[tuple[Virtual, list[Target]]] = []

    def virtual_server_group(self, block: Entry) -> None:
        if len(block.args) != 1:
            self.notes.malformed(block, "expected `virtual_server_group NAME {`")
            return
        self.groups[plain(block.args[0])] = block

    def virtual_server(self, block: Entry) -> None:
        targets = self.targets(block)
        if targets is None:
            return
        vs = Virtual(block)
        for entry in block.body or ():
            self.virtual_setting(vs, entry)
        if vs.mask is not None and vs.persistence is None:
            # seen in keepalived 2.2's own table (tests/kernel/test_keepalived_oracle.py)
            self.notes.assumed(block.span, "persistence_granularity without persistence_timeout: keepalived makes "
                                           f"the service persistent for {DEFAULT_PERSISTENCE} s, so does lvscc",
                               "write `persistence_timeout` to say how long")
            vs.persistence = DEFAULT_PERSISTENCE
        self.virtuals.append((vs, targets))

    def targets(self, block: Entry) -> list[Target] | None:
        """(address, port, fwmark) of every IPVS service this block makes."""
        args = [plain(a) for a in block.args]
        if len(args) == 2 and args[0] == "fwmark":
            mark = self.mark(block, 1)
            return [(None, 0, mark)] if mark else None
        if len(args) == 2 and args[0] == "group":
            group = self.groups.get(args[1])
            if group is None:
                self.notes.malformed(block, f"no virtual_server_group {args[1]}")
                return None
            return [t for line in group.body or () for t in self.group_line(line)]
        if len(args) > 2 and args[0] not in ("fwmark", "group"):
            self.notes.untranslated(block, f"keepalived reads `{args[0]} {args[1]}` and ignores "
                                           f"{' '.join(args[2:])!r}, so does lvscc")
            args = args[:2]
        if len(args) in (1, 2):
            address = self.values.address(block, args[0])
            port = self.values.number(block, 1) if len(args) == 2 else 0
            return [(address, port, None)] if address is not None and port is not None else None
        self.notes.malformed(block, "expected `IP [PORT]`, `fwmark N` or `group NAME`")
        return None

    def group_line(self, line: Entry) -> list[Target]:
        if line.key == "fwmark":
            mark = self.mark(line, 0)
            return [(None, 0, mark)] if mark else []
        port = self.values.number(line) if line.args else 0
        if port is None:
            return []
        addresses = self.address_range(line)
        return [(a, port, None) for a in addresses]

    def mark(self, entry: Entry, index: int) -> int | None:
        """A firewall mark; 0 is none: keepalived adds the service and no packet ever reaches it."""
        mark = self.values.number(entry, index)
        if mark == 0:
            self.notes.malformed(entry, "firewall mark 0 marks no packet: lvscc writes marks 1..4294967295")
        return mark

    def address_range(self, line: Entry) -> list[IPAddress]:
        """The VIPs of a group line, as keepalived adds them: `A`, `A/PREFIX` (every address of
        the network, its first and last too; A without host bits), `A-B` and `A-END` (END
        replacing A's last number and above it)."""
        text = plain(line.key)
        try:
            if "/" in text:
                return list(ip_network(text))
            if "-" in text:
                first_text, last_text = text.split("-", 1)
                first = ip_address(first_text)
                whole = "." in last_text or ":" in last_text
                separator = "." if first.version == 4 else ":"
                last = ip_address(last_text if whole else first_text.rsplit(separator, 1)[0] + separator + last_text)
                if last.version != first.version or int(last) < int(first) + (not whole):
                    raise ValueError(text)  # keepalived skips such a line with an error too
                return [ip_address(i) for i in range(int(first), int(last) + 1)]
            return [ip_address(text)]
        except ValueError:
            self.notes.malformed(line, f"{text!r} is not an address or address range")
            return []

    def virtual_setting(self, vs: Virtual, entry: Entry) -> None:
        key, args = entry.key, [plain(a) for a in entry.args]
        if key == "real_server":
            real = real_server(self.values, vs, entry)
            if real is not None:
                vs.reals.append(real)
        elif key in ("lvs_sched", "lb_algo") and args and args[0] in SCHEDULERS:
            vs.scheduler = args[0]
        elif key in ("lvs_method", "lb_kind"):
            method = self.values.lvs_method(entry)
            if method is not None:
                vs.forwarding = method
        elif key == "protocol" and args and args[0].lower() in ("tcp", "udp", "sctp"):
            vs.protocol = Protocol(args[0].lower())
        elif key == "persistence_timeout":
            vs.persistence = self.values.number(entry) if args else DEFAULT_PERSISTENCE
            if vs.persistence == 0:
                self.notes.dropped(entry, "0 is no persistence, as keepalived runs it")
                vs.persistence = None
        elif key == "persistence_granularity" and args:
            vs.mask = self.values.granularity(entry, args[0])
        elif key == "persistence_engine" and args:
            vs.engine = args[0]
        elif key == "ops":
            vs.ops = True
        elif key in FLAGS:
            vs.flags.append(key)
        elif key == "sorry_server" and args:
            vs.sorry = self.values.address(entry, args[0])
            port = self.values.number(entry, 1) if len(args) > 1 else None
            vs.sorry_port = (entry, port) if port is not None else None
        elif key == "sorry_server_inhibit":
            vs.sorry_inhibit = True
        elif key == "inhibit_on_failure":
            vs.inhibit = True
        elif key == "ip_family" and args and args[0] in ("inet", "inet6"):
            vs.family = 6 if args[0] == "inet6" else 4
        elif key == RETRY_DELAY:
            self.notes.untranslated(entry, NO_RETRY_DELAY)
        elif key in ("delay_loop", "connect_timeout"):
            value = self.values.number(entry)
            if value is not None:
                vs.defaults[key] = value
        elif key in ("lvs_sched", "lb_algo", "protocol", "ip_family"):
            self.notes.malformed(entry, f"unknown value {' '.join(args)!r}")
        else:
            self.notes.untranslated(entry, "no lvscc equivalent in a virtual service")
