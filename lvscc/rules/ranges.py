"""Numbers that ipvsadm or the kernel parse within fixed limits: one value out of range
stops ipvsadm-restore at that line, with the earlier lines already applied."""

from __future__ import annotations

from typing import Iterable, Iterator

from lvscc.diagnostics import Finding
from lvscc.model.config import Config, PortRange
from lvscc.model.queries import active_services
from lvscc.model.span import Span
from lvscc.rules import error, rule
from lvscc.rules._common import FWMARK_MAX, MAX_TIMEOUT, PORT_MAX, SYNC_ID_MAX, declared_forwardings, span_of

Port = tuple[str, int | None, Span]


def _port_ranges(config: Config) -> Iterator[tuple[str, PortRange, Span]]:
    """Every marked port range; the builder puts an `ftp passive` range among them."""
    for service in active_services(config):
        for marks in service.mark_ports:
            for ports in marks.ports:
                yield f"service {service.name}: {marks.protocol} ports {ports}", ports, marks.span


def _outside(port: int | None) -> bool:
    return port is not None and not 0 <= port <= PORT_MAX


def _ports_outside(config: Config) -> Iterator[Port]:
    """Every port set beyond 0..65535, described: only those, as naming each of a big
    config's servers would cost more than checking them."""
    for service in active_services(config):
        if _outside(service.port):
            yield f"service {service.name}: port", service.port, span_of(service, "listen")
        for server in service.servers:
            if _outside(server.port):
                yield f"service {service.name}: server {server.name} port", server.port, span_of(server, "port")
        if service.check is not None and _outside(service.check.port):
            yield f"service {service.name}: check port", service.check.port, service.check.span
    for owner, forwarding in declared_forwardings(config):
        if forwarding.tunnel is not None and _outside(forwarding.tunnel.port):
            yield f"{owner}: tunnel port", forwarding.tunnel.port, forwarding.span


@rule("LVS150")
def port_range(config: Config) -> Iterable[Finding]:
    """A port outside 0..65535, or a range whose first port is above its last, is refused
    by ipvsadm and by iptables/nft, and the marking rules are never loaded."""
    hint = "ports are 0..65535; write ranges low-high"
    for what, port, span in _ports_outside(config):
        yield error(f"{what} {port} is outside 0..{PORT_MAX}", span, hint)
    for what, ports, span in _port_ranges(config):
        if not 0 <= ports.first <= ports.last <= PORT_MAX:
            yield error(f"{what} is not a range within 0..{PORT_MAX}", span, hint)


@rule("LVS151")
def fwmark_range(config: Config) -> Iterable[Finding]:
    """ipvsadm takes marks 1..4294967295; 0 means "no mark" and never matches a service."""
    for service in active_services(config):
        mark = service.fwmark
        if mark is not None and not 1 <= mark <= FWMARK_MAX:
            yield error(
                f"service {service.name}: firewall mark {mark} is outside 1..{FWMARK_MAX}",
                span_of(service, "fwmark"),
                "pick a mark from 1 up, e.g. the service's main port",
            )


@rule("LVS152")
def sync_id_range(config: Config) -> Iterable[Finding]:
    """ipvsadm --syncid takes 0..255; the sync daemon is not started otherwise and the
    backup director takes over with an empty connection table."""
    daemon = config.sync_daemon
    if daemon is not None and not 0 <= daemon.sync_id <= SYNC_ID_MAX:
        yield error(
            f"sync-daemon id {daemon.sync_id} is outside 0..{SYNC_ID_MAX}",
            daemon.span,
            "use the same id 0..255 on both directors",
        )


@rule("LVS154")
def heartbeat_range(config: Config) -> Iterable[Finding]:
    """pulse cannot bind a heartbeat port outside 1..65535, and a zero interval or dead
    time makes the backup router declare the primary dead at once."""
    beat = config.heartbeat
    if beat is None:
        return
    if not 1 <= beat.port <= PORT_MAX:
        yield error(f"heartbeat port {beat.port} is outside 1..{PORT_MAX}", beat.span, "the default is 539")
    for name, value in (("interval", beat.interval), ("dead-after", beat.dead_after)):
        if value < 1:
            yield error(f"heartbeat {name} {value}s must be at least 1s", beat.span,
                        "the defaults are 2s and 5s")


@rule("LVS155")
def timeout_range(config: Config) -> Iterable[Finding]:
    """ipvsadm --set takes 0..2678400 seconds per timeout and refuses the whole line otherwise."""
    timeouts = config.timeouts
    if timeouts is None:
        return
    for name, value in (("tcp", timeouts.tcp), ("tcpfin", timeouts.tcpfin), ("udp", timeouts.udp)):
        if value is not None and not 0 <= value <= MAX_TIMEOUT:
            yield error(
                f"{name} timeout {value}s is outside 0..{MAX_TIMEOUT}s",
                timeouts.span,
                "the kernel defaults are tcp 900s, tcpfin 120s, udp 300s; the longest is 31d",
            )
