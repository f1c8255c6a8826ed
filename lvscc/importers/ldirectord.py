"""ldirectord.cf -> Config, read as ldirectord reads it: `key=value` lines, a `virtual=` line
opening a block that its indented lines belong to, global options before the first virtual.

An ldirectord.cf describes one director and never its own address; its real servers' route
back under NAT is the operator's (`gateway external`). Health checks become the service's
`check` block: `negotiate` with `request`/`receive` sends and expects, `connect` opens the port,
anything else (ping, external, off) has no lvscc equivalent and is reported."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from ipaddress import ip_address, ip_interface

from lvscc.diagnostics import Diagnostic
from lvscc.importers.common import (
    Entry,
    Notes,
    fwmark_service_name,
    imported,
    most_common,
    parse_int,
    real_server_name,
    service_name,
    span_at,
)
from lvscc.model.config import (
    DEFAULT_PERSISTENCE,
    SCHEDULERS,
    Config,
    Forwarding,
    HealthCheck,
    IPAddress,
    Method,
    Protocol,
    RealServer,
    VirtualService,
)

METHODS = {"gate": Method.DIRECT, "masq": Method.NAT, "ipip": Method.TUNNEL}
# ldirectord's defaults (ldirectord(8)): checktimeout 5 s, protocol tcp, scheduler wrr, not quiescent
DEFAULT_CHECKTIMEOUT = 5
NO_EFFECT = ("logfile", "emailalert", "emailalertfreq", "emailalertstatus", "autoreload", "callback",
             "supervised", "fork", "cleanstop", "maintenancedir", "smtp", "checkinterval", "checkcount",
             "failurecount", "readdquiescent", "cleanstop")
_LINE = re.compile(r"(\s*)([A-Za-z_]+)\s*=\s*(.*?)\s*$")


@dataclass
class _Virtual:
    entry: Entry
    address: IPAddress | None
    port: int
    mark: int | None
    options: dict[str, Entry] = field(default_factory=dict)
    reals: list[Entry] = field(default_factory=list)


def _value(entry: Entry) -> str:
    text = entry.args[0]  # _read gives every line its one value
    return text[1:-1] if len(text) >= 2 and text[0] == text[-1] == '"' else text


def _read(text: str, filename: str, notes: Notes) -> tuple[dict[str, Entry], list[_Virtual]]:
    globals_: dict[str, Entry] = {}
    virtuals: list[_Virtual] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0]
        if not line.strip():
            continue
        match = _LINE.match(line)
        span = span_at(filename, number, 1, len(raw.rstrip()))
        if match is None:
            notes.unreadable(span, "expected `key=value`")
            continue
        indent, key, value = match.groups()
        entry = Entry(key.lower(), (value,), span)
        if entry.key == "virtual":
            virtuals.append(_virtual(entry, notes))
        elif indent and virtuals:
            target = virtuals[-1]
            if entry.key == "real":
                target.reals.append(entry)
            else:
                target.options[entry.key] = entry
        else:
            globals_[entry.key] = entry
    return globals_, virtuals


def _virtual(entry: Entry, notes: Notes) -> _Virtual:
    text = _value(entry)
    if text.isdigit():
        return _Virtual(entry, None, 0, int(text))
    address, port = _host_port(text)
    if address is None:
        notes.malformed(entry, f"{text!r} is not IP:PORT or a firewall mark")
    return _Virtual(entry, address, port or 0, None)


def _host_port(text: str) -> tuple[IPAddress | None, int | None]:
    match = re.fullmatch(r"\[?([0-9A-Fa-f:.]+?)\]?(?::([0-9]+))?", text)
    if match is None:
        return None, None
    try:
        return ip_address(match.group(1)), parse_int(match.group(2)) if match.group(2) else None
    except ValueError:
        return None, None


class _Translator:
    def __init__(self, notes: Notes, globals_: dict[str, Entry]) -> None:
        self.notes = notes
        self.globals = globals_

    def option(self, vs: _Virtual, key: str) -> str | None:
        entry = vs.options.get(key) or self.globals.get(key)
        return _value(entry) if entry is not None else None

    def service(self, vs: _Virtual) -> VirtualService | None:
        if vs.address is None and vs.mark is None:
            return None
        protocol_text = (self.option(vs, "protocol") or "tcp").lower()
        protocol = None if vs.mark else Protocol(protocol_text) if protocol_text in ("tcp", "udp", "sctp") else None
        if vs.mark is None and protocol is None:
            self.notes.malformed(vs.options.get("protocol") or vs.entry, f"unknown protocol {protocol_text!r}")
            return None
        servers = [s for s in (self.real(e, vs) for e in vs.reals) if s is not None]
        forwarding = most_common([Forwarding(method=m or Method.DIRECT) for _, m in servers])
        if forwarding.method is Method.NAT:
            forwarding = Forwarding(method=Method.NAT, gateway_external=True)
        vip = ip_interface(vs.address) if vs.address is not None else None
        scheduler = self.option(vs, "scheduler") or "wrr"  # ldirectord's default
        if scheduler not in SCHEDULERS:
            self.notes.malformed(vs.options.get("scheduler") or vs.entry, f"unknown scheduler {scheduler!r}")
            scheduler = "wrr"
        persistent = self.option(vs, "persistent")
        fallback = self.option(vs, "fallback")
        self.leftovers(vs)
        return VirtualService(
            name=fwmark_service_name(vs.mark, None) if vs.mark  # a mark virtual has no address, so no family
            else service_name(protocol, vs.address, vs.port),  # type: ignore[arg-type]
            vip=vip, protocol=protocol, port=None if vs.mark else vs.port, fwmark=vs.mark,
            marks_external=vs.mark is not None, scheduler=scheduler,
            persistence=(parse_int(persistent) or DEFAULT_PERSISTENCE) if persistent else None,
            persistence_mask=self.netmask(vs) if persistent else None,
            forwarding=forwarding, check=self.check(vs), quiesce=self.option(vs, "quiescent") == "yes",
            servers=tuple(
                RealServer(name=real_server_name(rs.address, rs.port, vs.port or None), address=rs.address,
                           port=rs.port, weight=rs.weight,
                           method=m if m is not None and m is not forwarding.method else None, span=rs.span)
                for rs, m in servers),
            sorry_server=_host_port(fallback.split()[0])[0] if fallback else None,
            span=vs.entry.span,
        )

    def netmask(self, vs: _Virtual) -> object:
        text = self.option(vs, "netmask")
        if text is None or text == "255.255.255.255":
            return None
        try:
            return ip_address(text) if "." in text else int(text)
        except ValueError:
            self.notes.malformed(vs.options.get("netmask") or vs.entry, f"{text!r} is not a netmask")
            return None

    def real(self, entry: Entry, vs: _Virtual) -> tuple[RealServer, Method | None] | None:
        words = _value(entry).split()
        address, port = _host_port(words[0]) if words else (None, None)
        method = METHODS.get(words[1]) if len(words) > 1 else None
        weight = parse_int(words[2]) if len(words) > 2 else 1
        # ldirectord refuses a method or weight it cannot read: a guess would be a silent other server
        if address is None or (len(words) > 1 and method is None) or weight is None:
            self.notes.malformed(entry, "expected `real=IP[:PORT] gate|masq|ipip [WEIGHT]` (ranges are not read)")
            return None
        if len(words) > 3:
            self.notes.untranslated(entry, "a per-server request/receive: lvscc has one check per service")
        own = port if port not in (None, vs.port) and (method or Method.DIRECT) is Method.NAT else None
        if port not in (None, vs.port, 0) and own is None:
            self.notes.assumed(entry.span, f"port {port} differs from the virtual port {vs.port}, which "
                                           f"{method or Method.DIRECT} cannot remap: reset to {vs.port}")
        return RealServer(name="", address=address, port=own, weight=weight,
                          span=entry.span), method

    def check(self, vs: _Virtual) -> HealthCheck | None:
        kind = (self.option(vs, "checktype") or "negotiate").lower()
        timeout = parse_int(self.option(vs, "negotiatetimeout") or self.option(vs, "checktimeout") or "")
        timeout = timeout or DEFAULT_CHECKTIMEOUT
        port = parse_int(self.option(vs, "checkport") or "")
        if kind == "connect" or (kind.isdigit()):
            return HealthCheck(timeout=timeout, port=port, span=vs.entry.span)
        if kind == "negotiate":
            request, receive = self.option(vs, "request"), self.option(vs, "receive")
            service = (self.option(vs, "service") or "").lower()
            if service in ("", "http", "https") and request is not None:
                send = f"GET /{request.lstrip('/')} HTTP/1.0\r\n\r\n"
                return HealthCheck(send=send, expect=receive, timeout=timeout, port=port, span=vs.entry.span)
            return HealthCheck(timeout=timeout, port=port, span=vs.entry.span)
        self.notes.untranslated(vs.options.get("checktype") or vs.entry,
                                f"checktype {kind} has no lvscc equivalent; the service is not checked")
        return None

    def leftovers(self, vs: _Virtual) -> None:
        used = {"protocol", "scheduler", "persistent", "netmask", "checktype", "checktimeout", "negotiatetimeout",
                "checkport", "request", "receive", "service", "quiescent", "fallback", "virtualhost"}
        for key, entry in vs.options.items():
            if key not in used:
                self.notes.untranslated(entry, "no lvscc equivalent in a virtual service")


def import_ldirectord(text: str, filename: str) -> tuple[Config | None, list[Diagnostic]]:
    notes = Notes()
    globals_, virtuals = _read(text, filename, notes)
    if notes.stopped():
        return None, notes.items
    translator = _Translator(notes, globals_)
    for key, entry in globals_.items():
        if key in NO_EFFECT:
            notes.dropped(entry, "ldirectord's own operation, not the cluster")
        elif key not in ("checktimeout", "negotiatetimeout", "quiescent", "checktype", "scheduler", "protocol",
                         "persistent", "netmask", "service", "fallback", "checkport"):
            notes.untranslated(entry, "no lvscc equivalent")
    services = [s for s in (translator.service(v) for v in virtuals) if s is not None]
    forwarding = most_common([s.forwarding for s in services])
    return imported(filename, notes, forwarding=forwarding, services=tuple(services))
