"""`ipvsadm-save -n` (or any ipvsadm-restore input) -> Config.

The dump describes one director's kernel table and nothing else: no devices, no marking rules,
no health checks. Services and servers are named from what identifies them
(svc-tcp-192-0-2-10-80, svc-fwmark-21, rs-10-11-12-1), so the same dump always imports the same."""

from __future__ import annotations

import re
import socket
from ipaddress import IPv4Address, ip_interface

from lvscc.diagnostics import Diagnostic
from lvscc.importers.common import (
    Entry,
    Notes,
    fwmark_service_name,
    imported,
    kernel_timeouts,
    most_common,
    real_server_name,
    service_name,
    span_at,
)
from lvscc.model.config import Config, Forwarding, Method, RealServer, Tunnel, VirtualService
from lvscc.model.state import IpvsDest, IpvsService
from lvscc.probes.ipvsadm import IpvsadmSyntaxError, parse_save

COMMANDS = ("-A", "--add-service", "-a", "--add-server", "--set")


def _entry(filename: str, number: int, line: str) -> Entry:
    words = line.split()
    return Entry(words[0] if words else "", tuple(words[1:]), span_at(filename, number, 1, len(line)))


# ipvsadm-save without -n writes ports by service name (getservbyname, /etc/services); these
# are the names it prints for the usual LVS services when /etc/services is not installed
SERVICE_PORTS = {"ftp": 21, "ssh": 22, "telnet": 23, "smtp": 25, "domain": 53, "http": 80, "www": 80, "pop3": 110,
                 "imap": 143, "snmp": 161, "ldap": 389, "https": 443, "smtps": 465, "submission": 587,
                 "ldaps": 636, "imaps": 993, "pop3s": 995, "ms-sql-s": 1433, "mysql": 3306, "sip": 5060,
                 "postgresql": 5432, "http-alt": 8080}
_NAMED_PORT = re.compile(r"(?<=[0-9\]]):([A-Za-z][A-Za-z0-9_-]*)(?=\s|$)")


def numeric_ports(line: str) -> str:
    """`192.0.2.1:http` as ipvsadm reads it back: the port by its service name."""
    protocol = "udp" if re.search(r"(?:^|\s)(?:-u|--udp-service)\s", line) else "tcp"

    def number(match: re.Match[str]) -> str:
        name = match.group(1)
        try:
            return f":{socket.getservbyname(name, protocol)}"
        except OSError:
            return f":{SERVICE_PORTS[name]}" if name in SERVICE_PORTS else match.group(0)

    return _NAMED_PORT.sub(number, line)


def _command(line: str) -> str:
    """The ipvsadm command a dump line gives, with or without the leading `ipvsadm`."""
    words = line.split()
    return words[1] if words[:1] == ["ipvsadm"] and len(words) > 1 else (words[0] if words else "")


def _readable(text: str, filename: str, notes: Notes) -> str:
    """The dump with every line parse_save cannot take blanked out (and reported), so the
    line numbers of the rest stay right."""
    kept = []
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        command = _command(line)
        if line and command not in COMMANDS:
            notes.untranslated(_entry(filename, number, line), "only service, server and --set lines describe the table")
            line = ""
        elif line:
            line = numeric_ports(line)
            try:
                parse_save(line)  # the message names no file: the note gives the place
            except IpvsadmSyntaxError as e:
                notes.malformed(_entry(filename, number, line), str(e).split(": ", 1)[-1])
                line = ""
        kept.append(line)
    return "\n".join(kept)


def _forwarding(dest: IpvsDest) -> Forwarding:
    if dest.method is not Method.TUNNEL:
        return Forwarding(method=dest.method)
    return Forwarding(method=dest.method, tunnel=Tunnel(dest.tun_type, dest.tun_port, dest.tun_csum)
                      if dest.tun_type else None)


def _service(ipvs: IpvsService, filename: str, notes: Notes) -> VirtualService:
    span = span_at(filename, ipvs.origin.line if ipvs.origin else 0, 1, 0)
    forwarding = most_common([_forwarding(d) for d in ipvs.dests])
    if ipvs.fwmark:
        name = fwmark_service_name(ipvs.fwmark, ipvs.family)
        notes.assumed(span, f"fwmark {ipvs.fwmark}: an IPVS table does not say which packets carry the mark "
                            "or to which VIP", f"add `vip ADDRESS dev DEVICE` and `fwmark {ipvs.fwmark} {{ tcp PORTS }}`")
    else:
        assert ipvs.protocol is not None and ipvs.address is not None
        name = service_name(ipvs.protocol, ipvs.address, ipvs.port)
    mask = ipvs.netmask
    return VirtualService(
        name=name,
        vip=ip_interface(ipvs.address) if ipvs.address is not None else None,
        protocol=ipvs.protocol,
        port=None if ipvs.fwmark else ipvs.port,
        fwmark=ipvs.fwmark or None,
        marks_external=bool(ipvs.fwmark),
        scheduler=ipvs.scheduler,
        sched_flags=ipvs.flags,
        persistence=ipvs.persistence,
        persistence_mask=(int(mask) if mask.isdigit() else IPv4Address(mask)) if mask else None,
        persistence_engine=ipvs.pe,
        one_packet=ipvs.ops,
        forwarding=forwarding,
        servers=tuple(_server(d, ipvs, forwarding, notes) for d in ipvs.dests),
        span=span,
    )


def _server(dest: IpvsDest, ipvs: IpvsService, forwarding: Forwarding, notes: Notes) -> RealServer:
    remapped = dest.port not in (0, ipvs.port)
    span = span_at(ipvs.origin.file if ipvs.origin else "", dest.origin.line if dest.origin else 0, 1, 0)
    if _forwarding(dest).tunnel not in (None, forwarding.tunnel):
        # a per-server method carries no tunnel options of its own (docs/language.md)
        notes.conflict(span, f"real server {dest.address} tunnels differently from its service; "
                             "lvscc keeps the service's tunnel options")
    return RealServer(
        name=real_server_name(dest.address, dest.port, ipvs.port),
        address=dest.address,
        port=dest.port if remapped else None,
        weight=dest.weight,
        upper=dest.upper,
        lower=dest.lower,
        method=dest.method if dest.method is not forwarding.method else None,
        span=span,
    )


def _orphans(text: str, services: tuple[IpvsService, ...], filename: str, notes: Notes) -> None:
    """parse_save keeps real servers only under a declared service; report the others."""
    placed = {d.origin.line for s in services for d in s.dests if d.origin}
    for number, line in enumerate(text.splitlines(), 1):
        if _command(line) in ("-a", "--add-server") and number not in placed:
            notes.malformed(_entry(filename, number, line), "real server of a service the dump never adds (-A)")


def import_ipvsadm(text: str, filename: str) -> tuple[Config | None, list[Diagnostic]]:
    notes = Notes()
    readable = _readable(text, filename, notes)
    table = parse_save(readable, filename)
    _orphans(readable, table.services, filename, notes)
    services = tuple(_service(s, filename, notes) for s in table.services)
    forwarding = most_common([s.forwarding for s in services])
    t = table.timeouts
    return imported(
        filename, notes,
        forwarding=forwarding,
        timeouts=kernel_timeouts(t.tcp, t.tcpfin, t.udp) if t else None,
        services=services,
    )
