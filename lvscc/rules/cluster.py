"""The cluster as a whole: directors, failover, and the net.ipv4.vs sysctls."""

from __future__ import annotations

from difflib import get_close_matches
from typing import Iterable

from lvscc.diagnostics import Diagnostic, error, info, warning
from lvscc.model.config import Config, Method, Protocol
from lvscc.model.span import Span
from lvscc.rules import rule
from lvscc.rules._common import (
    REMAPPING_METHODS,
    active_services,
    declared_forwardings,
    is_ftp,
    method_of,
    protocols_of,
    span_of,
    sysctl,
    sysctl_is,
)

# net.ipv4.vs.* taking integers (kernel ip_vs_ctl.c vs_vars, ip_vs_lblc.c, ip_vs_lblcr.c),
# with how many values each takes. est_cpulist takes a CPU list, which `ipvs { }` cannot say.
IPVS_SYSCTLS: dict[str, int] = {
    name: 1
    for name in (
        "am_droprate", "amemthresh", "backup_only", "cache_bypass", "conn_reuse_mode", "conntrack",
        "debug_level", "drop_entry", "drop_packet", "est_nice", "expire_nodest_conn",
        "expire_quiescent_template", "ignore_tunneled", "lblc_expiration", "lblcr_expiration",
        "nat_icmp_send", "pmtu_disc", "run_estimation", "schedule_icmp", "secure_tcp", "sloppy_sctp",
        "sloppy_tcp", "snat_reroute", "sync_persist_mode", "sync_ports", "sync_qlen_max",
        "sync_refresh_period", "sync_retries", "sync_sock_size", "sync_version",
    )
} | {"sync_threshold": 2}


def _sysctl_span(config: Config, name: str) -> Span:
    return next((span for key, _values, span in config.ipvs_sysctls if key == name), config.span)


@rule("LVS164", needed_by=("piranha",))
def director_public_address(config: Config, backend: str) -> list[Diagnostic]:
    """Piranha's heartbeat addresses each director by its public address: without it the
    routers cannot find each other to fail over. The IPVS table does not need it, so only the
    piranha backend asks (`public external`: an address not known here)."""
    return [
        error(
            "LVS164",
            f"backend {backend} needs the public address of director {director.role}",
            director.span,
            f"add `director {director.role} {{ public ADDR dev DEV }}`",
        )
        for director in config.directors
        if director.public is None
    ]


@rule("LVS186")
def untranslated(config: Config) -> Iterable[Diagnostic]:
    """An import left part of the foreign config out: compiled as it is, the router would run
    without that part."""
    for text, span in config.untranslated:
        yield error("LVS186", f"not translated by the import: {text}", span,
                    "write it in lvscc's language by hand, then delete the `untranslated` line")


@rule("LVS168")
def ipvs_sysctl_known(config: Config) -> Iterable[Diagnostic]:
    """`sysctl -p` stops at an unknown key, so the settings after it are never applied."""
    for name, _values, span in config.ipvs_sysctls:
        if name not in IPVS_SYSCTLS:
            close = get_close_matches(name, IPVS_SYSCTLS, n=1)
            yield error(
                "LVS168",
                f"net.ipv4.vs.{name} is not an IPVS sysctl",
                span,
                f"did you mean `{close[0]}`?" if close else "see the kernel's ipvs-sysctl documentation",
            )


@rule("LVS171")
def ipvs_sysctl_values(config: Config) -> Iterable[Diagnostic]:
    """The kernel rejects a write with the wrong number of values (EINVAL), leaving the old one."""
    for name, values, span in config.ipvs_sysctls:
        wanted = IPVS_SYSCTLS.get(name)
        if wanted is not None and len(values) != wanted:
            yield error(
                "LVS171",
                f"net.ipv4.vs.{name} takes {wanted} value{'s' if wanted > 1 else ''}, not {len(values)}",
                span,
                "e.g. `sync_threshold 3 50`" if wanted > 1 else f"e.g. `{name} 1`",
            )


@rule("LVS169")
def heartbeat_dead_after(config: Config) -> Iterable[Diagnostic]:
    """If the dead time is not longer than the heartbeat interval, one late heartbeat makes
    the backup take over while the primary still holds the VIPs: both answer for them."""
    beat = config.heartbeat
    if beat is not None and 1 <= beat.dead_after <= beat.interval:
        yield warning(
            "LVS169",
            f"heartbeat dead-after {beat.dead_after}s is not longer than its interval {beat.interval}s",
            beat.span,
            "make dead-after a few intervals long (the guide's example: interval 6s, dead-after 18s)",
        )


def _stateful_nat(config: Config) -> Span | None:
    """Where IPVS NAT flows meet MASQUERADE rules: masqueraded server networks or NAT FTP."""
    for _owner, forwarding in declared_forwardings(config):
        if forwarding.method is Method.NAT and forwarding.masquerade:
            return forwarding.span
    for service in active_services(config):
        if is_ftp(service) and any(method_of(s, service) is Method.NAT for s in service.servers):
            return service.span
    return None


@rule("LVS121")
def conntrack_for_masquerade(config: Config) -> Iterable[Diagnostic]:
    """Without net.ipv4.vs.conntrack=1 IPVS flows have no conntrack entry, so MASQUERADE
    and stateful filter rules on the director do not see them and drop or mangle them."""
    span = _stateful_nat(config)
    if span is not None and not sysctl_is(config, "conntrack", 1):
        yield warning(
            "LVS121",
            "NAT traffic passes MASQUERADE rules on the director, but IPVS connections are not tracked",
            span,
            "add `ipvs { conntrack 1 }`",
        )


@rule("LVS122")
def conn_reuse_mode(config: Config) -> Iterable[Diagnostic]:
    """With conntrack=1, conn_reuse_mode 1 stalls reused client ports for a second on
    kernels before 5.9, and 0 pins them to old (even removed) servers: pick one knowingly."""
    if sysctl_is(config, "conntrack", 1) and sysctl(config, "conn_reuse_mode") is None:
        yield warning(
            "LVS122",
            "conntrack is on but conn_reuse_mode is left at the kernel's default",
            _sysctl_span(config, "conntrack"),
            "set `conn_reuse_mode 1` on kernels >= 5.9, or `0` on older ones (and accept sticky reuse)",
        )


@rule("LVS124")
def udp_sticky_entries(config: Config) -> Iterable[Diagnostic]:
    """A UDP connection entry lives for the UDP timeout (300 s): a client reusing its source
    port keeps reaching a removed or quiesced server for that long."""
    if sysctl_is(config, "expire_nodest_conn", 1):
        return
    for service in active_services(config):
        if Protocol.UDP in protocols_of(service) and not service.one_packet:
            yield warning(
                "LVS124",
                f"UDP service {service.name}: clients keep their server until the UDP entry expires, "
                "even after it is removed",
                service.span,
                "add `one-packet` (per-datagram scheduling, e.g. DNS), `ipvs { expire_nodest_conn 1 }`, "
                "or a shorter `timeouts { udp ... }`",
            )


@rule("LVS126")
def backup_only_with_sync(config: Config) -> Iterable[Diagnostic]:
    """A backup director that syncs connections also forwards them, and with DR/TUN the
    real servers' traffic can loop between the two directors unless backup_only=1."""
    backup = any(director.role == "backup" for director in config.directors)
    daemon = config.sync_daemon
    if not backup or daemon is None:
        return  # before looking at every server
    direct = any(
        method_of(server, service) in REMAPPING_METHODS
        for service in active_services(config)
        for server in service.servers
    )
    if direct and not sysctl_is(config, "backup_only", 1):
        yield warning(
            "LVS126",
            "two directors sync connections for direct-routing/tunnel services without backup_only",
            daemon.span,
            "add `ipvs { backup_only 1 }`",
        )


@rule("LVS134")
def marks_only_incoming(config: Config) -> Iterable[Diagnostic]:
    """Marking rules sit in mangle PREROUTING, which locally generated packets never
    traverse: connections opened on the director itself are not balanced."""
    marked = [service for service in active_services(config) if service.fwmark is not None]
    if marked:
        yield info(
            "LVS134",
            f"firewall marks ({', '.join(str(s.fwmark) for s in marked)}) are set on incoming packets only",
            span_of(marked[0], "fwmark"),
            "test the services from a client, not from the director",
        )
