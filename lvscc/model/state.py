"""Kernel-facing state of one host: what lowering wants (Intent) and what probes read
(Observed) are the SAME types, so the auditor is a pure diff of two values.

Every collection is a sorted tuple in the order the kernel's own save tool prints it, so
rendering is deterministic and two states compare with ==. `origin` says where a desired
object came from (for comments and reports) and never takes part in comparison."""

from __future__ import annotations

from dataclasses import field
from ipaddress import ip_network
from typing import Iterable, Sequence

from lvscc.model.config import IPAddress, IPInterface, IPNetwork, Method, PortRange, Protocol, TunnelType
from lvscc.model.value import Value, value_class


@value_class
class Origin(Value):
    file: str
    line: int
    what: str  # e.g. "service http", "server web1 of service http"

    def __str__(self) -> str:
        return f"{self.file}:{self.line} {self.what}"


def rule_comment(origin: Origin | None, limit: int) -> str:
    """The comment that marks a netfilter rule as lvscc's (probes sort ours from others' by it):
    printable ASCII without quotes or backslashes, which would need escaping, and within the
    kernel's room for it (xt_comment 255 bytes, an nft rule comment 128)."""
    text = f"lvscc: {origin.what}" if origin else "lvscc"
    text = "".join(c if " " <= c <= "~" else "?" for c in text).replace('"', "'").replace("\\", "/")
    return text[:limit]


def _origin() -> Origin | None:
    return field(default=None, compare=False, hash=False, repr=False)  # type: ignore[return-value]


@value_class
class IpvsDest(Value):
    address: IPAddress
    port: int
    method: Method
    weight: int = 1
    upper: int = 0
    lower: int = 0
    tun_type: TunnelType | None = None
    tun_port: int | None = None
    tun_csum: str | None = None  # "csum" | "nocsum" | "remcsum"
    origin: Origin | None = _origin()

    @property
    def sort_key(self) -> tuple:
        return (self.address.version, self.address.packed, self.port)


@value_class
class IpvsService(Value):
    """One IPVS virtual service: (protocol, address, port) or (family, fwmark)."""

    family: int  # 4 | 6
    protocol: Protocol | None  # None for fwmark services
    address: IPAddress | None
    port: int
    fwmark: int = 0
    scheduler: str = "wlc"
    flags: tuple[str, ...] = ()  # scheduler flags, sorted
    persistence: int | None = None  # seconds
    netmask: str | None = None  # dotted quad (IPv4) or prefix length (IPv6); None = host
    pe: str | None = None
    ops: bool = False
    dests: tuple[IpvsDest, ...] = ()
    origin: Origin | None = _origin()

    @property
    def key(self) -> tuple:
        if self.fwmark:
            return ("fwmark", self.family, self.fwmark)
        return (self.protocol.value if self.protocol else "", str(self.address), self.port)

    @property
    def sort_key(self) -> tuple:
        # ipvs_cmp_services: fwmark, af, protocol, address, port (libipvs.c)
        proto = self.protocol.number if self.protocol else 0
        addr = self.address.packed if self.address is not None else b""
        return (self.fwmark, 10 if self.family == 6 else 2, proto, addr, self.port)


@value_class
class IpvsTimeouts(Value):
    """ipvsadm --set tcp tcpfin udp; 0 leaves the kernel's value."""

    tcp: int = 0
    tcpfin: int = 0
    udp: int = 0


@value_class
class MarkRule(Value):
    """Mark packets to `destination` on the given ports with `fwmark` (mangle PREROUTING)."""

    fwmark: int
    destination: IPNetwork
    protocol: Protocol
    ports: tuple[PortRange, ...]
    origin: Origin | None = _origin()


@value_class
class MasqueradeRule(Value):
    """nat POSTROUTING MASQUERADE of traffic from `source` (optionally one source port)."""

    source: IPNetwork
    protocol: Protocol | None = None
    sport: int | None = None
    origin: Origin | None = _origin()


@value_class
class RedirectRule(Value):
    """Real-server side of direct routing without a VIP: nat PREROUTING REDIRECT."""

    destination: IPAddress
    protocol: Protocol
    port: int
    origin: Origin | None = _origin()
    last: int | None = None  # last port of a range (firewall-mark services); None = `port` alone

    @property
    def ports(self) -> PortRange | None:
        """The destination ports matched; None for a port-0 service, which takes every port."""
        return None if self.port == 0 else PortRange(self.port, self.last or self.port)


@value_class
class HelperRule(Value):
    """Attach conntrack helper `helper` to connections to `destination`:`port` (iptables raw
    PREROUTING `-j CT --helper`, nft `ct helper set`): kernels from 6.0 on never attach one by
    themselves, and without it ip_vs_ftp cannot rewrite the FTP control connection."""

    helper: str  # the kernel's helper name, e.g. "ftp" (nf_conntrack_ftp)
    destination: IPAddress
    protocol: Protocol
    port: int
    origin: Origin | None = _origin()


@value_class
class IpvsSync(Value):
    """ipvsadm --start-daemon STATE --syncid ID --mcast-interface DEV."""

    state: str  # "master" on the director that holds the VIPs, "backup" on the other
    interface: str
    sync_id: int
    origin: Origin | None = _origin()


@value_class
class ArpRule(Value):
    """arptables: drop ARP requests for the VIP, and rewrite the VIP as ARP sender to `real`."""

    vip: IPAddress
    real: IPAddress
    origin: Origin | None = _origin()
    # Which of the two rules this is: "pair" (both; what lowering wants), or one half, "drop" /
    # "mangle", as a probe finds a half pair. A lone drop rule names no real address: `real`
    # is then the VIP itself.
    part: str = "pair"


@value_class
class Sysctl(Value):
    key: str  # dotted form, e.g. "net.ipv4.conf.all.arp_ignore"
    value: str
    origin: Origin | None = _origin()


@value_class
class Address(Value):
    interface: IPInterface
    device: str  # may be an alias label such as eth0:1
    origin: Origin | None = _origin()
    # A VIP or NAT gateway the HA daemon moves between the directors: only the active one
    # holds it. Not part of the address's identity: probes cannot see it.
    floating: bool = field(default=False, compare=False)

    @property
    def link(self) -> str:
        return self.device.split(":", 1)[0]


@value_class
class Route(Value):
    destination: str  # "default" or a CIDR
    gateway: IPAddress
    origin: Origin | None = _origin()


@value_class
class FallbackTunnel(Value):
    """The device a tunnel module creates as it loads, which takes encapsulated packets from any
    remote without configuration: what an IPVS tunneling real server decapsulates with."""

    name: str
    kind: str  # link kind: what `ip -d link` prints and `ip link add ... type` takes
    module: str
    type: TunnelType  # ipip-like devices also take what a GUE port unwraps
    outer: int  # outer address family
    inner: int | None  # inner family it carries; None: both


FALLBACK_TUNNELS = {t.name: t for t in (
    FallbackTunnel("tunl0", "ipip", "ipip", TunnelType.IPIP, 4, 4),
    FallbackTunnel("sit0", "sit", "sit", TunnelType.IPIP, 4, 6),
    FallbackTunnel("ip6tnl0", "ip6tnl", "ip6_tunnel", TunnelType.IPIP, 6, None),
    FallbackTunnel("gre0", "gre", "ip_gre", TunnelType.GRE, 4, None),
    FallbackTunnel("ip6gre0", "ip6gre", "ip6_gre", TunnelType.GRE, 6, None),
)}


def fallback_tunnel(tunnel: TunnelType, outer: int, inner: int) -> FallbackTunnel:
    """The device that decapsulates `tunnel` packets of the outer family carrying the inner one."""
    wanted = TunnelType.GRE if tunnel is TunnelType.GRE else TunnelType.IPIP
    return next(t for t in FALLBACK_TUNNELS.values()
                if t.type is wanted and t.outer == outer and t.inner in (inner, None))


@value_class
class TunnelDevice(Value):
    """A real server's decapsulation device for IPVS tunneling (e.g. tunl0 for ipip)."""

    name: str
    type: TunnelType
    port: int | None = None
    origin: Origin | None = _origin()
    up: bool = True  # administratively up: a fallback device that is down decapsulates nothing

    @property
    def fallback(self) -> FallbackTunnel:
        return FALLBACK_TUNNELS[self.name]


@value_class
class HostState(Value):
    """Everything lvscc manages on one host, director or real server."""

    host: str  # "primary", "backup" or the real server's name
    role: str  # "director" | "real-server"
    address: IPAddress | None = None
    ipvs: tuple[IpvsService, ...] = ()
    timeouts: IpvsTimeouts | None = None
    marks: tuple[MarkRule, ...] = ()
    masquerades: tuple[MasqueradeRule, ...] = ()
    redirects: tuple[RedirectRule, ...] = ()
    arp: tuple[ArpRule, ...] = ()
    arp_chains: tuple[str, str] = ("INPUT", "OUTPUT")  # ("IN", "OUT") for arptables_jf
    sysctls: tuple[Sysctl, ...] = ()
    modules: tuple[str, ...] = ()
    addresses: tuple[Address, ...] = ()
    routes: tuple[Route, ...] = ()
    tunnels: tuple[TunnelDevice, ...] = ()
    helpers: tuple[HelperRule, ...] = ()
    sync: IpvsSync | None = None  # not probed: the auditor does not read sync daemons
    # Observed only: what a probe saw that lvscc does not own (another nft table, an iptables
    # rule without an lvscc comment), described for the report. Never set in an Intent.
    foreign: tuple[str, ...] = ()


@value_class
class Intent(Value):
    cluster: str
    hosts: tuple[HostState, ...]
    source: str = ""  # the main config file

    def host(self, name: str) -> HostState:
        for h in self.hosts:
            if h.host == name:
                return h
        raise KeyError(name)

    def chosen(self, name: str | None) -> HostState:
        """The host a command runs for: NAME, else the only host, else `primary`."""
        names = [h.host for h in self.hosts]
        pick = host_to_run_for(name, names)
        try:
            return self.host(pick)
        except KeyError:
            raise LookupError(f"no host {pick!r} in {self.cluster}; hosts: {', '.join(names)}") from None


def host_to_run_for(name: str | None, hosts: Sequence[str]) -> str:
    """NAME, else the only host, else `primary` (lvscc.lower.lower_host picks by it too)."""
    return name or (hosts[0] if len(hosts) == 1 else "primary")


# --- canonical forms, shared by the probes and the auditor ---------------------------------


def merge_ports(ports: Iterable[PortRange]) -> tuple[PortRange, ...]:
    """Ports in a canonical form (sorted, overlapping and adjacent ranges joined), so that
    `{80, 443}`, `80,443` and `443,80` compare equal."""
    merged: list[PortRange] = []
    for port in sorted(ports, key=lambda p: (p.first, p.last)):
        if merged and port.first <= merged[-1].last + 1:
            merged[-1] = PortRange(merged[-1].first, max(merged[-1].last, port.last))
        else:
            merged.append(port)
    return tuple(merged)


def route_destination(destination: str) -> str:
    """"default", or the network in CIDR form (`ip route` prints a host route without /32)."""
    if destination == "default":
        return destination
    network = ip_network(destination, strict=False)
    return "default" if network.prefixlen == 0 else str(network)
