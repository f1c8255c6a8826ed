"""What keepalived.conf says about the cluster rather than one service: global_defs (sync
daemon, IPVS timeouts) and vrrp_instance (directors, heartbeat, and the VRRP addresses that
float the VIPs and the NAT gateway)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from ipaddress import ip_interface

from lvscc.importers.common import Entry, most_common
from lvscc.importers.keepalived.reading import plain
from lvscc.importers.keepalived.values import KeepalivedValues
from lvscc.model.config import (
    Director,
    Forwarding,
    Heartbeat,
    IPAddress,
    IPInterface,
    Method,
    SyncDaemon,
    Timeouts,
    VirtualService,
)

NO_EFFECT = {
    "router_id": "lvscc names routers itself",
    "virtual_router_id": "lvscc derives it from the cluster name",
}
# lvs_sync_daemon's options that take a value
SYNC_OPTIONS = ("id", "maxlen", "port", "ttl", "group")
# a VRRP address: the address with its prefix, its device, and the line that floats it
Vip = tuple[IPInterface, str | None, Entry]


class Cluster:
    def __init__(self, values: KeepalivedValues) -> None:
        self.values = values
        self.notes = values.notes
        self.vips: dict[IPAddress, Vip] = {}
        self.instances: list[tuple[Entry, dict[str, Entry]]] = []
        self.heartbeat: Heartbeat | None = None
        self.sync_request: tuple[Entry, str, str | None, int | None] | None = None  # interface, instance, id
        self.timeouts: Timeouts | None = None

    def global_defs(self, block: Entry) -> None:
        for entry in block.body or ():
            if entry.key == "lvs_sync_daemon":
                self.sync_daemon(entry)
            elif entry.key == "lvs_timeouts":
                self.lvs_timeouts(entry)
            elif entry.key in NO_EFFECT:
                self.notes.dropped(entry, NO_EFFECT[entry.key])
            else:
                self.notes.untranslated(entry, "no lvscc equivalent")

    def sync_daemon(self, entry: Entry) -> None:
        """`lvs_sync_daemon IFACE [[inst] INSTANCE] [id N] [OPTION VALUE]...` (keepalived.conf(5)
        of 2.2); a word after INSTANCE that is no option is the id, as keepalived 1 wrote it."""
        if self.sync_request is not None:
            self.notes.conflict(entry.span, "a second lvs_sync_daemon: keepalived keeps the first, so does lvscc")
            return
        args = [plain(a) for a in entry.args]
        if not args:
            self.notes.malformed(entry, "needs an interface")
            return
        instance, start, sync_id = None, 1, None
        if args[1:2] == ["inst"] and len(args) > 2:
            instance, start = args[2], 3
        elif len(args) > 1 and args[1] not in SYNC_OPTIONS:
            instance, start = args[1], 2
        if instance is not None and args[start:] and args[start] not in SYNC_OPTIONS:
            sync_id, start = self.values.number(entry, word=args[start]), start + 1
        for word, value in self.options(entry, args[start:], SYNC_OPTIONS, "option"):
            if word == "id":
                sync_id = self.values.number(entry, word=value)
            else:
                self.notes.untranslated(entry, f"`{word} {value}`: lvscc uses the sync daemon's defaults")
        self.sync_request = (entry, args[0], instance, sync_id)

    def settled_sync(self) -> SyncDaemon | None:
        """The sync daemon once the VRRP instances are read: without an id (or with a bad one)
        keepalived gives it the virtual_router_id of the instance it names."""
        if self.sync_request is None:
            return None
        entry, interface, instance, sync_id = self.sync_request
        if sync_id is None and instance is not None:
            router_id = next((f.get("virtual_router_id") for block, f in self.instances
                              if [plain(a) for a in block.args] == [instance]), None)
            sync_id = self.values.number(router_id) if router_id is not None else None
            if sync_id is None:
                self.notes.assumed(entry.span, f"no sync id, and no virtual_router_id of a VRRP instance {instance} to "
                                               "take it from: written id 0", "write `id N`")
        return SyncDaemon(interface, sync_id or 0, entry.span)

    def lvs_timeouts(self, entry: Entry) -> None:
        values: dict[str, int] = {}
        for word, value in self.options(entry, [plain(a) for a in entry.args], ("tcp", "tcpfin", "udp"), "timeout"):
            number = self.values.number(entry, word=value)
            if number is not None:
                values[word] = number
        self.timeouts = Timeouts(span=entry.span, **values) if values else None

    def options(self, entry: Entry, words: list[str], known: tuple[str, ...], what: str) -> Iterator[tuple[str, str]]:
        """The `NAME VALUE` pairs of a statement, read word by word as keepalived reads them: an
        unknown word is refused alone, and so is a known one without its value."""
        i = 0
        while i < len(words):
            if words[i] not in known:
                self.notes.malformed(entry, f"unknown {what} {words[i]!r}")
                i += 1
            elif i + 1 == len(words):
                self.notes.malformed(entry, f"`{words[i]}` without a value")
                i += 1
            else:
                yield words[i], words[i + 1]
                i += 2

    def vrrp_instance(self, block: Entry) -> None:
        fields: dict[str, Entry] = {}
        addresses: list[Entry] = []
        for entry in block.body or ():
            if entry.key in ("virtual_ipaddress", "virtual_ipaddress_excluded"):
                addresses.extend(entry.body or ())
            elif entry.key in ("state", "interface", "advert_int", "unicast_src_ip", "mcast_src_ip",
                               "unicast_peer", "priority"):
                fields[entry.key] = entry
            elif entry.key in NO_EFFECT:
                self.notes.dropped(entry, NO_EFFECT[entry.key])
                fields[entry.key] = entry  # virtual_router_id: the sync daemon's id when it has none
            else:
                self.notes.untranslated(entry, "no lvscc equivalent in a VRRP instance")
        # keepalived gives an address without `dev` the instance's interface once the instance is
        # read, wherever `interface` stands in it
        for line in addresses:
            self.vrrp_address(line, fields.get("interface"))
        self.instances.append((block, fields))

    def director_list(self) -> list[Director]:
        """One keepalived.conf is one machine: its VRRP instances make one director, MASTER of
        any instance (or the highest priority) making it the primary; a unicast peer is the
        other director."""
        if not self.instances:
            return []
        block, _ = self.instances[0]
        states = {self.word(f, "state") for _, f in self.instances}
        priorities = [self.values.number(f["priority"]) or 0 for _, f in self.instances if "priority" in f]
        primary = "MASTER" in states or (states == {None} and bool(priorities) and max(priorities) == 255)
        role = "primary" if primary else "backup"
        device = next((self.word(f, "interface") for _, f in self.instances if "interface" in f), None)
        public = next((self.values.address(f[k], self.word(f, k) or "") for _, f in self.instances
                       for k in ("unicast_src_ip", "mcast_src_ip") if self.word(f, k)), None)
        found = [Director(role, public=public, public_dev=device, span=block.span)]
        peers = [e for _, f in self.instances if "unicast_peer" in f for e in f["unicast_peer"].body or ()]
        if peers:
            other = "backup" if role == "primary" else "primary"
            found.append(Director(other, public=self.values.address(peers[0], peers[0].key), span=peers[0].span))
        advert = next((f["advert_int"] for _, f in self.instances if "advert_int" in f), None)
        interval = self.values.number(advert) if advert is not None else None
        if interval:
            # VRRP declares the master dead after three missed adverts
            self.heartbeat = Heartbeat(interval=interval, dead_after=3 * interval, span=advert.span)
        return found

    @staticmethod
    def word(fields: dict[str, Entry], key: str) -> str | None:
        entry = fields.get(key)
        return plain(entry.args[0]) if entry is not None and entry.args else None

    def vrrp_address(self, line: Entry, interface: Entry | None) -> None:
        try:
            network = ip_interface(plain(line.key))
        except ValueError:
            self.notes.malformed(line, "not an address")
            return
        args = [plain(a) for a in line.args]
        options = dict(zip(args[::2], args[1::2]))
        device = options.pop("label", None) or options.pop("dev", None)
        options.pop("dev", None)
        if device is None and interface is not None and interface.args:
            device = plain(interface.args[0])
        if options:
            self.notes.untranslated(line, f"address options {' '.join(options)} have no lvscc equivalent")
        self.vips[network.ip] = (network, device, line)

    def forwarding(self, services: list[VirtualService]) -> Forwarding:
        """The most used method becomes the cluster's; the NAT gateway is the VRRP address that is
        no service's VIP."""
        if not services:
            return Forwarding()
        forwarding = most_common([s.forwarding for s in services])
        if forwarding.method is not Method.NAT and any(r.method is Method.NAT for s in services for r in s.servers):
            # a NAT real server inside a DR or TUN service takes its gateway from the cluster's
            # forwarding (docs/language.md), so the cluster's is NAT and those services keep their own
            forwarding = Forwarding(method=Method.NAT)
        spare = [v for ip, v in self.vips.items() if ip not in {s.vip.ip for s in services if s.vip is not None}]
        nat_servers = [r.address for s in services for r in s.servers
                       if (r.method or s.forwarding.method) is Method.NAT]
        gateways = [v for v in spare if any(a in v[0].network for a in nat_servers if a.version == v[0].version)]
        if forwarding.method is Method.NAT and gateways:
            network, device, line = gateways[0]
            spare.remove(gateways[0])
            self.notes.assumed(line.span, f"{network} is no service's VIP: taken as the NAT gateway of the real "
                                          "servers")
            forwarding = replace(forwarding, gateway=network, gateway_dev=device)
        for network, _, line in spare:
            self.notes.untranslated(line, f"{network} is neither a VIP nor the NAT gateway")
        return forwarding
