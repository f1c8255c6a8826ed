"""Decisions shared by the director and real-server halves of lowering: where an object came
from, what a service marks, and its address. Which services and servers are live and which
forwarding block governs a server are the model's (lvscc/model/queries.py): the rules ask too."""

from __future__ import annotations

from ipaddress import ip_network

from lvscc.model.config import (
    IPAddress,
    IPNetwork,
    Method,
    PortRange,
    Protocol,
    RealServer,
    VirtualService,
)
from lvscc.model.queries import active_servers, method_of
from lvscc.model.span import Span
from lvscc.model.state import Origin

# The guide's FTP scheme (§3.5): control port and passive range all carry mark 21.
FTP_MARK = 21
FTP_CONTROL = PortRange(21, 21)
# Active FTP by direct routing or tunnelling: a real server opens the data connection from
# VIP:20 itself, and the client's answers reach the director, which must send them to that
# server (persistence does, once they carry the mark). Behind NAT ip_vs_ftp tracks them instead.
FTP_DATA = PortRange(20, 20)
DEFAULT_PASSIVE = PortRange(10000, 20000)


def origin(span: Span, what: str) -> Origin:
    return Origin(span.file, span.line, what)


def service_origin(service: VirtualService) -> Origin:
    return origin(service.span, f"service {service.name}")


def server_origin(server: RealServer, service: VirtualService) -> Origin:
    return origin(server.span, f"server {server.name} of service {service.name}")


def sorry_origin(service: VirtualService) -> Origin:
    """Where the weight-0 destination of `sorry-server ... inhibit` comes from: told apart from the
    real servers by this, so the daemon backends write it as the sorry server, not a server."""
    return origin(service.spans.get("sorry_server", service.span), f"sorry server of service {service.name}")


def fwmark_of(service: VirtualService) -> int:
    """0 for an address service; an `ftp` service without its own mark uses the guide's 21."""
    if service.fwmark:
        return service.fwmark
    return FTP_MARK if service.ftp is not None else 0


def vip_address(service: VirtualService) -> IPAddress:
    if service.vip is None:
        raise ValueError(f"service {service.name} has no vip (the builder should have refused it)")
    return service.vip.ip


def host_network(address: IPAddress) -> IPNetwork:
    return ip_network(address)


def marked_ports(service: VirtualService) -> dict[Protocol, tuple[PortRange, ...]]:
    """Ports that carry the service's firewall mark, per protocol, merged and sorted."""
    ports: dict[Protocol, set[PortRange]] = {}
    if service.ftp is not None:
        ports[Protocol.TCP] = {FTP_CONTROL, service.ftp.passive or DEFAULT_PASSIVE}
        if any(method_of(server, service) is not Method.NAT for server in active_servers(service)):
            ports[Protocol.TCP].add(FTP_DATA)
    for group in service.mark_ports:
        ports.setdefault(group.protocol, set()).update(group.ports)
    return {
        protocol: tuple(sorted(ranges, key=lambda r: (r.first, r.last)))
        for protocol, ranges in sorted(ports.items(), key=lambda item: item[0].number)
    }
