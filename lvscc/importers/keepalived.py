"""keepalived.conf (2.x) -> Config: the LVS part (lvs-domain.md §3.1) and the VRRP addresses
that float the VIPs and the NAT gateway.

Defaults are keepalived's own where they differ from lvscc's: no lvs_method means NAT, an
address service without `protocol` is UDP, `persistence_timeout` alone is 360 s. A
virtual_server_group is expanded into one service per address. Services and real servers get
names made from what identifies them (svc-tcp-192-0-2-10-80, rs-10-11-12-1), so importing the
same file twice gives the same config."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field, replace
from ipaddress import IPv4Address, IPv4Network, ip_address, ip_interface, ip_network
from pathlib import Path

from lvscc.diagnostics import Diagnostic
from lvscc.importers.common import Entry, Notes, dashed, lvs_name, parse_address, parse_int, span_at
from lvscc.model.config import (
    DEFAULT_PERSISTENCE,
    SCHEDULERS,
    Config,
    Director,
    Forwarding,
    HealthCheck,
    Heartbeat,
    IPAddress,
    IPInterface,
    Method,
    Protocol,
    RealServer,
    SyncDaemon,
    Timeouts,
    Tunnel,
    TunnelType,
    VirtualService,
)
from lvscc.model.span import NOWHERE, Span

METHODS = {"NAT": Method.NAT, "DR": Method.DIRECT, "TUN": Method.TUNNEL}
FLAGS = ("flag-1", "flag-2", "flag-3", "sh-port", "sh-fallback", "mh-port", "mh-fallback")
NO_EFFECT = {
    "router_id": "lvscc names routers itself",
    "priority": "lvscc gives the primary 150 and the backup 100",
    "virtual_router_id": "lvscc derives it from the cluster name",
}
# keepalived's escapes in misc_path and regex (parser.c alloc_strvec_quoted_escaped)
NAMED_ESCAPES = {"a": "\a", "b": "\b", "E": "\x1b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v"}


# ---- reading ------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Word:
    text: str  # as written, quotes included
    line: int
    column: int


def _words(text: str) -> list[_Word]:
    """keepalived's line reader: `#` and `!` start comments outside quotes, `{` and `}` are words
    of their own, a quoted string is one word."""
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        for match in re.finditer(r'"(?:[^"\\]|\\.)*"?|[{}]|[^\s{}"]+', line):
            if match.group()[0] in "#!":
                break
            found.append(_Word(match.group(), number, match.start() + 1))
    return found


def _tree(words: list[_Word], filename: str, notes: Notes) -> tuple[Entry, ...]:
    """Statements end at the end of their line; a `{` (same or next line) opens the body."""
    stack: list[tuple[Entry | None, list[Entry]]] = [(None, [])]
    i = 0
    while i < len(words):
        word = words[i]
        span = span_at(filename, word.line, word.column, len(word.text))
        if word.text == "}":
            if len(stack) == 1:
                notes.unreadable(span, "`}` without an open block")
            else:
                opener, body = stack.pop()
                assert opener is not None
                stack[-1][1].append(replace(opener, body=tuple(body)))
            i += 1
            continue
        if word.text == "{":
            notes.unreadable(span, "`{` without a keyword")
            i += 1
            continue
        j = i + 1
        while j < len(words) and words[j].line == word.line and words[j].text not in "{}":
            j += 1
        entry = Entry(word.text, tuple(w.text for w in words[i + 1:j]), span)
        if j < len(words) and words[j].text == "{":
            stack.append((entry, []))
            j += 1
        else:
            stack[-1][1].append(entry)
        i = j
    for opener, _ in stack[1:]:
        assert opener is not None
        notes.unreadable(opener.span, f"`{opener.key}` block is never closed")
    return tuple(stack[0][1])


def _plain(word: str) -> str:
    return word[1:-1] if len(word) >= 2 and word[0] == word[-1] == '"' else word


def _escaped(word: str) -> str:
    """One word decoded as keepalived decodes misc_path and regex."""
    out, i, quote = [], 0, None
    while i < len(word):
        c = word[i]
        if c == "\\" and i + 1 < len(word):
            i += 1
            octal = re.match(r"[0-7]{1,3}", word[i:])
            hexa = re.match(r"x([0-9A-Fa-f]+)", word[i:])
            if octal:
                out.append(chr(int(octal.group(), 8) & 0xFF))
                i += len(octal.group())
            elif hexa:
                out.append(chr(int(hexa.group(1), 16) & 0xFF))
                i += len(hexa.group())
            elif word[i] == "c" and i + 1 < len(word):
                out.append(chr(ord(word[i + 1]) & 0x1F))
                i += 2
            else:
                out.append(NAMED_ESCAPES.get(word[i], word[i]))
                i += 1
            continue
        if quote is None and c in "\"'":
            quote = c
        elif c == quote:
            quote = None
        else:
            out.append(c)
        i += 1
    return "".join(out)


# ---- pieces of a virtual server -----------------------------------------------------------

@dataclass
class _Real:
    address: IPAddress
    port: int | None
    weight: int = 1
    upper: int = 0
    lower: int = 0
    method: Forwarding | None = None
    inhibit: bool = False
    check: HealthCheck | None = None
    span: Span = NOWHERE


@dataclass
class _Virtual:
    entry: Entry
    scheduler: str = "wlc"
    forwarding: Forwarding = field(default_factory=lambda: Forwarding(method=Method.NAT))
    protocol: Protocol | None = None
    persistence: int | None = None
    mask: IPv4Address | int | None = None
    engine: str | None = None
    ops: bool = False
    flags: list[str] = field(default_factory=list)
    sorry: IPAddress | None = None
    sorry_port: tuple[Entry, int] | None = None
    inhibit: bool = False
    defaults: dict[str, int] = field(default_factory=dict)  # checker timers set on the virtual server
    family: int | None = None
    reals: list[_Real] = field(default_factory=list)


class _Importer:
    def __init__(self, filename: str) -> None:
        self.filename = filename
        self.notes = Notes()
        self.groups: dict[str, Entry] = {}
        self.vips: dict[IPAddress, tuple[IPInterface, str | None, Entry]] = {}
        self.directors: list[Director] = []
        self.heartbeat: Heartbeat | None = None
        self.sync: SyncDaemon | None = None
        self.timeouts: Timeouts | None = None
        self.virtuals: list[tuple[_Virtual, list[tuple[IPAddress | None, int, int | None]]]] = []
        self.claimed: set[IPAddress] = set()  # VRRP addresses taken as a firewall-mark service's VIP

    # values
    def number(self, entry: Entry, index: int = 0, word: str | None = None) -> int | None:
        text = word if word is not None else (entry.args[index] if len(entry.args) > index else None)
        value = parse_int(_plain(text)) if text is not None else None
        if value is None or value < 0:
            self.notes.malformed(entry, f"expected a number, found {text!r}")
            return None
        return value

    def address(self, entry: Entry, text: str) -> IPAddress | None:
        value = parse_address(_plain(text))
        if value is None:
            self.notes.malformed(entry, f"{text!r} is not an IP address")
        return value

    # top level
    def top(self, entries: tuple[Entry, ...]) -> None:
        handlers = {
            "global_defs": self.global_defs, "vrrp_instance": self.vrrp_instance,
            "virtual_server_group": self.virtual_server_group,
            "virtual_server": self.virtual_server,
        }
        ordered = sorted(entries, key=lambda e: e.key != "virtual_server_group")  # groups before their users
        for entry in ordered:
            handler = handlers.get(entry.key)
            if handler is None:
                self.notes.untranslated(entry, "lvscc translates global_defs, vrrp_instance and the LVS blocks")
            else:
                handler(entry)

    def virtual_server_group(self, block: Entry) -> None:
        if len(block.args) != 1:
            self.notes.malformed(block, "expected `virtual_server_group NAME {`")
            return
        self.groups[_plain(block.args[0])] = block

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
        if not entry.args:
            self.notes.malformed(entry, "needs an interface")
            return
        args, sync_id, i = list(entry.args), 0, 1
        while i < len(args):
            if args[i] == "id" and i + 1 < len(args):
                sync_id = self.number(entry, word=args[i + 1]) or 0
                i += 2
            elif args[i] in ("maxlen", "port", "ttl", "group") and i + 1 < len(args):
                self.notes.untranslated(entry, f"`{args[i]} {args[i + 1]}`: lvscc uses the sync daemon's defaults")
                i += 2
            else:
                i += 1  # `inst NAME` / NAME: the VRRP instance; lvscc has one
        self.sync = SyncDaemon(_plain(args[0]), sync_id, entry.span)

    def lvs_timeouts(self, entry: Entry) -> None:
        values: dict[str, int] = {}
        args = list(entry.args)
        for i in range(0, len(args) - 1, 2):
            if args[i] in ("tcp", "tcpfin", "udp"):
                value = self.number(entry, word=args[i + 1])
                if value is not None:
                    values[args[i]] = value
            else:
                self.notes.malformed(entry, f"unknown timeout {args[i]!r}")
        self.timeouts = Timeouts(span=entry.span, **values) if values else None

    def vrrp_instance(self, block: Entry) -> None:
        fields: dict[str, Entry] = {}
        for entry in block.body or ():
            if entry.key in ("virtual_ipaddress", "virtual_ipaddress_excluded"):
                for line in entry.body or ():
                    self.vrrp_address(line, fields.get("interface"))
            elif entry.key in ("state", "interface", "advert_int", "unicast_src_ip"):
                fields[entry.key] = entry
            elif entry.key == "unicast_peer":
                fields[entry.key] = entry
            elif entry.key in NO_EFFECT:
                self.notes.dropped(entry, NO_EFFECT[entry.key])
            else:
                self.notes.untranslated(entry, "no lvscc equivalent in a VRRP instance")
        self.director(block, fields)

    def director(self, block: Entry, fields: dict[str, Entry]) -> None:
        state = _plain(fields["state"].args[0]) if "state" in fields and fields["state"].args else "BACKUP"
        role = "primary" if state == "MASTER" else "backup"
        device = _plain(fields["interface"].args[0]) if "interface" in fields and fields["interface"].args else None
        source = fields.get("unicast_src_ip")
        public = self.address(source, source.args[0]) if source is not None and source.args else None
        self.directors.append(Director(role, public=public, public_dev=device, span=block.span))
        peers = fields.get("unicast_peer")
        if peers is not None and peers.body:
            other = "backup" if role == "primary" else "primary"
            peer = self.address(peers.body[0], peers.body[0].key)
            self.directors.append(Director(other, public=peer, span=peers.span))
        if "advert_int" in fields:
            interval = self.number(fields["advert_int"])
            if interval:
                # VRRP declares the master dead after three missed adverts
                self.heartbeat = Heartbeat(interval=interval, dead_after=3 * interval, span=fields["advert_int"].span)

    def vrrp_address(self, line: Entry, interface: Entry | None) -> None:
        try:
            network = ip_interface(_plain(line.key))
        except ValueError:
            self.notes.malformed(line, "not an address")
            return
        args = [_plain(a) for a in line.args]
        options = dict(zip(args[::2], args[1::2]))
        device = options.pop("label", None) or options.pop("dev", None)
        options.pop("dev", None)
        if device is None and interface is not None and interface.args:
            device = _plain(interface.args[0])
        if options:
            self.notes.untranslated(line, f"address options {' '.join(options)} have no lvscc equivalent")
        self.vips[network.ip] = (network, device, line)

    # virtual servers
    def virtual_server(self, block: Entry) -> None:
        targets = self.targets(block)
        if targets is None:
            return
        vs = _Virtual(block)
        for entry in block.body or ():
            self.virtual_setting(vs, entry)
        self.virtuals.append((vs, targets))

    def targets(self, block: Entry) -> list[tuple[IPAddress | None, int, int | None]] | None:
        """(address, port, fwmark) of every IPVS service this block makes."""
        args = [_plain(a) for a in block.args]
        if len(args) == 2 and args[0] == "fwmark":
            mark = self.number(block, 1)
            return [(None, 0, mark)] if mark else None
        if len(args) == 2 and args[0] == "group":
            group = self.groups.get(args[1])
            if group is None:
                self.notes.malformed(block, f"no virtual_server_group {args[1]}")
                return None
            return [t for line in group.body or () for t in self.group_line(line)]
        if len(args) in (1, 2):
            address = self.address(block, args[0])
            port = self.number(block, 1) if len(args) == 2 else 0
            return [(address, port, None)] if address is not None and port is not None else None
        self.notes.malformed(block, "expected `IP [PORT]`, `fwmark N` or `group NAME`")
        return None

    def group_line(self, line: Entry) -> list[tuple[IPAddress | None, int, int | None]]:
        if line.key == "fwmark":
            mark = self.number(line)
            return [(None, 0, mark)] if mark else []
        port = self.number(line) if line.args else 0
        if port is None:
            return []
        addresses = self.address_range(line)
        return [(a, port, None) for a in addresses]

    def address_range(self, line: Entry) -> list[IPAddress]:
        text = _plain(line.key)
        try:
            if "/" in text:
                net = ip_network(text, strict=False)
                return list(net.hosts()) if net.num_addresses > 2 else list(net)
            if "-" in text:
                first_text, last_text = text.split("-", 1)
                first = ip_address(first_text)
                last = ip_address(last_text) if ("." in last_text or ":" in last_text) else \
                    ip_address(first_text.rsplit("." if first.version == 4 else ":", 1)[0]
                               + ("." if first.version == 4 else ":") + last_text)
                return [ip_address(i) for i in range(int(first), int(last) + 1)]
            return [ip_address(text)]
        except ValueError:
            self.notes.malformed(line, f"{text!r} is not an address or address range")
            return []

    def virtual_setting(self, vs: _Virtual, entry: Entry) -> None:
        key, args = entry.key, [_plain(a) for a in entry.args]
        if key == "real_server":
            real = self.real_server(vs, entry)
            if real is not None:
                vs.reals.append(real)
        elif key in ("lvs_sched", "lb_algo") and args and args[0] in SCHEDULERS:
            vs.scheduler = args[0]
        elif key in ("lvs_method", "lb_kind"):
            method = self.method(entry)
            if method is not None:
                vs.forwarding = method
        elif key == "protocol" and args and args[0].lower() in ("tcp", "udp", "sctp"):
            vs.protocol = Protocol(args[0].lower())
        elif key == "persistence_timeout":
            vs.persistence = self.number(entry) if args else DEFAULT_PERSISTENCE
        elif key == "persistence_granularity" and args:
            vs.mask = self.granularity(entry, args[0])
        elif key == "persistence_engine" and args:
            vs.engine = args[0]
        elif key == "ops":
            vs.ops = True
        elif key in FLAGS:
            vs.flags.append(key)
        elif key == "sorry_server" and args:
            vs.sorry = self.address(entry, args[0])
            port = self.number(entry, 1) if len(args) > 1 else None
            vs.sorry_port = (entry, port) if port is not None else None
        elif key == "inhibit_on_failure":
            vs.inhibit = True
        elif key == "ip_family" and args and args[0] in ("inet", "inet6"):
            vs.family = 6 if args[0] == "inet6" else 4
        elif key in ("delay_loop", "connect_timeout", "delay_before_retry"):
            value = self.number(entry)
            if value is not None:
                vs.defaults[key] = value
        elif key in ("lvs_sched", "lb_algo", "protocol", "ip_family"):
            self.notes.malformed(entry, f"unknown value {' '.join(args)!r}")
        else:
            self.notes.untranslated(entry, "no lvscc equivalent in a virtual service")

    def granularity(self, entry: Entry, text: str) -> IPv4Address | int | None:
        if text.isdigit():
            return int(text)
        try:
            IPv4Network(f"0.0.0.0/{text}")
            return None if text == "255.255.255.255" else IPv4Address(text)
        except ValueError:
            self.notes.malformed(entry, f"{text!r} is not a netmask or prefix length")
            return None

    def method(self, entry: Entry) -> Forwarding | None:
        args = [_plain(a) for a in entry.args]
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

    def real_server(self, vs: _Virtual, block: Entry) -> _Real | None:
        args = [_plain(a) for a in block.args]
        address = self.address(block, args[0]) if args else None
        if address is None:
            return None
        real = _Real(address, self.number(block, 1) if len(args) > 1 else None, span=block.span)
        checks: list[HealthCheck] = []
        for entry in block.body or ():
            values = [_plain(a) for a in entry.args]
            if entry.key in ("weight", "uthreshold", "lthreshold"):
                value = self.number(entry)
                if value is not None:
                    setattr(real, {"uthreshold": "upper", "lthreshold": "lower"}.get(entry.key, entry.key), value)
            elif entry.key in ("lvs_method", "lb_kind"):
                real.method = self.method(entry)
            elif entry.key == "inhibit_on_failure":
                real.inhibit = True
            elif entry.key in CHECKERS and entry.body is not None:
                check = CHECKERS[entry.key](self, vs, real, entry)
                if check is not None:
                    checks.append(check)
            else:
                self.notes.untranslated(entry, "no lvscc equivalent for a real server" + (
                    f" ({' '.join(values)})" if values else ""))
        if len(checks) > 1:
            self.notes.conflict(block.span, "lvscc has one check per service; the first checker was kept")
        real.check = checks[0] if checks else None
        return real

    # checkers
    def timers(self, vs: _Virtual, checker: Entry) -> dict[str, int]:
        """timeout/reentry from the checker, falling back to the virtual server's values
        (keepalived's inheritance: virtual server -> real server -> checker)."""
        found = dict(vs.defaults)
        for entry in checker.body or ():
            if entry.key in ("connect_timeout", "delay_before_retry", "delay_loop", "misc_timeout"):
                value = self.number(entry)
                if value is not None:
                    found[entry.key] = value
        timers = {}
        if "connect_timeout" in found or "misc_timeout" in found:
            timers["timeout"] = found.get("misc_timeout", found.get("connect_timeout"))
        if "delay_before_retry" in found or "delay_loop" in found:
            timers["reentry"] = found.get("delay_before_retry", found.get("delay_loop"))
        return timers  # type: ignore[return-value]

    def leftovers(self, checker: Entry, handled: tuple[str, ...]) -> None:
        timers = ("connect_timeout", "delay_before_retry", "delay_loop", "misc_timeout")
        for entry in checker.body or ():
            if entry.key not in handled + timers:
                self.notes.untranslated(entry, f"no lvscc equivalent in {checker.key}")

    def tcp_check(self, vs: _Virtual, real: _Real, checker: Entry) -> HealthCheck:
        self.leftovers(checker, ("connect_port",))
        return HealthCheck(port=self.connect_port(checker), span=checker.span, **self.timers(vs, checker))

    def connect_port(self, checker: Entry) -> int | None:
        entry = next((e for e in checker.body or () if e.key == "connect_port"), None)
        return self.number(entry) if entry is not None else None

    def misc_check(self, vs: _Virtual, real: _Real, checker: Entry) -> HealthCheck | None:
        self.leftovers(checker, ("misc_path",))
        path = next((e for e in checker.body or () if e.key == "misc_path" and e.args), None)
        if path is None:
            self.notes.malformed(checker, "MISC_CHECK without misc_path")
            return None
        # lvscc writes `%h` where keepalived needs each server's own address
        program = _escaped(path.args[0]).replace(str(real.address), "%h")
        return HealthCheck(send_program=program, span=checker.span, **self.timers(vs, checker))

    def http_get(self, vs: _Virtual, real: _Real, checker: Entry) -> HealthCheck | None:
        self.leftovers(checker, ("url", "connect_port"))
        urls = [e for e in checker.body or () if e.key == "url"]
        if not urls:
            self.notes.malformed(checker, "HTTP_GET without url")
            return None
        for extra in urls[1:]:
            self.notes.untranslated(extra, "lvscc checks one URL per service")
        path, host, expect, regex = "/", None, None, False
        for entry in urls[0].body or ():
            value = entry.args[0] if entry.args else ""
            if entry.key == "path":
                path = _plain(value)
            elif entry.key == "virtualhost":
                host = _plain(value)
            elif entry.key == "regex":
                expect, regex = _escaped(value), True
            elif entry.key == "status_code" and not regex:
                expect = self.status(entry)
            else:
                self.notes.untranslated(entry, "no lvscc equivalent in a URL check")
        send = f"GET {path} HTTP/1.0\r\n" + (f"Host: {host}\r\n" if host else "") + "\r\n"
        return HealthCheck(send=send, expect=expect, regex=regex, port=self.connect_port(checker),
                           span=checker.span, **self.timers(vs, checker))

    def status(self, entry: Entry) -> str | None:
        codes = [_plain(a) for a in entry.args]
        if codes == ["100-599"]:
            return "HTTP"
        if len(codes) == 1 and codes[0].isdigit():
            return f"HTTP/1.1 {codes[0]}"
        self.notes.untranslated(entry, "lvscc expects one status code; keepalived's default (2xx) is kept")
        return None

    # building
    def services(self) -> list[VirtualService]:
        services = []
        for vs, targets in self.virtuals:
            for address, port, mark in targets:
                service = self.service(vs, address, port, mark)
                if service is not None:
                    services.append(service)
        return services

    def service(self, vs: _Virtual, address: IPAddress | None, port: int, mark: int | None) -> VirtualService | None:
        protocol = None
        if mark is None:
            protocol = vs.protocol
            if protocol is None:
                self.notes.assumed(vs.entry.span, "no `protocol`: keepalived makes this a UDP service",
                                   "write `protocol TCP` if that was meant")
                protocol = Protocol.UDP
        if vs.sorry_port is not None and vs.sorry_port[1] not in (port, 0):
            self.notes.untranslated(vs.sorry_port[0], f"lvscc sends sorry traffic to the service's port {port}, "
                                                      f"not {vs.sorry_port[1]}")
        vip, device = self.vip(vs, address, mark)
        name = self.service_name(protocol, address, port, mark, vip)
        check = self.check(vs)
        if mark is not None:
            self.notes.assumed(vs.entry.span, f"keepalived.conf does not say which packets carry fwmark {mark}",
                               f"add the marked ports: `fwmark {mark} {{ tcp PORTS }}`")
        return VirtualService(
            name=name, vip=vip, vip_dev=device, protocol=protocol, port=None if mark else port, fwmark=mark,
            scheduler=vs.scheduler, sched_flags=tuple(sorted(vs.flags)), persistence=vs.persistence,
            persistence_mask=vs.mask, persistence_engine=vs.engine, one_packet=vs.ops, forwarding=vs.forwarding,
            check=check, quiesce=self.quiesce(vs), servers=self.real_servers(vs, None if mark else port),
            sorry_server=vs.sorry, span=vs.entry.span,
        )

    def vip(self, vs: _Virtual, address: IPAddress | None, mark: int | None) -> tuple[IPInterface | None, str | None]:
        if address is None:
            family = vs.family or (vs.reals[0].address.version if vs.reals else 4)
            # behind NAT the gateway shares its network with the real servers; a VIP does not
            nat = vs.forwarding.method is Method.NAT
            candidates = [v for v in self.vips.values() if v[0].version == family and v[0].ip not in self.used()
                          and not (nat and _serves(v[0], vs.reals))]
            if not candidates:
                self.notes.assumed(vs.entry.span, f"fwmark {mark}: no VRRP address left to be its VIP")
                return None, None
            network, device, _ = candidates[0]
            self.notes.assumed(vs.entry.span, f"fwmark {mark}: took VRRP address {network.ip} as its VIP")
            self.claimed.add(network.ip)
            return network, device
        if address in self.vips:
            network, device, _ = self.vips[address]
            return network, device
        self.notes.assumed(vs.entry.span, f"no VRRP instance floats {address}; its device is unknown",
                           "add `dev DEVICE` to the service's `vip`")
        return ip_interface(address), None

    def used(self) -> set[IPAddress]:
        return {a for _, targets in self.virtuals for a, _, _ in targets if a is not None} | self.claimed

    @staticmethod
    def service_name(protocol: Protocol | None, address: IPAddress | None, port: int, mark: int | None,
                     vip: IPInterface | None) -> str:
        if mark is not None:
            return f"svc-fwmark-{mark}" + ("-6" if vip is not None and vip.version == 6 else "")
        assert protocol is not None and address is not None
        return f"svc-{protocol.value}-{dashed(address)}-{port}"

    def check(self, vs: _Virtual) -> HealthCheck | None:
        checks = [r.check for r in vs.reals]
        first = next((c for c in checks if c is not None), None)
        if any(_meaning(c) != _meaning(first) for c in checks):
            self.notes.conflict(vs.entry.span, "the real servers are checked differently; lvscc has one check "
                                               "per service, the first server's was kept")
        return first

    def quiesce(self, vs: _Virtual) -> bool:
        inhibited = {r.inhibit for r in vs.reals}
        if vs.inhibit or inhibited == {True}:
            return True
        if len(inhibited) > 1:
            self.notes.conflict(vs.entry.span, "inhibit_on_failure is set on some real servers only; lvscc "
                                               "quiesces all servers of a service or none")
        return False

    def real_servers(self, vs: _Virtual, port: int | None) -> tuple[RealServer, ...]:
        servers, seen = [], set()
        for real in vs.reals:
            key = (real.address, real.port if real.port != port else None)
            if key in seen:
                self.notes.conflict(real.span, f"real server {real.address} is listed twice; keepalived drops the "
                                               "second, so does lvscc")
                continue
            seen.add(key)
            name = f"rs-{dashed(real.address)}" + (f"-{real.port}" if real.port not in (None, port, 0) else "")
            method = real.method.method if real.method is not None else None
            if real.method is not None and real.method.tunnel not in (None, vs.forwarding.tunnel):
                self.notes.conflict(real.span, f"real server {real.address} tunnels differently from its service; "
                                               "lvscc keeps the service's tunnel options")
            servers.append(RealServer(
                name=name, address=real.address, port=key[1] if key[1] else None, weight=real.weight,
                upper=real.upper, lower=real.lower,
                method=method if method is not None and method is not vs.forwarding.method else None,
                span=real.span,
            ))
        return tuple(servers)


def _serves(network: IPInterface, reals: list[_Real]) -> bool:
    return any(r.address in network.network for r in reals if r.address.version == network.version)


def _meaning(check: HealthCheck | None) -> HealthCheck | None:
    return replace(check, span=span_at("", 0, 0, 0)) if check is not None else None


CHECKERS = {"TCP_CHECK": _Importer.tcp_check, "MISC_CHECK": _Importer.misc_check, "HTTP_GET": _Importer.http_get}


def _cluster_forwarding(imp: _Importer, services: list[VirtualService]) -> Forwarding:
    """The most used method becomes the cluster's; the NAT gateway is the VRRP address that is
    no service's VIP."""
    if not services:
        return Forwarding()
    counts = Counter(s.forwarding for s in services)
    forwarding = max(counts, key=lambda f: (counts[f], -[s.forwarding for s in services].index(f)))
    spare = [v for ip, v in imp.vips.items() if ip not in {s.vip.ip for s in services if s.vip is not None}]
    nat_servers = [r.address for s in services if s.forwarding.method is Method.NAT for r in s.servers]
    gateways = [v for v in spare if any(a in v[0].network for a in nat_servers if a.version == v[0].version)]
    if forwarding.method is Method.NAT and gateways:
        network, device, line = gateways[0]
        spare.remove(gateways[0])
        imp.notes.assumed(line.span, f"{network} is no service's VIP: taken as the NAT gateway of the real servers")
        forwarding = replace(forwarding, gateway=network, gateway_dev=device)
    for network, _, line in spare:
        imp.notes.untranslated(line, f"{network} is neither a VIP nor the NAT gateway")
    return forwarding


def import_keepalived(text: str, filename: str) -> tuple[Config | None, list[Diagnostic]]:
    imp = _Importer(filename)
    entries = _tree(_words(text), filename, imp.notes)
    if any(d.code == "LVS500" for d in imp.notes.items):
        return None, imp.notes.items
    imp.top(entries)
    services = imp.services()
    forwarding = _cluster_forwarding(imp, services)
    services = [replace(s, forwarding=forwarding) if s.forwarding.method is forwarding.method
                and s.forwarding.tunnel == forwarding.tunnel else s for s in services]
    config = Config(
        name=lvs_name(Path(filename).stem),
        directors=tuple(sorted(imp.directors, key=lambda d: d.role != "primary")),
        heartbeat=imp.heartbeat,
        sync_daemon=imp.sync,
        forwarding=forwarding,
        timeouts=imp.timeouts,
        services=tuple(services),
        files=(filename,),
        span=span_at(filename, 1, 1, 0),
    )
    return config, sorted(imp.notes.items, key=lambda d: d.sort_key)
