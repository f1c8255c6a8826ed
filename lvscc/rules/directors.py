"""What the directors hold: a backup-only server written as weight 0 instead of the statement
that does it (docs/language.md, "A backup-only server"), and a VIP brought up twice."""

from __future__ import annotations

from typing import Iterable

from lvscc.diagnostics import Finding
from lvscc.model.config import Config, VirtualService
from lvscc.model.queries import active_servers, active_services
from lvscc.rules import error, rule, warning
from lvscc.rules._common import span_of


@rule("LVS174")
def weight_zero_never_raised(config: Config) -> Iterable[Finding]:
    """IPVS never schedules a weight-0 server, and no health checker raises a weight above the
    declared one (keepalived and nanny restore the configured weight): the server takes no new
    connection even when every other one is down."""
    for service in active_services(config):
        servers = active_servers(service)
        if all(server.weight == 0 for server in servers):
            continue  # LVS163: the whole service is a black hole
        for server in servers:
            if server.weight == 0:
                yield warning(
                    f"server {server.name} of service {service.name} has weight 0: it takes no new "
                    "connection, and no health checker will ever raise it",
                    span_of(server, "weight"),
                    "for a server that takes over when all others are down use `sorry-server ADDR`; "
                    "to keep it declared but not loaded use `inactive`",
                )


@rule("LVS175")
def vip_bound_twice(config: Config) -> Iterable[Finding]:
    """Services sharing a VIP must bring it up the same way: the same address on two labels
    (eth0:1, eth0:2) or with two prefixes is added twice, and taking one down for a failover
    leaves the other behind (or removes the address from under the other service)."""
    first: dict[object, VirtualService] = {}
    for service in active_services(config):
        if service.vip is None:
            continue
        seen = first.setdefault(service.vip.ip, service)
        if seen.vip != service.vip or (seen.vip_dev or None) != (service.vip_dev or None):
            yield error(
                f"VIP {service.vip.ip} of service {service.name} is {service.vip} on {service.vip_dev or 'no device'}, "
                f"but {seen.vip} on {seen.vip_dev or 'no device'} for service {seen.name}",
                span_of(service, "vip"),
                f"write `vip {seen.vip}{' dev ' + seen.vip_dev if seen.vip_dev else ''}` in both services",
            )
