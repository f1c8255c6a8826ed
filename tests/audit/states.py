"""Small host states for the auditor's tests, built directly: the auditor is tested on values,
never on a kernel."""

from __future__ import annotations

from dataclasses import replace
from ipaddress import ip_address, ip_interface, ip_network

from lvscc.model.config import Method, PortRange, Protocol
from lvscc.model.state import Address, ArpRule, HostState, IpvsDest, IpvsService, MarkRule, MasqueradeRule, Sysctl

VIP = ip_address("192.0.2.10")


def dest(address: str, port: int = 80, weight: int = 1, method: Method = Method.NAT) -> IpvsDest:
    return IpvsDest(ip_address(address), port, method, weight=weight)


def web(*dests: IpvsDest, scheduler: str = "wlc", persistence: int | None = None) -> IpvsService:
    return IpvsService(4, Protocol.TCP, VIP, 80, scheduler=scheduler, persistence=persistence, dests=dests)


def fwmark_service(mark: int, *dests: IpvsDest) -> IpvsService:
    return IpvsService(4, None, None, 0, fwmark=mark, scheduler="rr", persistence=300, dests=dests)


def mark(fwmark: int, *ports: int | tuple[int, int], destination: str = "192.0.2.10/32") -> MarkRule:
    ranges = tuple(PortRange(p, p) if isinstance(p, int) else PortRange(*p) for p in ports)
    return MarkRule(fwmark, ip_network(destination), Protocol.TCP, ranges)


def director(**changes: object) -> HostState:
    base = HostState(
        "primary",
        "director",
        ipvs=(web(dest("198.51.100.2"), dest("198.51.100.3", weight=3)), fwmark_service(80, dest("198.51.100.2", 0))),
        marks=(mark(80, 80, 443),),
        masquerades=(MasqueradeRule(ip_network("198.51.100.0/24")),),
        sysctls=(Sysctl("net.ipv4.ip_forward", "1"), Sysctl("net.ipv4.vs.sync_threshold", "3 50")),
        modules=("ip_vs", "ip_vs_wlc"),
        addresses=(Address(ip_interface("192.0.2.10/24"), "eth0:1"),),
    )
    return replace(base, **changes)


def real_server(**changes: object) -> HostState:
    base = HostState(
        "web1",
        "real-server",
        arp=(ArpRule(VIP, ip_address("198.51.100.2")),),
        sysctls=(Sysctl("net.ipv4.conf.all.arp_ignore", "1"),),
    )
    return replace(base, **changes)
