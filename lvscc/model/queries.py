"""Readings of a Config that validation and lowering share, so that the rules judge the services
and servers exactly as lowering emits them. Here, not in lvscc/lower, because a check never
lowers: importing the lowering package costs a `check` about 11 ms (benchmarks/README.md)."""

from __future__ import annotations

from lvscc.model.config import DEFAULT_PERSISTENCE, Config, Forwarding, Method, RealServer, VirtualService


def active_services(config: Config) -> list[VirtualService]:
    return [s for s in config.services if s.active]


def active_servers(service: VirtualService) -> list[RealServer]:
    return [s for s in service.servers if s.active]


def method_of(server: RealServer, service: VirtualService) -> Method:
    return server.method or service.forwarding.method


def forwarding_for(config: Config, service: VirtualService, method: Method) -> Forwarding:
    """The forwarding block that configures `method` for this service: its own when it uses that
    method, else the cluster's. A per-server override (`server ... nat` inside a direct service)
    thus takes its gateway from the cluster; with neither declaring it, ipvsadm's bare defaults."""
    for candidate in (service.forwarding, config.forwarding):
        if candidate.method is method:
            return candidate
    return Forwarding(method=method)


def persistence_of(service: VirtualService) -> int | None:
    # FTP under DR/TUN cannot work without persistence (ipvsadm(8) -p); V20 warns when implied.
    if service.persistence is None and service.ftp is not None:
        return DEFAULT_PERSISTENCE
    return service.persistence
