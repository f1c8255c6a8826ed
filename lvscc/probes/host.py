"""Readers for the host-level dumps: `sysctl -a`, /proc/modules (or lsmod), `ip -j addr`,
`ipvsadm -L --timeout`, `ip -j route`, `ip -j -d link` and `ip -j fou show`."""

from __future__ import annotations

import json
import re
from ipaddress import ip_address, ip_interface
from typing import Any

from lvscc.model.config import TunnelType
from lvscc.model.state import FALLBACK_TUNNELS, Address, IpvsTimeouts, Route, Sysctl, TunnelDevice, route_destination
from lvscc.syntax import Refused
from lvscc.syntax import sysctl as sysctl_syntax

LINK_KINDS = {t.kind: t.type for t in FALLBACK_TUNNELS.values()}
FOU_FAMILIES = {"inet": 4, "inet6": 6}


def _json_list(text: str) -> list[dict[str, Any]]:
    """iproute2's `-j` output: a list of objects. Some versions print nothing at all, not [],
    for an empty dump."""
    found = json.loads(text) if text.strip() else []
    if not isinstance(found, list) or not all(isinstance(item, dict) for item in found):
        raise Refused("not iproute2 JSON (expected a list of objects)")
    return found


def _text(item: dict[str, Any], key: str) -> str:
    value = item.get(key)
    if not isinstance(value, str):
        raise Refused(f"{key!r} is {type(value).__name__}, not text")
    return value


def parse_sysctl(text: str) -> tuple[Sysctl, ...]:
    found = []
    for number, line in enumerate(text.splitlines(), 1):
        parsed = sysctl_syntax.parse_line(line, f"sysctl.txt:{number}")
        if parsed is not None:
            found.append(Sysctl(*parsed))
    return tuple(found)


def parse_modules(text: str) -> tuple[str, ...]:
    """Module names: the first word of each /proc/modules or lsmod line."""
    names = {line.split()[0] for line in text.splitlines() if line.strip()}
    return tuple(sorted(names - {"Module"}))


def parse_addresses(text: str) -> tuple[Address, ...]:
    found = []
    for link in _json_list(text):
        infos = link.get("addr_info", [])
        for info in infos if isinstance(infos, list) else ():
            if not isinstance(info, dict) or info.get("family") not in ("inet", "inet6") or "local" not in info:
                continue
            prefix = info.get("prefixlen")
            if type(prefix) is not int:
                raise Refused(f"prefixlen {str(prefix)[:20]!r} is not a number")
            interface = ip_interface(f"{_text(info, 'local')}/{prefix}")
            found.append(Address(interface, _text(info, "label") if info.get("label") else _text(link, "ifname")))
    return tuple(found)


_TIMEOUTS = re.compile(r"Timeout \(tcp tcpfin udp\):\s*([0-9]{1,10})\s+([0-9]{1,10})\s+([0-9]{1,10})\b")


def parse_timeouts(text: str) -> IpvsTimeouts | None:
    found = _TIMEOUTS.search(text)
    return IpvsTimeouts(*(int(v) for v in found.groups())) if found else None


def _gateways(route: dict[str, Any], version: int) -> list[str]:
    hops = route.get("nexthops") or [route]
    if not isinstance(hops, list) or not all(isinstance(hop, dict) for hop in hops):
        raise Refused("nexthops is not a list of objects")
    # An on-link route has no gateway; the kernel's own word for that is the unspecified address.
    unspecified = "0.0.0.0" if version == 4 else "::"
    return [_text(hop, "gateway") if "gateway" in hop else unspecified for hop in hops]


def parse_routes(text: str, version: int) -> tuple[Route, ...]:
    """The routes the kernel uses from one family's `ip -j route show table main`: per
    destination only the lowest metric's (a multipath route is one Route per next hop)."""
    best: dict[str, tuple[int, list[str]]] = {}
    for route in _json_list(text):
        if route.get("type", "unicast") != "unicast" or route.get("table", "main") != "main":
            continue
        destination = route_destination(_text(route, "dst"))
        metric = route.get("metric", 0)
        if type(metric) is not int:
            raise Refused(f"metric {str(metric)[:20]!r} is not a number")
        if destination not in best or metric < best[destination][0]:
            best[destination] = (metric, _gateways(route, version))
        elif metric == best[destination][0]:
            best[destination][1].extend(_gateways(route, version))
    return tuple(Route(dst, ip_address(gw)) for dst, (_, gateways) in best.items() for gw in gateways)


def parse_links(text: str) -> tuple[TunnelDevice, ...]:
    """The tunnel devices of `ip -j -d link show`: the kinds lvscc's real servers decapsulate with."""
    found = []
    for link in _json_list(text):
        info = link.get("linkinfo") or {}
        kind = info.get("info_kind") if isinstance(info, dict) else None
        if isinstance(kind, str) and kind in LINK_KINDS:
            flags = link.get("flags", [])
            up = isinstance(flags, list) and "UP" in flags
            found.append(TunnelDevice(_text(link, "ifname"), LINK_KINDS[kind], up=up))
    return tuple(found)


def parse_fou(text: str) -> tuple[TunnelDevice, ...]:
    """Each GUE receive port of `ip -j fou show`, once per fallback device it unwraps into."""
    found = []
    for port in _json_list(text):
        if "gue" not in port:
            continue  # a direct fou port (ipproto) carries no GUE header: not what IPVS sends
        family = FOU_FAMILIES.get(port.get("family", "inet"))
        number = port.get("port")
        if family is None or type(number) is not int or not 0 < number < 65536:
            raise Refused(f"fou port {str(port)[:60]} is not a family and a port")
        found += [
            TunnelDevice(t.name, TunnelType.GUE, number)
            for t in FALLBACK_TUNNELS.values()
            if t.outer == family and t.type is TunnelType.IPIP
        ]
    return tuple(found)
