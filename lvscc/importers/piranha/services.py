"""Virtuals -> VirtualServices: piranha's defaults made explicit, and the virtuals that share a
firewall mark merged into the one service IPVS has for it."""

from __future__ import annotations

from dataclasses import replace
from ipaddress import IPv4Address, IPv4Interface

from lvscc.importers.common import Entry, Notes
from lvscc.importers.piranha.values import prefix
from lvscc.importers.piranha.virtuals import Virtual
from lvscc.model.config import Forwarding, MarkPorts, PortRange, Protocol, RealServer, VirtualService

MERGED_FIELDS = ("vip", "scheduler", "persistence", "persistence_mask", "quiesce", "active", "sorry_server")


def real_servers(notes: Notes, vs: Virtual) -> list[RealServer]:
    servers = []
    for raw_name, span, fields in vs.servers:
        if "address" not in fields:
            continue
        # lvsconfig.c: a server's port defaults to the virtual's (None: the service's). For a
        # firewall mark the virtual's `port` is nanny's check port (the guide's multi-port
        # scheme), and lvsd adds the server without one, so the request's own port goes through
        port = fields.get("port")
        if vs.fwmark:
            if port not in (None, vs.port):
                notes.untranslated(Entry("port", (str(port),), span),
                                   f"in a firewall-mark virtual a server's port is only nanny's check port; "
                                   f"lvscc checks every server of {vs.name} on the virtual's port {vs.port}")
            port = None
        servers.append(RealServer(
            name=notes.name(raw_name, span),
            address=fields["address"],  # type: ignore[arg-type]
            port=None if port in (vs.port, 0) else port,  # type: ignore[arg-type]
            weight=fields.get("weight", 1),  # type: ignore[arg-type]
            active=bool(fields["active"]),
            span=span,
        ))
    return servers


def service(notes: Notes, vs: Virtual, forwarding: Forwarding) -> VirtualService | None:
    if vs.address is None:
        notes.malformed(Entry("virtual", (vs.name,), vs.span), "a virtual server needs `address = IP DEVICE`")
        return None
    check = vs.check
    if vs.fwmark and check.port is None:
        check = replace(check, port=vs.port)  # nanny checks the virtual's port
    return VirtualService(
        name=notes.name(vs.name, vs.span),
        vip=IPv4Interface(f"{vs.address}/{prefix(vs.nmask)}"),
        vip_dev=vs.device,
        protocol=None if vs.fwmark else vs.protocol,
        port=None if vs.fwmark else vs.port,
        fwmark=vs.fwmark or None,
        mark_ports=(MarkPorts(vs.protocol, (PortRange(vs.port, vs.port),), vs.span),) if vs.fwmark else (),
        scheduler=vs.scheduler,
        persistence=vs.persistent or None,
        persistence_mask=None if not vs.persistent or vs.pmask == IPv4Address("255.255.255.255") else vs.pmask,
        check=check,
        quiesce=vs.quiesce,
        servers=tuple(real_servers(notes, vs)),
        active=vs.active,
        sorry_server=vs.sorry,
        forwarding=forwarding,
        span=vs.span,
    )


def merge(notes: Notes, first: VirtualService, other: VirtualService) -> VirtualService:
    """IPVS has one service per fwmark: piranha virtuals sharing a mark become one service whose
    mark carries each virtual's port (the guide's http+https scheme)."""
    differing = [f for f in MERGED_FIELDS if getattr(first, f) != getattr(other, f)]
    if differing:
        notes.conflict(other.span, f"virtual {other.name} shares fwmark {first.fwmark} with {first.name} but "
                                   f"differs in {', '.join(differing)}; {first.name}'s settings kept")
    known = {(rs.address, rs.port) for rs in first.servers}
    marked = {(m.protocol, p) for m in first.mark_ports for p in m.ports}
    extra_marks = tuple(m for m in other.mark_ports if not {(m.protocol, p) for p in m.ports} <= marked)
    return replace(
        first,
        mark_ports=join_marks(first.mark_ports + extra_marks),
        servers=first.servers + tuple(rs for rs in other.servers if (rs.address, rs.port) not in known),
    )


def join_marks(marks: tuple[MarkPorts, ...]) -> tuple[MarkPorts, ...]:
    joined: dict[Protocol, MarkPorts] = {}
    for m in marks:
        seen = joined.get(m.protocol)
        joined[m.protocol] = m if seen is None else replace(seen, ports=seen.ports + m.ports)
    return tuple(joined.values())


def services(notes: Notes, virtuals: list[Virtual], forwarding: Forwarding) -> tuple[VirtualService, ...]:
    found: list[VirtualService] = []
    by_mark: dict[int, int] = {}
    for vs in virtuals:
        made = service(notes, vs, forwarding)
        if made is None:
            continue
        if made.fwmark is not None and made.fwmark in by_mark:
            index = by_mark[made.fwmark]
            found[index] = merge(notes, found[index], made)
            continue
        if made.fwmark is not None:
            by_mark[made.fwmark] = len(found)
            notes.assumed(vs.span, f"lvs.cf does not say which packets carry fwmark {made.fwmark}; assumed "
                                   f"{vs.protocol} port {vs.port} to {vs.address}",
                          "check the mangle PREROUTING rules on the routers and correct the `fwmark` block")
        found.append(made)
    return tuple(found)
