"""Real servers: weights, connection thresholds, names, and services left without any."""

from __future__ import annotations

from collections import Counter
from typing import Iterable

from lvscc.diagnostics import Finding
from lvscc.model.config import Config
from lvscc.model.queries import active_services, active_servers
from lvscc.rules import error, rule, warning
from lvscc.rules._common import INT_MAX, IPVSADM_WEIGHT_MAX, span_of


@rule("LVS107")
def weight_range(config: Config) -> Iterable[Finding]:
    """ipvsadm parses -w as 0..65535 and stops the whole restore at the first larger
    weight (the kernel alone would take up to 2147483647)."""
    for service in active_services(config):
        for server in service.servers:
            if not 0 <= server.weight <= IPVSADM_WEIGHT_MAX:
                yield error(
                    f"server {server.name} of service {service.name} has weight {server.weight}, "
                    f"outside ipvsadm's 0..{IPVSADM_WEIGHT_MAX}",
                    span_of(server, "weight"),
                    "weights are ratios: scale them all down",
                )


@rule("LVS109")
def threshold_order(config: Config) -> Iterable[Finding]:
    """The kernel refuses a lower connection threshold above the upper one (ERANGE), so
    the server is never added."""
    for service in active_services(config):
        for server in service.servers:
            if server.upper and server.lower > server.upper:
                yield error(
                    f"server {server.name} of service {service.name}: lower threshold {server.lower} "
                    f"is above upper threshold {server.upper}",
                    server.span,
                    "make `lower` at most `upper` (0 means no threshold)",
                )


@rule("LVS153")
def threshold_range(config: Config) -> Iterable[Finding]:
    """ipvsadm parses -x and -y as 0..2147483647 and stops the restore on anything else."""
    for service in active_services(config):
        for server in service.servers:
            for name, value in (("upper", server.upper), ("lower", server.lower)):
                if not 0 <= value <= INT_MAX:
                    yield error(
                        f"server {server.name} of service {service.name}: {name} threshold {value} "
                        f"is outside 0..{INT_MAX}",
                        server.span,
                        "use a connection count between 0 (no threshold) and 2147483647",
                    )


@rule("LVS161")
def duplicate_server_names(config: Config) -> Iterable[Finding]:
    """Real servers are named in health checks, host artifacts and audit reports: two with
    one name in a service make them ambiguous, and their host trees overwrite each other."""
    for service in config.services:
        names = [server.name for server in service.servers]
        if len(set(names)) == len(names):
            continue  # every name once: the common case, without counting
        counts = Counter(names)
        seen: set[str] = set()
        for server in service.servers:
            if counts[server.name] > 1 and server.name in seen:
                yield error(
                    f"service {service.name} has {counts[server.name]} servers named {server.name}",
                    server.span,
                    "give each server its own name",
                )
            seen.add(server.name)


@rule("LVS162")
def service_without_servers(config: Config) -> Iterable[Finding]:
    """A service without real servers accepts connections on the VIP and drops them."""
    for service in active_services(config):
        if not active_servers(service) and service.sorry_server is None:
            yield warning(
                f"service {service.name} has no active real servers: its clients are dropped",
                service.span,
                "add `server NAME ADDR` or `servers POOL`, or mark the service `inactive`",
            )


@rule("LVS163")
def all_weights_zero(config: Config) -> Iterable[Finding]:
    """Weight 0 quiesces a server; when every server of a service is quiesced no new
    connection is scheduled at all: a black hole."""
    for service in active_services(config):
        servers = active_servers(service)
        if servers and all(server.weight == 0 for server in servers):
            yield warning(
                f"every real server of service {service.name} has weight 0: no new connection is scheduled",
                service.span,
                "give at least one server a positive weight",
            )
