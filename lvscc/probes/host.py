"""Readers for the host-level dumps: `sysctl -a`, /proc/modules (or lsmod), `ip -j addr`,
`ipvsadm -L --timeout`, `ip -j route`, `ip -j -d link` and `ip -j fou show`."""

from __future__ import annotations

import json
import re
from ipaddress import ip_address, ip_interface
from typing import Any

from lvscc.model.config import TunnelType
from lvscc.model.state import FALLBACK_TUNNELS, Address, IpvsTimeouts, Route, Sysctl, TunnelDevice, route_destination

LINK_KINDS = {t.kind: t.type for t in FALLBACK_TUNNELS.values()}
FOU_FAMILIES = {"inet": 4, "inet6": 6}


def _json_list(text: str) -> list[Any]:
    # Some iproute2 versions print nothing at all, not [], for an empty dump.
    return json.loads(text) if text.strip() else []


def parse_sysctl(text: str) -> tuple[Sysctl, ...]:
    found = []
    for line in text.splitlines():
        key, sep, value = line.partition(" = ")
        if sep:
            found.append(Sysctl(key.strip().replace("/", "."), value.strip()))
    return tuple(found)


def parse_modules(text: str) -> tuple[str, ...]:
    """Module names: the first word of each /proc/modules or lsmod line."""
    names = {line.split()[0] for line in text.splitlines() if line.strip()}
    return tuple(sorted(names - {"Module"}))


def parse_addresses(text: str) -> tuple[Address, ...]:
    found = []
    for link in _json_list(text):
        for info in link.get("addr_info", []):
            if info.get("family") not in ("inet", "inet6") or "local" not in info:
                continue
            interface = ip_interface(f"{info['local']}/{info['prefixlen']}")
            found.append(Address(interface, info.get("label") or link["ifname"]))
    return tuple(found)


_TIMEOUTS = re.compile(r"Timeout \(tcp tcpfin udp\):\s*(\d+)\s+(\d+)\s+(\d+)")


def parse_timeouts(text: str) -> IpvsTimeouts | None:
    found = _TIMEOUTS.search(text)
    return IpvsTimeouts(*(int(v) for v in found.groups())) if found else None


def _gateways(route: dict[str, Any], version: int) -> list[str]:
    hops = route.get("nexthops") or [route]
    # An on-link route has no gateway; the kernel's own word for that is the unspecified address.
    unspecified = "0.0.0.0" if version == 4 else "::"
    return [hop.get("gateway", unspecified) for hop in hops]


def parse_routes(text: str, version: int) -> tuple[Route, ...]:
    """The routes the kernel uses from one family's `ip -j route show table main`: per
    destination only the lowest metric's (a multipath route is one Route per next hop)."""
    best: dict[str, tuple[int, list[str]]] = {}
    for route in _json_list(text):
        if route.get("type", "unicast") != "unicast" or route.get("table", "main") != "main":
            continue
        destination = route_destination(route["dst"])
        metric = int(route.get("metric", 0))
        if destination not in best or metric < best[destination][0]:
            best[destination] = (metric, _gateways(route, version))
        elif metric == best[destination][0]:
            best[destination][1].extend(_gateways(route, version))
    return tuple(Route(dst, ip_address(gw)) for dst, (_, gateways) in best.items() for gw in gateways)


def parse_links(text: str) -> tuple[TunnelDevice, ...]:
    """The tunnel devices of `ip -j -d link show`: the kinds lvscc's real servers decapsulate with."""
    found = []
    for link in _json_list(text):
        kind = (link.get("linkinfo") or {}).get("info_kind")
        if kind in LINK_KINDS:
            found.append(TunnelDevice(link["ifname"], LINK_KINDS[kind], up="UP" in link.get("flags", ())))
    return tuple(found)


def parse_fou(text: str) -> tuple[TunnelDevice, ...]:
    """Each GUE receive port of `ip -j fou show`, once per fallback device it unwraps into."""
    found = []
    for port in _json_list(text):
        if "gue" not in port:
            continue  # a direct fou port (ipproto) carries no GUE header: not what IPVS sends
        family = FOU_FAMILIES[port.get("family", "inet")]
        found += [
            TunnelDevice(t.name, TunnelType.GUE, int(port["port"]))
            for t in FALLBACK_TUNNELS.values()
            if t.outer == family and t.type is TunnelType.IPIP
        ]
    return tuple(found)
