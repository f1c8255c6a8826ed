"""Persistence: the timeout, the client mask, the engine, and what quiescing does to it."""

from __future__ import annotations

from ipaddress import IPv4Address, IPv4Network
from typing import Iterable

from lvscc.diagnostics import Finding
from lvscc.model.config import Config, VirtualService
from lvscc.model.queries import active_services, persistence_of
from lvscc.rules import error, rule, warning
from lvscc.rules._common import MAX_TIMEOUT, span_of, sysctl_is

PERSISTENCE_ENGINES = ("sip",)


@rule("LVS108")
def persistence_range(config: Config) -> Iterable[Finding]:
    """ipvsadm parses -p as 1..2678400 seconds (31 days) and stops the restore otherwise."""
    for service in active_services(config):
        timeout = service.persistence
        if timeout is not None and not 1 <= timeout <= MAX_TIMEOUT:
            yield error(
                f"service {service.name}: persistence {timeout}s is outside 1..{MAX_TIMEOUT}s",
                span_of(service, "persistence"),
                "bare `persistence` means 360s; the longest is 31d",
            )


def _mask_problem(service: VirtualService) -> str | None:
    mask = service.persistence_mask
    if isinstance(mask, IPv4Address):
        if service.family == 6:
            return f"an IPv6 service takes a prefix length, not netmask {mask}"
        try:
            IPv4Network(f"0.0.0.0/{mask}")
        except ValueError:
            return f"netmask {mask} is not contiguous"
        return None
    if isinstance(mask, int):
        if service.family == 4:
            return f"an IPv4 service takes a dotted netmask, not prefix {mask}"
        if not 1 <= mask <= 128:
            return f"prefix {mask} is outside 1..128"
    return None


@rule("LVS156")
def persistence_mask(config: Config) -> Iterable[Finding]:
    """The kernel refuses an IPv6 persistence prefix outside 1..128 (EINVAL), and ipvsadm
    cannot express a non-contiguous or wrong-family mask."""
    for service in active_services(config):
        problem = _mask_problem(service)
        if problem:
            yield error(
                f"service {service.name}: {problem}",
                span_of(service, "persistence"),
                "IPv4: `persistence netmask 255.255.255.0`; IPv6: `persistence prefix 64`",
            )


@rule("LVS167")
def persistence_engine(config: Config) -> Iterable[Finding]:
    """The kernel knows one persistence engine, sip; any other name fails with ENOENT."""
    for service in active_services(config):
        engine = service.persistence_engine
        if engine is not None and engine not in PERSISTENCE_ENGINES:
            yield error(
                f"service {service.name}: unknown persistence engine {engine}",
                service.span,
                "the only persistence engine is `sip`",
            )


@rule("LVS170")
def persistence_options_alone(config: Config) -> Iterable[Finding]:
    """A client mask or persistence engine does nothing on a service that is not persistent;
    ipvsadm drops -M without -p."""
    for service in active_services(config):
        if service.persistence is not None:
            continue
        given = [name for name, value in (("netmask", service.persistence_mask),
                                          ("persistence-engine", service.persistence_engine)) if value is not None]
        if given:
            yield warning(
                f"service {service.name} is not persistent, so its {' and '.join(given)} has no effect",
                service.span,
                "add `persistence`, or drop the option",
            )


def _quiesced_templates(config: Config) -> Iterable[Finding]:
    if sysctl_is(config, "expire_quiescent_template", 1):
        return
    for service in active_services(config):
        quiesced = service.quiesce or any(server.weight == 0 for server in service.servers)
        if quiesced and persistence_of(service) is not None:
            yield warning(
                f"service {service.name} is persistent and quiesces servers: returning clients keep "
                "reaching a quiesced server until their persistence expires",
                span_of(service, "persistence"),
                "add `ipvs { expire_quiescent_template 1 }`",
            )


def _removed_connections(config: Config) -> Iterable[Finding]:
    if sysctl_is(config, "expire_nodest_conn", 1):
        return
    for service in active_services(config):
        if service.check is not None and not service.quiesce:
            yield warning(
                f"service {service.name} removes failed servers: their established connections "
                "are silently dropped until they time out",
                span_of(service, "check"),
                "add `ipvs { expire_nodest_conn 1 }` so clients are reset at once, or `quiesce`",
            )


@rule("LVS123")
def quiesce_and_removal(config: Config) -> Iterable[Finding]:
    """Quiesced servers keep receiving returning persistent clients unless
    expire_quiescent_template=1; removed servers black-hole their connections unless
    expire_nodest_conn=1."""
    yield from _quiesced_templates(config)
    yield from _removed_connections(config)
