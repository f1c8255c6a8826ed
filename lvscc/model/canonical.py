"""The canonical form of a HostState: every tuple deduplicated (origin is not part of equality,
so the first declaration's origin is kept) and sorted. IPVS objects use their own sort_key
(ipvsadm-save's order); the rest have no kernel order of their own, so the keys here are the
convention. Lowering emits every HostState in this form, so rendering is byte-stable; the
auditor compares mark rules in their canonical form, since a rule split or merged on its ports
is the same rule to the kernel."""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Callable, Iterable, TypeVar

from lvscc.model.config import IPAddress, IPNetwork, Protocol
from lvscc.model.state import (
    Address,
    ArpRule,
    HelperRule,
    HostState,
    IpvsService,
    MarkRule,
    MasqueradeRule,
    RedirectRule,
    Route,
    Sysctl,
    TunnelDevice,
    merge_ports,
)

T = TypeVar("T")


def _addr(address: IPAddress) -> tuple[int, bytes]:
    return (address.version, address.packed)


def _net(network: IPNetwork) -> tuple[int, bytes, int]:
    return (network.version, network.network_address.packed, network.prefixlen)


def _proto(protocol: Protocol | None) -> int:
    return protocol.number if protocol is not None else 0


def _mark(rule: MarkRule) -> tuple:
    return (rule.fwmark, _net(rule.destination), _proto(rule.protocol), [(r.first, r.last) for r in rule.ports])


def _masquerade(rule: MasqueradeRule) -> tuple:
    return (_net(rule.source), _proto(rule.protocol), rule.sport or 0)


def _redirect(rule: RedirectRule) -> tuple:
    return (_addr(rule.destination), _proto(rule.protocol), rule.port, rule.last or rule.port)


def _helper(rule: HelperRule) -> tuple:
    return (rule.helper, _addr(rule.destination), _proto(rule.protocol), rule.port)


def _arp(rule: ArpRule) -> tuple:
    return (_addr(rule.vip), _addr(rule.real))


def _address(address: Address) -> tuple:
    return (address.link, address.device, address.interface.version, address.interface.ip.packed,
            address.interface.network.prefixlen)


def _route(route: Route) -> tuple:
    return (route.destination != "default", route.destination, _addr(route.gateway))


def _tunnel(tunnel: TunnelDevice) -> tuple:
    return (tunnel.name, tunnel.type.value, tunnel.port or 0)


def _sysctl(sysctl: Sysctl) -> str:
    return sysctl.key


def unique_sorted(items: Iterable[T], key: Callable[[T], Any]) -> tuple[T, ...]:
    return tuple(sorted(dict.fromkeys(items), key=key))


def canonical_service(service: IpvsService) -> IpvsService:
    return replace(service, dests=tuple(sorted(service.dests, key=lambda d: d.sort_key)))


def canonical(host: HostState) -> HostState:
    return replace(
        host,
        ipvs=tuple(sorted((canonical_service(s) for s in host.ipvs), key=lambda s: s.sort_key)),
        marks=unique_sorted(host.marks, _mark),
        masquerades=unique_sorted(host.masquerades, _masquerade),
        redirects=unique_sorted(host.redirects, _redirect),
        arp=unique_sorted(host.arp, _arp),
        sysctls=unique_sorted(host.sysctls, _sysctl),
        modules=tuple(sorted(set(host.modules))),
        addresses=unique_sorted(host.addresses, _address),
        routes=unique_sorted(host.routes, _route),
        tunnels=unique_sorted(host.tunnels, _tunnel),
        helpers=unique_sorted(host.helpers, _helper),
    )


def canonical_marks(marks: tuple[MarkRule, ...]) -> tuple[MarkRule, ...]:
    """Each rule with its ports merged: ports listed one by one or as ranges compare equal."""
    return tuple(replace(m, ports=merge_ports(m.ports)) for m in marks)
