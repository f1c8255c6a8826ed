"""Piranha's lvs.cf (docs/domain.md: lvs.cf), read by pulse/lvsd/nanny on both routers, so both
directors get the same file. Piranha can say less than lvscc (V28): one forwarding method for
every virtual server, eight schedulers, IPv4 TCP/UDP only, a device on every floating address,
check strings of at most 255 printable characters. `unsupported` names each such gap; the ones
that would change what the kernel does are errors."""

from __future__ import annotations

from lvscc.diagnostics import Diagnostic, error, warning
from lvscc.model.config import Config, Method, Protocol, VirtualService
from lvscc.model.span import Span

SCHEDULERS = ("rr", "wrr", "lc", "wlc", "lblc", "lblcr", "dh", "sh")
MAX_CHECK_STRING = 255
ESCAPES = {"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}  # what nanny decodes


def escaped(text: str) -> str:
    return "".join(ESCAPES.get(c, c) for c in text)


def string(text: object) -> str:
    """A quoted lvs.cf value: lvsconfig.c ends the word at the next quote, so none may be inside."""
    value = escaped(str(text))
    if '"' in value or not value.isprintable() or len(value) > MAX_CHECK_STRING:
        raise ValueError(f"cannot write {text!r} as an lvs.cf string")
    return f'"{value}"'


def check_port(svc: VirtualService) -> int:
    """The `port` of a virtual: what nanny checks; for a firewall mark, the first marked port."""
    if svc.port is not None:
        return svc.port
    if svc.check is not None and svc.check.port is not None:
        return svc.check.port
    return svc.mark_ports[0].ports[0].first if svc.mark_ports else 0


def _at(svc: VirtualService, statement: str) -> Span:
    """The statement's own span when the builder recorded it, else the service's."""
    return svc.spans.get(statement, svc.span)


def unsupported(config: Config) -> list[Diagnostic]:
    found = _addresses(config) + _forwarding(config)
    for svc in config.services:
        found += _service(svc)
    return found


def _addresses(config: Config) -> list[Diagnostic]:
    found = []
    for d in config.directors:
        if any(a is not None and a.version == 6 for a in (d.public, d.private)):
            found.append(error("LVS354", f"director {d.role}: piranha is IPv4 only", d.span))
    fwd = config.forwarding
    if fwd.method is Method.NAT and fwd.gateway is not None and not fwd.gateway_dev:
        found.append(error("LVS352", "lvs.cf `nat_router` needs the NAT gateway's device", fwd.span,
                           "add `dev DEVICE` to the gateway"))
    return found


def _forwarding(config: Config) -> list[Diagnostic]:
    methods = {svc.forwarding.method for svc in config.services} | {
        rs.method for svc in config.services for rs in svc.servers if rs.method is not None}
    found = []
    if len(methods) > 1:
        found.append(error("LVS350", "lvs.cf has one `network` for every virtual server; this config uses "
                           + ", ".join(sorted(methods)), config.span, "split the cluster, or use keepalived"))
    tunnels = [svc for svc in config.services if svc.forwarding.tunnel is not None
               and (svc.forwarding.tunnel.type.value != "ipip" or svc.forwarding.tunnel.csum)]
    for svc in tunnels:
        found.append(error("LVS357", f"service {svc.name}: piranha tunnels with plain ipip only", svc.forwarding.span))
    return found


def _service(svc: VirtualService) -> list[Diagnostic]:
    where = f"service {svc.name}"
    found = []
    if svc.family == 6 or any(rs.address.version == 6 for rs in svc.servers) or (
            svc.sorry_server is not None and svc.sorry_server.version == 6):
        found.append(error("LVS354", f"{where}: piranha is IPv4 only", _at(svc, "vip")))
    if svc.protocol is Protocol.SCTP or any(m.protocol is Protocol.SCTP for m in svc.mark_ports):
        found.append(error("LVS355", f"{where}: lvs.cf knows tcp and udp only", _at(svc, "listen")))
    if svc.scheduler not in SCHEDULERS:
        found.append(error("LVS351", f"{where}: piranha has no scheduler {svc.scheduler}", _at(svc, "scheduler"),
                           f"use one of {', '.join(SCHEDULERS)}"))
    if svc.vip is None or not svc.vip_dev:
        found.append(error("LVS352", f"{where}: lvs.cf `address` needs the VIP and its device", _at(svc, "vip"),
                           "write `vip ADDRESS dev DEVICE`"))
    found += _check(svc, where)
    dropped = cannot_say(svc)
    if dropped:
        found.append(warning("LVS356", f"{where}: lvs.cf cannot say {', '.join(dropped)}", svc.span))
    return found


def cannot_say(svc: VirtualService) -> list[str]:
    """What of a service lvs.cf has no keyword for (said in the file and as LVS356)."""
    return [what for what, present in (
        ("scheduler flags", bool(svc.sched_flags)), ("one-packet scheduling", svc.one_packet),
        ("the persistence engine", svc.persistence_engine is not None),
        ("connection thresholds", any(rs.upper or rs.lower for rs in svc.servers)),
        ("the sorry server's port", svc.sorry_port is not None and svc.sorry_port != svc.port),
        ("a sorry server kept in the table at weight 0 (`inhibit`)", svc.sorry_inhibit),
        ("which ports carry the firewall mark (the packet-filter artifacts do)", len(
            [p for m in svc.mark_ports for p in m.ports]) > 1),
        ("real-server ports of a firewall-mark service (lvsd adds its servers without one)",
         svc.fwmark is not None and any(rs.port not in (None, 0) for rs in svc.servers)),
    ) if present]


def _check(svc: VirtualService, where: str) -> list[Diagnostic]:
    check = svc.check
    if check is None:
        return []
    found = []
    for what, value in (("send", check.send), ("expect", check.expect), ("send_program", check.send_program)):
        if value is None:
            continue
        try:
            string(value)
        except ValueError:
            found.append(error("LVS353", f"{where}: {what} must be at most {MAX_CHECK_STRING} printable "
                               "characters without '\"'", check.span))
    if check.port is not None and check.port != check_port(svc) and svc.port is not None:
        found.append(warning("LVS356", f"{where}: nanny checks the real server's port; check port "
                             f"{check.port} is not carried over", check.span))
    return found
