"""Small readings of the Config that several rules share: the port a real server really
gets, what a service carries, the sysctls set, where to point a diagnostic."""

from __future__ import annotations

from typing import Iterator

from lvscc.model.config import Config, Forwarding, Method, Protocol, RealServer, VirtualService
from lvscc.model.queries import active_services, method_of
from lvscc.model.span import NOWHERE, Span

# Kernel and ipvsadm limits (docs/domain.md: ipvsadm).
PORT_MAX = 65535
IPVSADM_WEIGHT_MAX = 65535
INT_MAX = 2**31 - 1
FWMARK_MAX = 2**32 - 1
MAX_TIMEOUT = 86400 * 31  # ipvsadm MAX_TIMEOUT: persistence and --set values
SYNC_ID_MAX = 255

# DR and TUN: the director rewrites no port and never sees the replies.
REMAPPING_METHODS = (Method.DIRECT, Method.TUNNEL)


def span_of(node: VirtualService | RealServer, key: str) -> Span:
    """The span of one field when the builder recorded it, else the whole node's."""
    found = node.spans.get(key, NOWHERE)
    return node.span if found == NOWHERE else found


def forwarding_span(service: VirtualService) -> Span:
    """The `forwarding` statement a service follows: its own, or the cluster's it inherited."""
    own = service.forwarding.span
    return service.span if own == NOWHERE else own


def declared_forwardings(config: Config) -> Iterator[tuple[str, Forwarding]]:
    """Each `forwarding` statement once: the cluster's, then every service's own."""
    yield f"cluster {config.name}", config.forwarding
    for service in active_services(config):
        if service.forwarding not in (Forwarding(), config.forwarding):
            yield f"service {service.name}", service.forwarding


def server_port(service: VirtualService, server: RealServer) -> int:
    """The port the kernel ends up with: ipvsadm overwrites it with the virtual port for
    DR/TUN on non-fwmark services, and copies the virtual port when it is omitted."""
    if service.fwmark is not None:
        return server.port or 0
    if server.port is None or method_of(server, service) is not Method.NAT:
        return service.port or 0
    return server.port


def protocols_of(service: VirtualService) -> set[Protocol]:
    """What a service carries: its protocol, or every protocol its marks match."""
    if service.fwmark is None:
        return {service.protocol} if service.protocol is not None else set()
    found = {marks.protocol for marks in service.mark_ports}
    return found | {Protocol.TCP} if service.ftp is not None else found


def sysctl(config: Config, name: str) -> tuple[int, ...] | None:
    """The values of `ipvs { NAME ... }`, or None when the kernel's default is left."""
    for key, values, _span in config.ipvs_sysctls:
        if key == name:
            return values
    return None


def sysctl_is(config: Config, name: str, value: int) -> bool:
    return sysctl(config, name) == (value,)


def is_ftp(service: VirtualService) -> bool:
    """The `ftp` statement, or a plain TCP service on the FTP control port."""
    return service.ftp is not None or (service.protocol is Protocol.TCP and service.port == 21)
