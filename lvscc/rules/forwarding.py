"""How packets reach the real servers: port remapping, address families, tunnels, the NAT
gateway, and how direct-routing real servers hide the VIP from ARP."""

from __future__ import annotations

from collections import defaultdict
from typing import Iterable

from lvscc.diagnostics import Finding
from lvscc.model.config import ArpMethod, Config, Method, TunnelType
from lvscc.model.queries import active_services, forwarding_for, method_of
from lvscc.rules import error, info, rule, warning
from lvscc.rules._common import REMAPPING_METHODS, declared_forwardings, forwarding_span


@rule("LVS101")
def dr_port_remap(config: Config) -> Iterable[Finding]:
    """ipvsadm silently overwrites a direct-routing or tunnelled server's port with the
    virtual port, so the server never receives traffic on the port the config names."""
    for service in active_services(config):
        if service.fwmark is not None:
            continue
        for server in service.servers:
            method = method_of(server, service)
            if method in REMAPPING_METHODS and server.port is not None and server.port != service.port:
                how = "direct routing" if method is Method.DIRECT else "tunnelling"
                yield error(
                    f"{how} cannot remap ports: service {service.name} listens on {service.port}, "
                    f"server {server.name} on {server.port}",
                    server.span,
                    "drop the port, or use `forwarding nat` for this service",
                )


@rule("LVS102")
def fwmark_server_port(config: Config) -> Iterable[Finding]:
    """A firewall-mark service forwards each packet to the port it was sent to; a DR or
    tunnelled server cannot be given another port, and keepalived clears it anyway."""
    for service in active_services(config):
        if service.fwmark is None:
            continue
        for server in service.servers:
            if method_of(server, service) in REMAPPING_METHODS and server.port:
                yield error(
                    f"service {service.name} is firewall mark {service.fwmark}: server {server.name} "
                    f"cannot have port {server.port} without NAT",
                    server.span,
                    "drop the port: the request's own destination port is used",
                )


@rule("LVS113")
def address_family(config: Config) -> Iterable[Finding]:
    """The kernel refuses a real server of another address family than its service
    unless it is reached through a tunnel ("allowed only for tunneling servers")."""
    for service in active_services(config):
        if service.vip is None:
            continue
        family = service.vip.version
        for server in service.servers:
            if server.address.version != family and method_of(server, service) is not Method.TUNNEL:
                yield error(
                    f"service {service.name} has an IPv{service.vip.version} VIP but server "
                    f"{server.name} is IPv{server.address.version}",
                    server.span,
                    "use an address of the VIP's family, or `tunnel` forwarding for this server",
                )
        sorry = service.sorry_server
        if sorry is not None and sorry.version != service.vip.version:
            yield error(
                f"service {service.name} has an IPv{service.vip.version} VIP but its sorry-server "
                f"{sorry} is IPv{sorry.version}",
                service.span,
                "use a sorry-server of the VIP's family",
            )


def _tunnel_problem(tunnel_type: TunnelType, port: int | None, csum: str | None) -> str | None:
    if tunnel_type is TunnelType.GUE and not port:
        return "a gue tunnel needs a port (the kernel refuses tunnel port 0)"
    if tunnel_type is not TunnelType.GUE and port is not None:
        return f"only gue tunnels take a port, not {tunnel_type}"
    if tunnel_type is TunnelType.IPIP and csum is not None:
        return f"ipip tunnels have no checksum option ({csum})"
    if tunnel_type is TunnelType.GRE and csum == "remcsum":
        return "gre tunnels do not support remcsum"
    return None


@rule("LVS114")
def tunnel_options(config: Config) -> Iterable[Finding]:
    """ipvsadm rejects tunnel options that do not fit the forwarding method or tunnel type
    ("Tunnel options conflict with forward method"), so the whole restore stops there."""
    for owner, forwarding in declared_forwardings(config):
        tunnel = forwarding.tunnel
        if tunnel is None:
            continue
        if forwarding.method is not Method.TUNNEL:
            problem: str | None = f"tunnel options need `forwarding tunnel`, not {forwarding.method}"
        else:
            problem = _tunnel_problem(tunnel.type, tunnel.port, tunnel.csum)
        if problem:
            yield error(f"{owner}: {problem}", forwarding.span, "see `ipvsadm --tun-type` in ipvsadm(8)")


@rule("LVS115", needed_by=("rs-kit",))
def nat_gateway(config: Config, backend: str) -> Iterable[Finding]:
    """IPVS NAT only rewrites the destination: replies go back through the director only if
    every real server routes through the director's floating NAT address, the route the
    real-server kit sets. The IPVS table does not depend on it, so only the rs-kit backend
    asks; `gateway external` says that route is managed elsewhere."""
    for service in active_services(config):
        forwarding = forwarding_for(config, service, Method.NAT)
        nat_servers = [s for s in service.servers if method_of(s, service) is Method.NAT]
        if nat_servers and forwarding.gateway is None and not forwarding.gateway_external:
            yield error(
                f"backend {backend} needs the NAT gateway of service {service.name}: its real servers' default route",
                forwarding_span(service),
                "add `forwarding nat { gateway ADDR/PREFIX dev DEV }`, or `gateway external` when the real "
                "servers route back by other means",
            )
        gateway = forwarding.gateway
        for server in nat_servers:
            if gateway is not None and server.address not in gateway.network:
                yield warning(
                    f"NAT server {server.name} ({server.address}) of service {service.name} is not on "
                    f"the gateway's network {gateway.network}, so it cannot route back through {gateway.ip}",
                    server.span,
                    "put the real servers on the director's private network",
                )


@rule("LVS116")
def dr_same_segment(config: Config) -> Iterable[Finding]:
    """Direct routing only rewrites the MAC address: a real server off the director's
    segment never receives the frame."""
    if any(director.private is not None for director in config.directors):
        return  # the private network's prefix is not declared; the server may sit there
    for service in active_services(config):
        vip = service.vip
        if vip is None or vip.network.prefixlen == vip.max_prefixlen:
            continue
        for server in service.servers:
            direct = method_of(server, service) is Method.DIRECT
            if direct and server.address.version == vip.version and server.address not in vip.network:
                yield warning(
                    f"direct-routing server {server.name} ({server.address}) of service {service.name} "
                    f"is outside the VIP's network {vip.network}",
                    server.span,
                    "direct routing needs the servers on the director's LAN; across routers use `forwarding tunnel`",
                )


@rule("LVS117")
def redirect_port_clash(config: Config) -> Iterable[Finding]:
    """With `arp redirect` a real server binds its daemon to INADDR_ANY, so two VIPs with
    the same protocol and port on one server reach the same daemon and cannot be told apart."""
    seen: dict[tuple, list[str]] = defaultdict(list)
    for service in active_services(config):
        forwarding = service.forwarding
        if forwarding.method is not Method.DIRECT or forwarding.arp is not ArpMethod.REDIRECT:
            continue
        if service.fwmark is not None or service.vip is None:
            continue
        for server in service.servers:
            key = (server.address, service.protocol, service.port)
            if seen[key] and service.name not in seen[key]:
                yield warning(
                    f"server {server.name} ({server.address}) serves {service.protocol} port {service.port} "
                    f"for both service {seen[key][0]} and service {service.name}; with `arp redirect` one "
                    "daemon answers both VIPs",
                    server.span,
                    "use `arp sysctl` or `arp arptables`, which let daemons bind each VIP",
                )
            seen[key].append(service.name)


@rule("LVS118")
def arptables_ipv6(config: Config) -> Iterable[Finding]:
    """IPv6 has no ARP: arptables rules cannot stop real servers from answering
    neighbour solicitations for an IPv6 VIP."""
    arptables = (ArpMethod.ARPTABLES, ArpMethod.ARPTABLES_JF)
    for service in active_services(config):
        forwarding = service.forwarding
        if service.vip is not None and service.vip.version == 6 and forwarding.arp in arptables:
            yield error(
                f"service {service.name} has an IPv6 VIP but uses `arp {forwarding.arp}`",
                forwarding_span(service),
                "use `arp sysctl` (VIP on lo) or `arp redirect` for IPv6 services",
            )


@rule("LVS119")
def tunnel_rp_filter(config: Config) -> Iterable[Finding]:
    """Strict reverse-path filtering on a tunnel real server drops every decapsulated
    packet, because the VIP source is not routed back through the tunnel."""
    for service in active_services(config):
        tunnelled = [s.name for s in service.servers if method_of(s, service) is Method.TUNNEL]
        if tunnelled:
            yield info(
                f"service {service.name}: tunnel servers {', '.join(tunnelled)} need rp_filter 0 or 2 on "
                "both `all` and the tunnel device (the kernel uses the larger value)",
                forwarding_span(service),
                "the real-server kit sets it; check no startup script sets rp_filter=1 later",
            )
