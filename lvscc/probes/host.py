"""Readers for the host-level dumps: `sysctl -a`, /proc/modules (or lsmod), `ip -j addr`, and
`ipvsadm -L --timeout`."""

from __future__ import annotations

import json
import re
from ipaddress import ip_interface

from lvscc.model.state import Address, IpvsTimeouts, Sysctl


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
    for link in json.loads(text):
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
