"""Piranha's /etc/sysconfig/ha/lvs.cf -> Config (lvs-domain.md §2).

Defaults are piranha's own (lvsconfig.c): a virtual server or real server without `active = 1`
is inactive, a virtual listens on tcp 80 with wlc, nanny checks every server (a TCP connect
when there is no send/expect), timeout 10 s, reentry 180 s. Every keyword that does not become
part of the Config is reported, never skipped."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TypeVar, cast
from ipaddress import IPv4Address, IPv4Interface, IPv4Network

from lvscc.diagnostics import Diagnostic
from lvscc.importers.common import Entry, Notes, lvs_name, parse_address, parse_int, span_at
from lvscc.model.config import (
    Config,
    Director,
    Forwarding,
    HealthCheck,
    Heartbeat,
    MarkPorts,
    Method,
    PortRange,
    Protocol,
    RealServer,
    SyncDaemon,
    Timeouts,
    VirtualService,
)
from lvscc.model.span import Span

T = TypeVar("T")
SCHEDULERS = ("rr", "wrr", "lc", "wlc", "lblc", "lblcr", "dh", "sh")
NETWORKS = {"nat": Method.NAT, "direct": Method.DIRECT, "tunnel": Method.TUNNEL}
LOAD_MONITORS = ("none", "uptime", "rup", "ruptime")
# getservbyname() answers from the importing machine's /etc/services; a fixed table keeps an
# import the same on every machine.
SERVICE_PORTS = {
    "ftp": 21, "ssh": 22, "telnet": 23, "smtp": 25, "domain": 53, "http": 80, "www": 80, "pop3": 110,
    "imap": 143, "ldap": 389, "https": 443, "submission": 587, "ldaps": 636, "imaps": 993, "pop3s": 995,
    "mysql": 3306, "postgresql": 5432,
}
# nanny's string escapes (lvs.cf(5)); anything else after a backslash is kept as written.
NANNY_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "\\": "\\", "'": "'", '"': '"'}
NO_EFFECT = {
    "serial_no": "the GUI's edit counter",
    "debug_level": "unused by piranha",
    "ipvsadm": "lvscc's artifacts call ipvsadm from PATH",
}
# (keyword, piranha's default): at the default the keyword changes nothing, otherwise it is
# behaviour lvscc does not have.
UNSUPPORTED_GLOBALS = {
    "rsh_command": ("rsh", "lvscc neither copies files between routers nor runs remote load commands"),
    "sync": ("0", "lvscc does not synchronise files between routers"),
    "hard_shutdown": ("1", "lvscc does not control pulse's shutdown"),
    "active_cmd": (None, "lvscc does not run scripts on failover"),
    "inactive_cmd": (None, "lvscc does not run scripts on failover"),
    "primary_shared": (None, "shared disks belong to failover services (fos)"),
    "backup_shared": (None, "shared disks belong to failover services (fos)"),
    "reservation_conflict_action": (None, "SCSI reservations belong to failover services (fos)"),
}
FAILOVER_ONLY = ("start_cmd", "stop_cmd", "master", "dirs")


# ---- reading ------------------------------------------------------------------------------

def _tokens(text: str, line: int, filename: str, notes: Notes) -> list[tuple[str, int]] | None:
    """lvsconfig.c tokenizeString: blank-separated words; a word opening with ' or " runs to the
    same quote on the line. Returns (word, column) pairs, quotes removed."""
    words: list[tuple[str, int]] = []
    i = 0
    while i < len(text):
        if text[i] in " \t":
            i += 1
            continue
        start = i
        if text[i] in "\"'":
            end = text.find(text[i], i + 1)
            if end < 0:
                notes.unreadable(span_at(filename, line, start + 1, len(text) - start), "unterminated quote")
                return None
            words.append((text[i + 1:end], start + 1))
            i = end + 1
        else:
            while i < len(text) and text[i] not in " \t":
                i += 1
            words.append((text[start:i], start + 1))
    return words


def _read(text: str, filename: str, notes: Notes) -> tuple[Entry, ...]:
    stack: list[tuple[Entry | None, list[Entry]]] = [(None, [])]
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            continue
        words = _tokens(raw.rstrip("\r"), number, filename, notes)
        if not words:
            continue
        head, column = words[0]
        span = span_at(filename, number, column, len(stripped))
        if head == "}" and len(words) == 1:
            if len(stack) == 1:
                notes.unreadable(span, "`}` without an open block")
                continue
            opener, body = stack.pop()
            assert opener is not None
            stack[-1][1].append(replace(opener, body=tuple(body)))
        elif len(words) == 3 and words[2][0] == "{":
            stack.append((Entry(head, (words[1][0],), span), []))
        elif len(words) >= 3 and words[1][0] == "=":
            stack[-1][1].append(Entry(head, tuple(w for w, _ in words[2:]), span))
        else:
            notes.unreadable(span, "expected `keyword = value` or `keyword name {`")
    for opener, _ in stack[1:]:
        assert opener is not None
        notes.unreadable(opener.span, f"`{opener.key} {opener.args[0]}` is never closed")
    return tuple(stack[0][1]) if len(stack) == 1 else ()


# ---- values -------------------------------------------------------------------------------

def _unescape(text: str) -> str:
    out, i = [], 0
    while i < len(text):
        if text[i] == "\\" and i + 1 < len(text) and text[i + 1] in NANNY_ESCAPES:
            out.append(NANNY_ESCAPES[text[i + 1]])
            i += 2
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


class _Values:
    """Typed access to an entry's arguments; a bad value becomes LVS502 and None."""

    def __init__(self, notes: Notes) -> None:
        self.notes = notes

    def one(self, entry: Entry, count: int = 1) -> tuple[str, ...] | None:
        if len(entry.args) != count:
            self.notes.malformed(entry, f"takes {count} value{'s' if count > 1 else ''}")
            return None
        return entry.args

    def number(self, entry: Entry) -> int | None:
        args = self.one(entry)
        if args is None:
            return None
        value = _c_number(args[0])
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

    def netmask(self, entry: Entry) -> IPv4Address | None:
        args = self.one(entry)
        if args is None:
            return None
        mask = self.address(entry, args[0])
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
        value = SERVICE_PORTS.get(args[0], _c_number(args[0]))
        if value is None or not 0 <= value <= 65535:
            self.notes.malformed(entry, f"{args[0]!r} is not a port number or a known service name")
            return None
        return value


def _c_number(text: str) -> int | None:
    """strtol(text, NULL, 0) as lvsconfig.c reads numbers: decimal, 0x hex, leading-0 octal."""
    return parse_int(text, 8) if re.fullmatch(r"0[0-7]+", text) else parse_int(text, 0)


def _prefix(mask: IPv4Address | None) -> int:
    return IPv4Network(f"0.0.0.0/{mask}").prefixlen if mask is not None else 32


# ---- translating --------------------------------------------------------------------------

@dataclass
class _Virtual:
    """One `virtual` block as piranha reads it, before virtuals sharing a fwmark are merged."""

    name: str
    span: Span
    active: bool = False
    address: IPv4Address | None = None
    device: str | None = None
    nmask: IPv4Address | None = None
    sorry: IPv4Address | None = None
    fwmark: int = 0
    protocol: Protocol = Protocol.TCP
    port: int = 80
    scheduler: str = "wlc"
    persistent: int = 0
    pmask: IPv4Address | None = None
    check: HealthCheck = HealthCheck()
    quiesce: bool = False
    servers: list[tuple[str, Span, dict[str, object]]] = field(default_factory=list)


class _Importer:
    def __init__(self, filename: str) -> None:
        self.filename = filename
        self.notes = Notes()
        self.values = _Values(self.notes)
        self.globals: dict[str, tuple[Entry, object]] = {}
        self.virtuals: list[_Virtual] = []
        self.cluster_forwarding = Forwarding()

    # globals
    def top(self, entries: tuple[Entry, ...]) -> None:
        for entry in entries:
            if entry.body is not None:
                self.block(entry)
            elif entry.key in NO_EFFECT:
                self.notes.dropped(entry, NO_EFFECT[entry.key])
            elif entry.key in UNSUPPORTED_GLOBALS:
                default, why = UNSUPPORTED_GLOBALS[entry.key]
                if entry.args == (default,):
                    self.notes.dropped(entry, f"piranha's default; {why}")
                else:
                    self.notes.untranslated(entry, why)
            else:
                self.setting(entry)

    def setting(self, entry: Entry) -> None:
        v = self.values
        parsers = {
            "service": lambda e: self.one_of(e, ("lvs", "fos")),
            "primary": lambda e: self.host(e), "backup": lambda e: self.host(e),
            "primary_private": lambda e: self.host(e), "backup_private": lambda e: self.host(e),
            "backup_active": v.boolean, "heartbeat": v.boolean, "heartbeat_port": v.port,
            "keepalive": v.number, "deadtime": v.number, "monitor_links": v.number,
            "network": lambda e: self.one_of(e, tuple(NETWORKS)),
            "nat_router": lambda e: self.nat_router(e), "nat_nmask": v.netmask,
            "syncdaemon": v.boolean, "syncd_iface": lambda e: (v.one(e) or (None,))[0], "syncd_id": v.number,
            "tcp_timeout": v.number, "tcpfin_timeout": v.number, "udp_timeout": v.number,
        }
        parser = parsers.get(entry.key)
        if parser is None:
            self.notes.untranslated(entry, "not an lvs.cf keyword lvscc knows")
            return
        value = parser(entry)
        if value is not None:
            self.globals[entry.key] = (entry, value)

    def one_of(self, entry: Entry, choices: tuple[str, ...]) -> str | None:
        args = self.values.one(entry)
        if args is not None and args[0] not in choices:
            self.notes.malformed(entry, f"{args[0]!r} is not one of {', '.join(choices)}")
            return None
        return args[0] if args else None

    def host(self, entry: Entry) -> IPv4Address | None:
        args = self.values.one(entry)
        return self.values.address(entry, args[0]) if args else None

    def nat_router(self, entry: Entry) -> tuple[IPv4Address, str] | None:
        args = self.values.one(entry, 2)
        if args is None:
            return None
        address = self.values.address(entry, args[0])
        return (address, args[1]) if address is not None else None

    def value(self, key: str, default: T) -> T:
        """A global's parsed value; the parser table above fixes each key's type."""
        return cast(T, self.globals[key][1]) if key in self.globals else default

    # blocks
    def block(self, entry: Entry) -> None:
        if entry.key == "virtual":
            self.virtual(entry)
        elif entry.key == "failover":
            self.notes.untranslated(entry, "failover services (fos) are not load balancing; lvscc has no equivalent")
        else:
            self.notes.untranslated(entry, "not an lvs.cf block")

    def virtual(self, block: Entry) -> None:
        vs = _Virtual(block.args[0], block.span)
        check: dict[str, object] = {}
        v = self.values
        for entry in block.body or ():
            if entry.key == "server" and entry.body is not None:
                vs.servers.append((entry.args[0], entry.span, self.server(entry)))
            elif entry.body is not None:
                self.notes.untranslated(entry, "not a block of `virtual`")
            elif entry.key in FAILOVER_ONLY:
                self.notes.untranslated(entry, "only failover services (fos) use it")
            elif entry.key == "client_monitor":
                self.notes.untranslated(entry, "lvscc hands checks to keepalived or nanny, not a chosen monitor")
            elif entry.key in ("send", "expect", "send_program"):
                args = v.one(entry)
                if args is not None:
                    check[entry.key] = _unescape(args[0])
            elif entry.key == "use_regex":
                check["regex"] = v.boolean(entry)
            elif entry.key in ("timeout", "reentry"):
                check[entry.key] = v.number(entry)
            elif entry.key == "load_monitor":
                check["load_monitor"] = self.one_of(entry, LOAD_MONITORS)
            else:
                self.virtual_setting(vs, entry)
        vs.check = HealthCheck(**{k: val for k, val in check.items() if val is not None},
                               span=block.span)  # type: ignore[arg-type]
        self.virtuals.append(vs)

    def virtual_setting(self, vs: _Virtual, entry: Entry) -> None:
        v = self.values
        simple = {
            "active": ("active", v.boolean), "vip_nmask": ("nmask", v.netmask), "fwmark": ("fwmark", v.number),
            "port": ("port", v.port), "persistent": ("persistent", v.number), "pmask": ("pmask", v.netmask),
            "quiesce_server": ("quiesce", v.boolean), "sorry_server": ("sorry", self.host),
            "protocol": ("protocol", lambda e: (p := self.one_of(e, ("tcp", "udp"))) and Protocol(p)),
            "scheduler": ("scheduler", lambda e: self.one_of(e, SCHEDULERS)),
        }
        if entry.key == "address":
            args = v.one(entry, 2)
            if args is not None:
                vs.address, vs.device = v.address(entry, args[0]), args[1]
        elif entry.key in simple:
            attribute, parser = simple[entry.key]
            value = parser(entry)
            if value is not None:
                setattr(vs, attribute, value)
        else:
            self.notes.untranslated(entry, "not a keyword of `virtual`")

    def server(self, block: Entry) -> dict[str, object]:
        fields: dict[str, object] = {"active": False}
        v = self.values
        parsers = {"address": self.host, "active": v.boolean, "weight": v.number, "port": v.port}
        for entry in block.body or ():
            parser = parsers.get(entry.key) if entry.body is None else None
            if parser is None:
                self.notes.untranslated(entry, "not a keyword of `server`")
                continue
            value = parser(entry)
            if value is not None:
                fields[entry.key] = value
        if "address" not in fields:
            self.notes.malformed(block, "a real server needs `address`")
        return fields


# ---- building -----------------------------------------------------------------------------

def _directors(imp: _Importer) -> tuple[Director, ...]:
    directors = []
    for role in ("primary", "backup"):
        public = imp.value(role, cast(IPv4Address | None, None))
        private = imp.value(f"{role}_private", cast(IPv4Address | None, None))
        if public is None and private is None:
            continue
        if role == "backup" and not imp.value("backup_active", False):
            entry = imp.globals.get("backup", imp.globals.get("backup_private"))
            assert entry is not None
            imp.notes.untranslated(entry[0], "the backup router is not active (backup_active = 0)")
            continue
        directors.append(Director(role, public=public, private=private))
    return tuple(directors)


def _heartbeat(imp: _Importer) -> Heartbeat | None:
    keys = ("heartbeat_port", "keepalive", "deadtime", "monitor_links")
    if not imp.value("heartbeat", False):
        for key in keys:
            if key in imp.globals:
                imp.notes.dropped(imp.globals[key][0], "heartbeat = 0")
        return None
    defaults = Heartbeat()
    return Heartbeat(
        port=imp.value("heartbeat_port", defaults.port),
        interval=imp.value("keepalive", defaults.interval),
        dead_after=imp.value("deadtime", defaults.dead_after),
        monitor_links=bool(imp.value("monitor_links", 0)),
    )


def _sync_daemon(imp: _Importer) -> SyncDaemon | None:
    if not imp.value("syncdaemon", False):
        for key in ("syncd_iface", "syncd_id"):
            if key in imp.globals:
                imp.notes.dropped(imp.globals[key][0], "syncdaemon = 0")
        return None
    return SyncDaemon(interface=imp.value("syncd_iface", "eth0"), sync_id=imp.value("syncd_id", 0))


def _forwarding(imp: _Importer) -> Forwarding:
    method = NETWORKS[imp.value("network", "nat")]
    router = imp.value("nat_router", cast(tuple[IPv4Address, str] | None, None))
    if method is not Method.NAT:
        for key in ("nat_router", "nat_nmask"):
            if key in imp.globals:
                imp.notes.dropped(imp.globals[key][0], f"network = {imp.value('network', 'nat')}")
        return Forwarding(method=method)
    if router is None:
        return Forwarding(method=method)
    address, device = router
    prefix = _prefix(imp.value("nat_nmask", cast(IPv4Address | None, None)))
    return Forwarding(method=method, gateway=IPv4Interface(f"{address}/{prefix}"), gateway_dev=device)


def _timeouts(imp: _Importer) -> Timeouts | None:
    tcp, tcpfin, udp = (imp.value(f"{k}_timeout", 0) or None for k in ("tcp", "tcpfin", "udp"))
    return Timeouts(tcp, tcpfin, udp) if tcp or tcpfin or udp else None


def _real_servers(imp: _Importer, vs: _Virtual, service_port: int | None) -> list[RealServer]:
    servers = []
    for raw_name, span, fields in vs.servers:
        if "address" not in fields:
            continue
        # lvsconfig.c: a server's port defaults to the virtual's; for a firewall mark, port 0
        # is what lets the request's own port through
        port = fields.get("port", vs.port)
        servers.append(RealServer(
            name=imp.notes.name(raw_name, span),
            address=fields["address"],  # type: ignore[arg-type]
            port=None if port in (service_port, 0) else port,  # type: ignore[arg-type]
            weight=fields.get("weight", 1),  # type: ignore[arg-type]
            active=bool(fields["active"]),
            span=span,
        ))
    return servers


def _service(imp: _Importer, vs: _Virtual) -> VirtualService | None:
    if vs.address is None:
        imp.notes.malformed(Entry("virtual", (vs.name,), vs.span), "a virtual server needs `address = IP DEVICE`")
        return None
    check = vs.check
    if vs.fwmark and check.port is None:
        check = replace(check, port=vs.port)  # nanny checks the virtual's port
    return VirtualService(
        name=imp.notes.name(vs.name, vs.span),
        vip=IPv4Interface(f"{vs.address}/{_prefix(vs.nmask)}"),
        vip_dev=vs.device,
        protocol=None if vs.fwmark else vs.protocol,
        port=None if vs.fwmark else vs.port,
        fwmark=vs.fwmark or None,
        mark_ports=(MarkPorts(vs.protocol, (PortRange(vs.port, vs.port),), vs.span),) if vs.fwmark else (),
        scheduler=vs.scheduler,
        persistence=vs.persistent or None,
        persistence_mask=None if vs.pmask in (None, IPv4Address("255.255.255.255")) else vs.pmask,
        check=check,
        quiesce=vs.quiesce,
        servers=tuple(_real_servers(imp, vs, None if vs.fwmark else vs.port)),
        active=vs.active,
        sorry_server=vs.sorry,
        forwarding=imp.cluster_forwarding,
        span=vs.span,
    )


MERGED_FIELDS = ("vip", "scheduler", "persistence", "persistence_mask", "quiesce", "active", "sorry_server")


def _merge(imp: _Importer, first: VirtualService, other: VirtualService) -> VirtualService:
    """IPVS has one service per fwmark: piranha virtuals sharing a mark become one service whose
    mark carries each virtual's port (the guide's http+https scheme)."""
    differing = [f for f in MERGED_FIELDS if getattr(first, f) != getattr(other, f)]
    if differing:
        imp.notes.conflict(other.span, f"virtual {other.name} shares fwmark {first.fwmark} with {first.name} but "
                                       f"differs in {', '.join(differing)}; {first.name}'s settings kept")
    known = {(rs.address, rs.port) for rs in first.servers}
    ports = {p for m in first.mark_ports for p in m.ports}
    extra_marks = tuple(m for m in other.mark_ports if not set(m.ports) <= ports)
    return replace(
        first,
        mark_ports=_join_marks(first.mark_ports + extra_marks),
        servers=first.servers + tuple(rs for rs in other.servers if (rs.address, rs.port) not in known),
    )


def _join_marks(marks: tuple[MarkPorts, ...]) -> tuple[MarkPorts, ...]:
    joined: dict[Protocol, MarkPorts] = {}
    for m in marks:
        seen = joined.get(m.protocol)
        joined[m.protocol] = m if seen is None else replace(seen, ports=seen.ports + m.ports)
    return tuple(joined.values())


def _services(imp: _Importer) -> tuple[VirtualService, ...]:
    services: list[VirtualService] = []
    by_mark: dict[int, int] = {}
    for vs in imp.virtuals:
        service = _service(imp, vs)
        if service is None:
            continue
        if service.fwmark is not None and service.fwmark in by_mark:
            index = by_mark[service.fwmark]
            services[index] = _merge(imp, services[index], service)
            continue
        if service.fwmark is not None:
            by_mark[service.fwmark] = len(services)
            imp.notes.assumed(vs.span, f"lvs.cf does not say which packets carry fwmark {service.fwmark}; assumed "
                                       f"{vs.protocol} port {vs.port} to {vs.address}",
                              "check the mangle PREROUTING rules on the routers and correct the `fwmark` block")
        services.append(service)
    return tuple(services)


def import_piranha(text: str, filename: str) -> tuple[Config | None, list[Diagnostic]]:
    imp = _Importer(filename)
    entries = _read(text, filename, imp.notes)
    if any(d.code == "LVS500" for d in imp.notes.items):
        return None, imp.notes.items
    imp.top(entries)
    if imp.value("service", "lvs") == "fos":
        imp.notes.untranslated(imp.globals["service"][0], "failover services (fos) are not load balancing")
    imp.cluster_forwarding = _forwarding(imp)
    config = Config(
        name=lvs_name(Path(filename).stem),
        directors=_directors(imp),
        heartbeat=_heartbeat(imp),
        sync_daemon=_sync_daemon(imp),
        forwarding=imp.cluster_forwarding,
        timeouts=_timeouts(imp),
        services=_services(imp),
        files=(filename,),
        span=span_at(filename, 1, 1, 0),
    )
    return config, sorted(imp.notes.items, key=lambda d: d.sort_key)
