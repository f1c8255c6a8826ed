"""Lowering for the real servers: what each one needs so that packets the director forwards to
it are accepted (VIP, ARP suppression, REDIRECT, tunnel device) and replies go back the right
way (NAT default route). A server used by several services is one host."""

from __future__ import annotations

from dataclasses import dataclass, field
from ipaddress import ip_interface
from typing import Callable

from lvscc.lower.common import fwmark_of, marked_ports, server_origin, vip_address
from lvscc.model.canonical import canonical
from lvscc.model.config import (
    ArpMethod,
    Config,
    IPAddress,
    IPInterface,
    Method,
    RealServer,
    Tunnel,
    TunnelType,
    VirtualService,
)
from lvscc.model.queries import active_servers, active_services, forwarding_for, method_of
from lvscc.model.state import (
    fallback_tunnel,
    Address,
    ArpRule,
    HostState,
    Origin,
    RedirectRule,
    Route,
    Sysctl,
    TunnelDevice,
)

# Answer ARP only for addresses on the asking interface, and never source ARP from the VIP
# (ip-sysctl.rst; the standard LVS-DR recipe, docs/domain.md: real servers). The kernel uses the max of
# `all` and the interface, so both are set.
_ARP_QUIET = {
    "net.ipv4.conf.all.arp_ignore": "1",
    "net.ipv4.conf.all.arp_announce": "2",
    "net.ipv4.conf.lo.arp_ignore": "1",
    "net.ipv4.conf.lo.arp_announce": "2",
}
_ARP_QUIET_ALL = {k: v for k, v in _ARP_QUIET.items() if ".all." in k}

@dataclass
class _Kit:
    """What one real server accumulates over every service it serves."""

    address: IPAddress
    sysctls: list[Sysctl] = field(default_factory=list)
    addresses: list[Address] = field(default_factory=list)
    redirects: list[RedirectRule] = field(default_factory=list)
    arp: list[ArpRule] = field(default_factory=list)
    routes: list[Route] = field(default_factory=list)
    tunnels: list[TunnelDevice] = field(default_factory=list)
    modules: list[str] = field(default_factory=list)
    arptables_jf: bool = False

    def set(self, values: dict[str, str], where: Origin) -> None:
        self.sysctls += [Sysctl(key, value, where) for key, value in values.items()]

    def state(self, name: str) -> HostState:
        lists = (self.redirects, self.arp, self.sysctls, self.modules, self.addresses, self.routes, self.tunnels)
        state = HostState(
            host=name,
            role="real-server",
            address=self.address,
            redirects=tuple(self.redirects),
            arp=tuple(self.arp),
            arp_chains=("IN", "OUT") if self.arptables_jf else ("INPUT", "OUTPUT"),
            sysctls=tuple(self.sysctls),
            modules=tuple(self.modules),
            addresses=tuple(self.addresses),
            routes=tuple(self.routes),
            tunnels=tuple(self.tunnels),
        )
        # A server in one service mostly holds one item of a kind (a NAT server: one route),
        # already in canonical order; sorting 100,000 such hosts anyway was most of lowering.
        return state if max(map(len, lists)) <= 1 else canonical(state)


def host_interface(address: IPAddress) -> IPInterface:
    return ip_interface(f"{address}/{address.max_prefixlen}")


def redirect_rules(service: VirtualService, where: Origin) -> list[RedirectRule]:
    vip = vip_address(service)
    if not fwmark_of(service):
        if service.protocol is None:
            raise ValueError(f"service {service.name} has neither a protocol nor a firewall mark")
        return [RedirectRule(vip, service.protocol, service.port or 0, where)]
    return [
        RedirectRule(vip, protocol, ports.first, where, ports.last if ports.last != ports.first else None)
        for protocol, ranges in marked_ports(service).items()
        for ports in ranges
    ]


def _direct(kit: _Kit, config: Config, service: VirtualService, server: RealServer) -> None:
    arp = forwarding_for(config, service, Method.DIRECT).arp
    where = server_origin(server, service)
    if arp is ArpMethod.REDIRECT:
        # The guide's iptables method (§3.2.2): no VIP on the server at all.
        kit.redirects += redirect_rules(service, where)
        return
    vip = vip_address(service)
    # The guide's arptables recipe puts the VIP on eth0, but the server's NIC is not in the
    # config; on lo it is accepted just the same, and the arptables rules still keep it quiet.
    kit.addresses.append(Address(host_interface(vip), "lo", where))
    if vip.version != 4:
        return  # IPv6 neighbour discovery only answers for addresses on the asking interface
    if arp is ArpMethod.SYSCTL:
        kit.set(_ARP_QUIET, where)
        return
    kit.arp.append(ArpRule(vip, server.address, where))
    kit.arptables_jf |= arp is ArpMethod.ARPTABLES_JF


def _tunnel(kit: _Kit, config: Config, service: VirtualService, server: RealServer) -> None:
    tunnel = forwarding_for(config, service, Method.TUNNEL).tunnel or Tunnel()
    vip = vip_address(service)
    where = server_origin(server, service)
    fallback = fallback_tunnel(tunnel.type, server.address.version, vip.version)
    device = fallback.name
    gue = tunnel.type is TunnelType.GUE
    kit.tunnels.append(TunnelDevice(device, tunnel.type, tunnel.port if gue else None, where))
    kit.modules.append(fallback.module)
    if gue:
        kit.modules.append("fou" if server.address.version == 4 else "fou6")
    kit.addresses.append(Address(host_interface(vip), device, where))
    if vip.version == 4:
        # Decapsulated packets arrive on the tunnel device from a source routed via the NIC:
        # strict rp_filter (effective = max of all and the device) drops them (V19).
        kit.set({"net.ipv4.conf.all.rp_filter": "0", f"net.ipv4.conf.{device}.rp_filter": "0"}, where)
        kit.set(_ARP_QUIET_ALL, where)


def _nat(kit: _Kit, config: Config, service: VirtualService, server: RealServer) -> None:
    # IPVS only rewrites the destination: replies must go back through the director (V15).
    gateway = forwarding_for(config, service, Method.NAT).gateway
    if gateway is not None:
        kit.routes.append(Route("default", gateway.ip, server_origin(server, service)))


_BY_METHOD: dict[Method, Callable[[_Kit, Config, VirtualService, RealServer], None]] = {
    Method.DIRECT: _direct,
    Method.TUNNEL: _tunnel,
    Method.NAT: _nat,
}


def real_server_names(config: Config) -> set[str]:
    return {server.name for service in active_services(config) for server in active_servers(service)}


def real_server_states(config: Config, only: str | None = None) -> list[HostState]:
    """Every real server's state, or only the one named `only` (none if there is no such)."""
    kits: dict[str, _Kit] = {}
    for service in active_services(config):
        for server in active_servers(service):
            if only is not None and server.name != only:
                continue
            kit = kits.setdefault(server.name, _Kit(server.address))
            if service.vip is not None or method_of(server, service) is Method.NAT:  # else LVS185 for rs-kit
                _BY_METHOD[method_of(server, service)](kit, config, service, server)
    return [kit.state(name) for name, kit in sorted(kits.items())]
