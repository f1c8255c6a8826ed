"""The cluster as a whole: directors, failover, and the net.ipv4.vs sysctls."""

from __future__ import annotations

from typing import Iterable

from lvscc.diagnostics import Finding, did_you_mean
from lvscc.model.config import Config, Method, Protocol
from lvscc.model.queries import active_services, method_of
from lvscc.model.span import Span
from lvscc.rules import error, info, rule, warning
from lvscc.rules._common import (
    REMAPPING_METHODS,
    declared_forwardings,
    is_ftp,
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
def director_public_address(config: Config, backend: str) -> Iterable[Finding]:
    """Piranha's heartbeat addresses each director by its public address: without it the
    routers cannot find each other to fail over. The IPVS table does not need it, so only the
    piranha backend asks (`public external`: an address not known here)."""
    for director in config.directors:
        if director.public is None:
            yield error(
                f"backend {backend} needs the public address of director {director.role}",
                director.span,
                f"add `director {director.role} {{ public ADDR dev DEV }}`",
            )


@rule("LVS186")
def untranslated(config: Config) -> Iterable[Finding]:
    """An import left part of the foreign config out: compiled as it is, the router would run
    without that part."""
    for text, span in config.untranslated:
        yield error(f"not translated by the import: {text}", span,
                    "write it in lvscc's language by hand, then delete the `untranslated` line")


@rule("LVS168")
def ipvs_sysctl_known(config: Config) -> Iterable[Finding]:
    """`sysctl -p` stops at an unknown key, so the settings after it are never applied."""
    for name, _values, span in config.ipvs_sysctls:
        if name not in IPVS_SYSCTLS:
            yield error(
                f"net.ipv4.vs.{name} is not an IPVS sysctl",
                span,
                did_you_mean(name, IPVS_SYSCTLS) or "see the kernel's ipvs-sysctl documentation",
            )


@rule("LVS171")
def ipvs_sysctl_values(config: Config) -> Iterable[Finding]:
    """The kernel rejects a write with the wrong number of values (EINVAL), leaving the old one."""
    for name, values, span in config.ipvs_sysctls:
        wanted = IPVS_SYSCTLS.get(name)
        if wanted is not None and len(values) != wanted:
            yield error(
                f"net.ipv4.vs.{name} takes {wanted} value{'s' if wanted > 1 else ''}, not {len(values)}",
                span,
                "e.g. `sync_threshold 3 50`" if wanted > 1 else f"e.g. `{name} 1`",
            )


@rule("LVS169")
def heartbeat_dead_after(config: Config) -> Iterable[Finding]:
    """If the dead time is not longer than the heartbeat interval, one late heartbeat makes
    the backup take over while the primary still holds the VIPs: both answer for them."""
    beat = config.heartbeat
    if beat is not None and 1 <= beat.dead_after <= beat.interval:
        yield warning(
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
def conntrack_for_masquerade(config: Config) -> Iterable[Finding]:
    """Without net.ipv4.vs.conntrack=1 IPVS flows have no conntrack entry, so MASQUERADE
    and stateful filter rules on the director do not see them and drop or mangle them."""
    span = _stateful_nat(config)
    if span is not None and not sysctl_is(config, "conntrack", 1):
        yield warning(
            "NAT traffic passes MASQUERADE rules on the director, but IPVS connections are not tracked",
            span,
            "add `ipvs { conntrack 1 }`",
        )


@rule("LVS122")
def conn_reuse_mode(config: Config) -> Iterable[Finding]:
    """With conntrack=1, conn_reuse_mode 1 stalls reused client ports for a second on
    kernels before 5.9, and 0 pins them to old (even removed) servers: pick one knowingly."""
    if sysctl_is(config, "conntrack", 1) and sysctl(config, "conn_reuse_mode") is None:
        yield warning(
            "conntrack is on but conn_reuse_mode is left at the kernel's default",
            _sysctl_span(config, "conntrack"),
            "set `conn_reuse_mode 1` on kernels >= 5.9, or `0` on older ones (and accept sticky reuse)",
        )


@rule("LVS124")
def udp_sticky_entries(config: Config) -> Iterable[Finding]:
    """A UDP connection entry lives for the UDP timeout (300 s): a client reusing its source
    port keeps reaching a removed or quiesced server for that long."""
    if sysctl_is(config, "expire_nodest_conn", 1):
        return
    for service in active_services(config):
        if Protocol.UDP in protocols_of(service) and not service.one_packet:
            yield warning(
                f"UDP service {service.name}: clients keep their server until the UDP entry expires, "
                "even after it is removed",
                service.span,
                "add `one-packet` (per-datagram scheduling, e.g. DNS), `ipvs { expire_nodest_conn 1 }`, "
                "or a shorter `timeouts { udp ... }`",
            )


@rule("LVS126")
def backup_only_with_sync(config: Config) -> Iterable[Finding]:
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
            "two directors sync connections for direct-routing/tunnel services without backup_only",
            daemon.span,
            "add `ipvs { backup_only 1 }`",
        )


@rule("LVS134")
def marks_only_incoming(config: Config) -> Iterable[Finding]:
    """Marking rules sit in mangle PREROUTING, which locally generated packets never
    traverse: connections opened on the director itself are not balanced."""
    marked = [service for service in active_services(config) if service.fwmark is not None]
    if marked:
        yield info(
            f"firewall marks ({', '.join(str(s.fwmark) for s in marked)}) are set on incoming packets only",
            span_of(marked[0], "fwmark"),
            "test the services from a client, not from the director",
        )


@rule("LVS172")
def host_names_unique(config: Config) -> Iterable[Finding]:
    """Every host gets its own artifact tree named after it: a real server named like a
    director writes its ARP sysctls and kit into the director's tree, replacing its files."""
    declared = {director.role: director.span for director in config.directors}
    directors = declared or {"primary": config.span}  # with none declared there is still a primary
    reported: set[str] = set()
    for service in config.services:
        for server in service.servers:
            if server.name in directors and server.name not in reported:
                reported.add(server.name)
                where = f"declared at {directors[server.name]}" if declared else "the director lvscc assumes"
                yield error(f"real server {server.name} has the name of director {server.name} ({where})",
                            server.span, "rename the real server: `primary` and `backup` name the directors")
