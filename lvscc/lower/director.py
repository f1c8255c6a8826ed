"""Lowering for the directors: the IPVS table and everything around it that makes it work
(mark rules, masquerading, forwarding sysctls, kernel modules, floating addresses)."""

from __future__ import annotations

from dataclasses import replace
from ipaddress import IPv4Address, IPv4Network

from lvscc.model.config import (
    Config,
    Director,
    Method,
    Protocol,
    RealServer,
    Tunnel,
    TunnelType,
    VirtualService,
)
from lvscc.model.state import (
    Address,
    HelperRule,
    HostState,
    IpvsDest,
    IpvsSync,
    IpvsService,
    IpvsTimeouts,
    MarkRule,
    MasqueradeRule,
    Sysctl,
)
from lvscc.lower.common import (
    fwmark_of,
    host_network,
    marked_ports,
    origin,
    server_origin,
    service_origin,
    sorry_origin,
    vip_address,
)
from lvscc.model.canonical import canonical
from lvscc.model.queries import active_servers, active_services, forwarding_for, method_of, persistence_of

# Scheduler flag bits as the kernel stores them (IP_VS_SVC_F_SCHED1..3); sh and mh give bits 1
# and 2 their own names, and ipvsadm-save prints those names (print_sched_flags).
_FLAG_BITS = {"flag-1": 1, "flag-2": 2, "flag-3": 3, "sh-fallback": 1, "sh-port": 2, "mh-fallback": 1, "mh-port": 2}
_FTP_DATA_PORT = 20
_FTP_CONTROL_PORT = 21


def _flag_name(scheduler: str, bit: int) -> str:
    if scheduler in ("sh", "mh") and bit in (1, 2):
        return f"{scheduler}-{'fallback' if bit == 1 else 'port'}"
    return f"flag-{bit}"


def scheduler_flags(scheduler: str, flags: tuple[str, ...]) -> tuple[str, ...]:
    bits = sorted({_FLAG_BITS[f] for f in flags})
    return tuple(_flag_name(scheduler, bit) for bit in bits)


def netmask(service: VirtualService, persistence: int | None) -> str | None:
    """ipvsadm-save's `-M`: only for persistent services, only when coarser than one host."""
    mask = service.persistence_mask
    if persistence is None or mask is None:
        return None
    if service.family == 6:
        return None if int(mask) == 128 else str(int(mask))
    dotted = mask if isinstance(mask, IPv4Address) else IPv4Network(f"0.0.0.0/{mask}").netmask
    return None if dotted == IPv4Address("255.255.255.255") else str(dotted)


def dest_port(service: VirtualService, server: RealServer, method: Method, fwmark: int) -> int:
    """ipvsadm forces DR/TUN dests onto the service port (V01); fwmark dests are port 0 unless
    NAT names one; NAT may remap."""
    if method is not Method.NAT:
        return 0 if fwmark else service.port or 0
    if server.port is not None:
        return server.port
    return 0 if fwmark else service.port or 0


def _tunnel_fields(tunnel: Tunnel | None) -> dict[str, object]:
    tunnel = tunnel or Tunnel()
    if tunnel.type is TunnelType.IPIP:
        return {"tun_type": TunnelType.IPIP}
    # The kernel's tun_flags 0 is "nocsum", which is what an unset checksum option means.
    return {
        "tun_type": tunnel.type,
        "tun_port": tunnel.port if tunnel.type is TunnelType.GUE else None,
        "tun_csum": tunnel.csum or "nocsum",
    }


def ipvs_dest(config: Config, service: VirtualService, server: RealServer, fwmark: int) -> IpvsDest:
    method = method_of(server, service)
    tunnel = _tunnel_fields(forwarding_for(config, service, method).tunnel) if method is Method.TUNNEL else {}
    return IpvsDest(
        address=server.address,
        port=dest_port(service, server, method, fwmark),
        method=method,
        weight=server.weight,
        upper=server.upper,
        lower=server.lower,
        origin=server_origin(server, service),
        **tunnel,
    )


def inhibited_sorry(config: Config, service: VirtualService, fwmark: int, dests: list[IpvsDest]) -> list[IpvsDest]:
    """`sorry-server ... inhibit` (keepalived's sorry_server_inhibit): the sorry server stays in the
    table at weight 0, with the service's forwarding, while the real servers are up; a real server
    that is already that destination is not added twice (keepalived adds it once)."""
    if service.sorry_server is None or not service.sorry_inhibit:
        return []
    sorry = RealServer("sorry-server", service.sorry_server, service.sorry_port, weight=0)
    dest = replace(ipvs_dest(config, service, sorry, fwmark), origin=sorry_origin(service))
    taken = {(d.address, d.port) for d in dests}
    return [] if (dest.address, dest.port) in taken else [dest]


def ipvs_service(config: Config, service: VirtualService) -> IpvsService:
    fwmark = fwmark_of(service)
    persistence = persistence_of(service)
    dests = [ipvs_dest(config, service, server, fwmark) for server in active_servers(service)]
    dests += inhibited_sorry(config, service, fwmark, dests)
    return IpvsService(
        family=service.family,
        protocol=None if fwmark else service.protocol,
        address=None if fwmark else vip_address(service),
        port=0 if fwmark else service.port or 0,
        fwmark=fwmark,
        scheduler=service.scheduler,
        flags=scheduler_flags(service.scheduler, service.sched_flags),
        persistence=persistence,
        netmask=netmask(service, persistence),
        pe=service.persistence_engine,
        ops=service.one_packet,
        dests=tuple(sorted(dests, key=lambda d: d.sort_key)),
        origin=service_origin(service),
    )


def mark_rules(service: VirtualService) -> list[MarkRule]:
    fwmark = fwmark_of(service)
    if not fwmark or service.vip is None:  # marks set outside lvscc (docs/language.md)
        return []
    destination = host_network(vip_address(service))
    return [
        MarkRule(fwmark, destination, protocol, ports, origin=service_origin(service))
        for protocol, ports in marked_ports(service).items()
    ]


def _methods(service: VirtualService) -> set[Method]:
    return {service.forwarding.method} | {method_of(server, service) for server in active_servers(service)}


def _nat_services(config: Config) -> list[VirtualService]:
    return [s for s in active_services(config) if Method.NAT in _methods(s)]


def masquerade_rules(config: Config) -> list[MasqueradeRule]:
    rules = []
    forwardings = [config.forwarding] + [forwarding_for(config, s, Method.NAT) for s in _nat_services(config)]
    for forwarding in forwardings:
        where = origin(forwarding.span, "forwarding nat")
        rules += [MasqueradeRule(network, origin=where) for network in forwarding.masquerade]
    for service in _nat_services(config):
        gateway = forwarding_for(config, service, Method.NAT).gateway
        if service.ftp is not None and gateway is not None:
            # Active FTP: data connections the real servers open from port 20 are unknown to
            # IPVS, so the director masquerades them (guide §3.5).
            rules.append(MasqueradeRule(gateway.network, Protocol.TCP, _FTP_DATA_PORT, service_origin(service)))
    return rules


def helper_rules(config: Config) -> list[HelperRule]:
    """The ftp conntrack helper on every FTP service's control connection, whatever the
    forwarding: kernels >= 6.0 attach no helper by themselves, and ip_vs_ftp (NAT) and the
    director's MASQUERADE of active-mode data connections need it (LVS135, docs/language.md)."""
    return [
        HelperRule("ftp", vip_address(service), Protocol.TCP, _FTP_CONTROL_PORT, service_origin(service))
        for service in active_services(config)
        if service.ftp is not None
    ]


def sync_daemon(config: Config, director: Director) -> IpvsSync | None:
    """The director that starts out holding the VIPs (primary) sends, the other receives."""
    sync = config.sync_daemon
    if sync is None:
        return None
    state = "master" if director.role == "primary" else "backup"
    return IpvsSync(state, sync.interface, sync.sync_id, origin(sync.span, "sync-daemon"))


def director_sysctls(config: Config) -> list[Sysctl]:
    sysctls = [
        Sysctl(f"net.ipv4.vs.{name}", " ".join(str(v) for v in values), origin(span, f"ipvs {name}"))
        for name, values, span in config.ipvs_sysctls
    ]
    for service in _nat_services(config):
        key = "net.ipv6.conf.all.forwarding" if service.family == 6 else "net.ipv4.ip_forward"
        sysctls.append(Sysctl(key, "1", service_origin(service)))
    return sysctls


def service_modules(service: VirtualService) -> list[str]:
    """The kernel modules one virtual service needs beyond ip_vs itself."""
    found = [f"ip_vs_{service.scheduler}"]
    if service.ftp is not None:
        found += ["ip_vs_ftp", "nf_conntrack_ftp"]
    if service.persistence_engine:
        found.append(f"ip_vs_pe_{service.persistence_engine}")
    return found


def modules(config: Config) -> list[str]:
    return ["ip_vs", *(m for service in active_services(config) for m in service_modules(service))]


def floating_addresses(config: Config, director: Director) -> list[Address]:
    """The VIPs and NAT gateways the HA daemon moves between directors. A VIP or gateway without
    a device goes on the director's public or private device, where the guide puts them
    (eth0:1 / eth1:1); with no device known at all it is left out rather than guessed."""
    found = []
    for service in active_services(config):
        device = service.vip_dev or director.public_dev
        if service.vip is not None and device:
            found.append(Address(service.vip, device, service_origin(service), floating=True))
    for service in _nat_services(config):
        nat = forwarding_for(config, service, Method.NAT)
        device = nat.gateway_dev or director.private_dev
        if nat.gateway is not None and device:
            found.append(Address(nat.gateway, device, origin(nat.span, "forwarding nat gateway"), floating=True))
    return found


def timeouts(config: Config) -> IpvsTimeouts | None:
    if config.timeouts is None:
        return None
    t = config.timeouts
    return IpvsTimeouts(t.tcp or 0, t.tcpfin or 0, t.udp or 0)


def directors(config: Config) -> list[Director]:
    return sorted(config.directors, key=lambda d: d.role != "primary") or [Director("primary")]


def director_state(config: Config, director: Director) -> HostState:
    services = active_services(config)
    return canonical(
        HostState(
            host=director.role,
            role="director",
            address=director.public,
            ipvs=tuple(ipvs_service(config, s) for s in services),
            timeouts=timeouts(config),
            marks=tuple(rule for s in services for rule in mark_rules(s)),
            masquerades=tuple(masquerade_rules(config)),
            sysctls=tuple(director_sysctls(config)),
            modules=tuple(modules(config)),
            addresses=tuple(floating_addresses(config, director)),
            helpers=tuple(helper_rules(config)),
            sync=sync_daemon(config, director),
        )
    )
