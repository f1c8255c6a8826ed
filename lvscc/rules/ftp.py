"""FTP: a control connection on port 21 and data connections the director must tie to it."""

from __future__ import annotations

from typing import Iterable

from lvscc.diagnostics import Finding
from lvscc.model.config import Config, Method
from lvscc.model.queries import active_services, method_of, persistence_of
from lvscc.rules import error, info, rule, warning
from lvscc.rules._common import REMAPPING_METHODS, forwarding_span, is_ftp


@rule("LVS120")
def ftp_needs_persistence(config: Config) -> Iterable[Finding]:
    """With direct routing or tunnelling the director never sees the FTP replies, so only
    persistence sends a client's data connections to the server holding its control one."""
    for service in active_services(config):
        if not is_ftp(service) or service.persistence is not None:
            continue
        unseen = [s.name for s in service.servers if method_of(s, service) in REMAPPING_METHODS]
        if not unseen:
            continue
        if persistence_of(service) is None:
            yield error(
                f"FTP service {service.name} is not persistent, so the data connections of "
                f"{', '.join(unseen)} land on random servers",
                service.span,
                "add `persistence`, or use `forwarding nat` (ip_vs_ftp then follows the data connections)",
            )
        else:
            yield warning(
                f"FTP service {service.name} is made persistent ({persistence_of(service)}s) because "
                f"{', '.join(unseen)} use direct routing or tunnelling",
                service.span,
                "write `persistence` explicitly to choose the timeout",
            )


@rule("LVS135")
def ftp_conntrack_helper(config: Config) -> Iterable[Finding]:
    """Active FTP behind NAT needs the nf_conntrack_ftp helper, which kernels from 6.0 on
    no longer attach by themselves: the servers' port-20 connections then fail."""
    for service in active_services(config):
        nat = any(method_of(s, service) is Method.NAT for s in service.servers)
        if is_ftp(service) and nat:
            yield info(
                f"FTP service {service.name} relies on the ftp conntrack helper for active mode",
                forwarding_span(service),
                "on kernels >= 6.0 the director's ruleset must assign it (`ct helper set`); "
                "check the generated rules are loaded",
            )
