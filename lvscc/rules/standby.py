"""Standby servers: what an operator who wants a backup-only server may write instead of the
one statement that does it (docs/language.md, "A backup-only server")."""

from __future__ import annotations

from typing import Iterable

from lvscc.diagnostics import Diagnostic, warning
from lvscc.model.config import Config
from lvscc.rules import rule
from lvscc.rules._common import active_servers, active_services, span_of


@rule("LVS172")
def weight_zero_never_raised(config: Config) -> Iterable[Diagnostic]:
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
                    "LVS172",
                    f"server {server.name} of service {service.name} has weight 0: it takes no new "
                    "connection, and no health checker will ever raise it",
                    span_of(server, "weight"),
                    "for a server that takes over when all others are down use `sorry-server ADDR`; "
                    "to keep it declared but not loaded use `inactive`",
                )
