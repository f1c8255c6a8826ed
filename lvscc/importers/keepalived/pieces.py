"""A virtual_server block and its real servers as keepalived reads them, before they become
one VirtualService per address."""

from __future__ import annotations

from dataclasses import dataclass, field
from ipaddress import IPv4Address

from lvscc.importers.common import Entry
from lvscc.model.config import Forwarding, HealthCheck, IPAddress, Method, Protocol
from lvscc.model.span import NOWHERE, Span

# (address, port, fwmark) of one IPVS service a virtual_server block makes
Target = tuple[IPAddress | None, int, int | None]


@dataclass
class Real:
    address: IPAddress
    port: int | None
    weight: int = 1
    upper: int = 0
    lower: int = 0
    method: Forwarding | None = None
    inhibit: bool = False
    check: HealthCheck | None = None
    span: Span = NOWHERE


@dataclass
class Virtual:
    entry: Entry
    scheduler: str = "wlc"
    forwarding: Forwarding = field(default_factory=lambda: Forwarding(method=Method.NAT))
    protocol: Protocol | None = None
    persistence: int | None = None
    mask: IPv4Address | int | None = None
    engine: str | None = None
    ops: bool = False
    flags: list[str] = field(default_factory=list)
    sorry: IPAddress | None = None
    sorry_port: tuple[Entry, int] | None = None
    sorry_inhibit: bool = False
    inhibit: bool = False
    defaults: dict[str, int] = field(default_factory=dict)  # checker timers set on the virtual server
    family: int | None = None
    reals: list[Real] = field(default_factory=list)
