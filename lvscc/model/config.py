"""The validated configuration (IR): what the operator declared, with pools, includes,
ranges and defaults resolved. Defaults are ipvsadm's (see docs/language.md), never
keepalived's, because ipvsadm's are what the kernel does when a field is left out."""

from __future__ import annotations

from dataclasses import field
from enum import StrEnum
from ipaddress import IPv4Address, IPv4Interface, IPv4Network, IPv6Address, IPv6Interface, IPv6Network
from typing import Mapping

from lvscc.model.span import NOWHERE, Span
from lvscc.model.value import Value, value_class

IPAddress = IPv4Address | IPv6Address
IPInterface = IPv4Interface | IPv6Interface
IPNetwork = IPv4Network | IPv6Network

# ipvsadm/libipvs defaults (docs/domain.md: ipvsadm): wlc, DR, weight 1, `-p` alone = 360 s.
DEFAULT_SCHEDULER = "wlc"
DEFAULT_WEIGHT = 1
DEFAULT_PERSISTENCE = 360
# Piranha's heartbeat defaults (lvsconfig.c): port 539, keepalive 2 s, deadtime 5 s.
DEFAULT_HEARTBEAT_PORT = 539
DEFAULT_HEARTBEAT_INTERVAL = 2
DEFAULT_HEARTBEAT_DEAD_AFTER = 5
# nanny defaults (lvsconfig.c lvsInitVirtualServer): timeout 10 s, reentry 180 s.
DEFAULT_CHECK_TIMEOUT = 10
DEFAULT_CHECK_REENTRY = 180

SCHEDULERS = ("rr", "wrr", "lc", "wlc", "lblc", "lblcr", "dh", "sh", "sed", "nq", "fo", "ovf", "mh", "twos")
SCHEDULER_FLAGS = {
    "sh": ("sh-fallback", "sh-port"),
    "mh": ("mh-fallback", "mh-port"),
}
ALL_SCHEDULER_FLAGS = ("flag-1", "flag-2", "flag-3", "sh-fallback", "sh-port", "mh-fallback", "mh-port")


class Protocol(StrEnum):
    TCP = "tcp"
    UDP = "udp"
    SCTP = "sctp"

    @property
    def number(self) -> int:
        return {"tcp": 6, "udp": 17, "sctp": 132}[self.value]


class Method(StrEnum):
    """Packet-forwarding method (ipvsadm -m / -g / -i)."""

    NAT = "nat"
    DIRECT = "direct"
    TUNNEL = "tunnel"


class ArpMethod(StrEnum):
    """How a direct-routing real server accepts the VIP without answering ARP for it."""

    SYSCTL = "sysctl"  # VIP on lo + arp_ignore=1/arp_announce=2
    ARPTABLES = "arptables"  # VIP on the NIC + arptables INPUT/OUTPUT rules
    ARPTABLES_JF = "arptables-jf"  # the guide's arptables_jf (chains IN/OUT)
    REDIRECT = "redirect"  # no VIP: iptables nat PREROUTING REDIRECT (guide §3.2.2)


class TunnelType(StrEnum):
    IPIP = "ipip"
    GUE = "gue"
    GRE = "gre"


class WeightPolicy(StrEnum):
    """How the auditor treats a real server's weight that differs from the config."""

    MANAGED = "managed"  # any difference is drift
    OBSERVED = "observed"  # weights belong to a health checker: never drift
    IGNORE = "ignore"
    QUIESCE = "quiesce"  # default: 0 is reported as quiesced, other changes are drift


@value_class
class PortRange(Value):
    first: int
    last: int

    def __str__(self) -> str:
        return str(self.first) if self.first == self.last else f"{self.first}-{self.last}"


@value_class
class Director(Value):
    role: str  # "primary" | "backup"
    public: IPAddress | None = None
    public_dev: str | None = None
    private: IPAddress | None = None
    private_dev: str | None = None
    span: Span = NOWHERE


@value_class
class Heartbeat(Value):
    port: int = DEFAULT_HEARTBEAT_PORT
    interval: int = DEFAULT_HEARTBEAT_INTERVAL
    dead_after: int = DEFAULT_HEARTBEAT_DEAD_AFTER
    monitor_links: bool = False
    span: Span = NOWHERE


@value_class
class SyncDaemon(Value):
    interface: str
    sync_id: int = 0
    span: Span = NOWHERE


@value_class
class Tunnel(Value):
    type: TunnelType = TunnelType.IPIP
    port: int | None = None  # gue only
    csum: str | None = None  # "csum" | "nocsum" | "remcsum"


@value_class
class Forwarding(Value):
    method: Method = Method.DIRECT  # ipvsadm's default (-g)
    gateway: IPInterface | None = None  # NAT: floating address, the real servers' default route
    gateway_dev: str | None = None
    gateway_external: bool = False  # `gateway external`: the real servers' route back is managed elsewhere
    masquerade: tuple[IPNetwork, ...] = ()  # NAT: real-server networks whose outbound traffic is masqueraded
    arp: ArpMethod = ArpMethod.SYSCTL
    tunnel: Tunnel | None = None
    span: Span = NOWHERE


@value_class
class Timeouts(Value):
    """IPVS connection timeouts in seconds; None leaves the kernel's value (ipvsadm --set 0)."""

    tcp: int | None = None
    tcpfin: int | None = None
    udp: int | None = None
    span: Span = NOWHERE


@value_class
class HealthCheck(Value):
    send: str | None = None
    expect: str | None = None
    regex: bool = False
    send_program: str | None = None
    timeout: int = DEFAULT_CHECK_TIMEOUT
    reentry: int = DEFAULT_CHECK_REENTRY
    load_monitor: str = "none"  # none | rup | ruptime | uptime
    port: int | None = None
    span: Span = NOWHERE


@value_class
class RealServer(Value):
    name: str
    address: IPAddress
    port: int | None = None  # None: the service's port (0 for firewall-mark services)
    weight: int = DEFAULT_WEIGHT
    upper: int = 0  # connection thresholds, 0 = none (ipvsadm -x / -y)
    lower: int = 0
    active: bool = True
    method: Method | None = None  # per-server override of the service's forwarding
    pool: str | None = None
    span: Span = NOWHERE
    spans: Mapping[str, Span] = field(default_factory=dict, compare=False, hash=False, repr=False)


@value_class
class MarkPorts(Value):
    """One protocol and the ports that carry a firewall mark."""

    protocol: Protocol
    ports: tuple[PortRange, ...]
    span: Span = NOWHERE


@value_class
class Ftp(Value):
    passive: PortRange | None = None
    span: Span = NOWHERE


@value_class
class VirtualService(Value):
    name: str
    vip: IPInterface | None = None
    vip_dev: str | None = None
    protocol: Protocol | None = None  # None for firewall-mark services
    port: int | None = None
    fwmark: int | None = None
    mark_ports: tuple[MarkPorts, ...] = ()
    marks_external: bool = False  # `fwmark N external`: the packets are marked by rules lvscc does not write
    scheduler: str = DEFAULT_SCHEDULER
    sched_flags: tuple[str, ...] = ()
    persistence: int | None = None
    persistence_mask: IPv4Address | int | None = None  # IPv4 netmask or IPv6 prefix length
    persistence_engine: str | None = None
    one_packet: bool = False
    forwarding: Forwarding = Forwarding()
    check: HealthCheck | None = None
    quiesce: bool = False
    servers: tuple[RealServer, ...] = ()
    ftp: Ftp | None = None
    active: bool = True
    sorry_server: IPAddress | None = None
    sorry_port: int | None = None  # None: the service's port (keepalived's sorry_server IP [PORT])
    sorry_inhibit: bool = False  # in the table at weight 0 while real servers are up (docs/language.md)
    span: Span = NOWHERE
    spans: Mapping[str, Span] = field(default_factory=dict, compare=False, hash=False, repr=False)

    @property
    def family(self) -> int:
        """The VIP's IP version; without one (a firewall-mark service whose marks are set
        elsewhere) its real servers', as keepalived takes a fwmark service's from them."""
        if self.vip is not None:
            return self.vip.version
        addresses = [s.address for s in self.servers] + ([self.sorry_server] if self.sorry_server else [])
        return addresses[0].version if addresses else 4


@value_class
class Pool(Value):
    name: str
    servers: tuple[RealServer, ...]
    span: Span = NOWHERE


@value_class
class AuditPolicy(Value):
    weight: WeightPolicy = WeightPolicy.QUIESCE
    scope: tuple[IPNetwork, ...] = ()  # extra networks lvscc owns beyond the declared VIPs
    fwmarks: PortRange | None = None  # fwmark range lvscc owns beyond the declared marks
    nft_table: str = "lvscc"
    span: Span = NOWHERE


@value_class
class Config(Value):
    name: str
    directors: tuple[Director, ...] = ()
    heartbeat: Heartbeat | None = None
    sync_daemon: SyncDaemon | None = None
    forwarding: Forwarding = Forwarding()
    timeouts: Timeouts | None = None
    pools: tuple[Pool, ...] = ()
    services: tuple[VirtualService, ...] = ()
    ipvs_sysctls: tuple[tuple[str, tuple[int, ...], Span], ...] = ()  # net.ipv4.vs.<name> = values
    audit: AuditPolicy = AuditPolicy()
    files: tuple[str, ...] = ()  # the main file first, then every include
    untranslated: tuple[tuple[str, Span], ...] = ()  # what an import left out: (what and where, span here)
    span: Span = NOWHERE
