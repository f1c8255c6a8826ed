"""The guide's scenarios as lowered host states, written out by hand so the backends are tested
on their own (lowering has tests of its own). Addresses are the guide's examples
(192.168.26.0/24 public, 10.11.12.0/24 private) and documentation ranges."""

from __future__ import annotations

import contextlib
from ipaddress import ip_address, ip_interface, ip_network
from pathlib import Path

from lvscc.load import load_file
from lvscc.lower import lower
from lvscc.model.config import AuditPolicy, Config, PortRange, Protocol, TunnelType
from lvscc.model.state import (
    Address,
    ArpRule,
    HostState,
    Intent,
    MarkRule,
    MasqueradeRule,
    Origin,
    RedirectRule,
    Route,
    Sysctl,
    TunnelDevice,
)
from lvscc.render import Artifact, registry, render

VIP = ip_address("192.168.26.10")
VIP6 = ip_address("2001:db8::10")
NAT_GATEWAY = ip_address("10.11.12.10")
TCP = Protocol.TCP


def _ports(*ranges: tuple[int, int]) -> tuple[PortRange, ...]:
    return tuple(PortRange(first, last) for first, last in ranges)


def _origin(what: str, line: int) -> Origin:
    return Origin("samples/guide.lvs", line, what)


def _sysctls(*pairs: tuple[str, str]) -> tuple[Sysctl, ...]:
    return tuple(Sysctl(key, value) for key, value in pairs)


DR_ARP_SYSCTLS = _sysctls(
    ("net.ipv4.conf.all.arp_ignore", "1"),
    ("net.ipv4.conf.all.arp_announce", "2"),
    ("net.ipv4.conf.lo.arp_ignore", "1"),
    ("net.ipv4.conf.lo.arp_announce", "2"),
)


def multiport() -> Intent:
    """Guide §3.4: HTTP and HTTPS share firewall mark 80."""
    director = HostState(
        "primary", "director", ip_address("192.168.26.9"),
        marks=(MarkRule(80, ip_network(f"{VIP}/32"), TCP, _ports((80, 80), (443, 443)), _origin("service web", 12)),),
        sysctls=_sysctls(("net.ipv4.ip_forward", "1")),
        modules=("ip_vs", "ip_vs_wlc"),
    )
    return Intent("example", (director,), "samples/guide.lvs")


def ftp() -> Intent:
    """Guide §3.5: mark 21 on the control port and the passive range, MASQUERADE for active FTP."""
    director = HostState(
        "primary", "director", ip_address("192.168.26.9"),
        marks=(MarkRule(21, ip_network(f"{VIP}/32"), TCP, _ports((21, 21), (10000, 20000)), _origin("service ftp", 20)),),
        masquerades=(MasqueradeRule(ip_network("10.11.12.0/24"), TCP, 20, _origin("service ftp", 20)),),
        sysctls=_sysctls(("net.ipv4.ip_forward", "1")),
        modules=("ip_vs", "ip_vs_ftp", "ip_vs_wlc", "nf_conntrack_ftp"),
    )
    real_server = HostState(
        "ftp1", "real-server", ip_address("10.11.12.1"),
        routes=(Route("default", NAT_GATEWAY, _origin("forwarding nat", 5)),),
    )
    return Intent("example", (director, real_server), "samples/guide.lvs")


def nat_masquerade() -> Intent:
    """A NAT director that masquerades the real servers' network for their own outbound traffic."""
    director = HostState(
        "primary", "director", ip_address("192.168.26.9"),
        masquerades=(MasqueradeRule(ip_network("10.11.12.0/24"), origin=_origin("forwarding nat", 5)),),
    )
    return Intent("example", (director,), "samples/guide.lvs")


def dr_arptables(chains: tuple[str, str] = ("INPUT", "OUTPUT")) -> Intent:
    """Guide §3.2.1: the VIP on the real server's NIC, hidden from ARP by arptables."""
    real_ip = ip_address("192.168.26.11")
    real_server = HostState(
        "web1", "real-server", real_ip,
        arp=(ArpRule(VIP, real_ip, _origin("server web1 of service web", 14)),),
        arp_chains=chains,
        addresses=(Address(ip_interface(f"{VIP}/32"), "eth0:1", _origin("service web", 12)),),
    )
    return Intent("example", (real_server,), "samples/guide.lvs")


def dr_redirect() -> Intent:
    """Guide §3.2.2: no VIP on the real server; iptables REDIRECTs the VIP's port to itself."""
    real_server = HostState(
        "web1", "real-server", ip_address("192.168.26.11"),
        redirects=(RedirectRule(VIP, TCP, 80, _origin("service web", 12)),
                   RedirectRule(VIP, TCP, 443, _origin("service web", 12))),
    )
    return Intent("example", (real_server,), "samples/guide.lvs")


def dr_sysctl() -> Intent:
    """Direct routing the usual way: ARP sysctls, then the VIP on lo."""
    real_server = HostState(
        "web1", "real-server", ip_address("192.168.26.11"),
        sysctls=DR_ARP_SYSCTLS,
        addresses=(Address(ip_interface(f"{VIP}/32"), "lo", _origin("service web", 12)),
                   Address(ip_interface(f"{VIP6}/128"), "lo", _origin("service web6", 30))),
    )
    return Intent("example", (real_server,), "samples/guide.lvs")


def tunnel() -> Intent:
    """IP tunneling: decapsulate on tunl0, which also carries the VIP; rp_filter off for it."""
    real_server = HostState(
        "web1", "real-server", ip_address("198.51.100.11"),
        sysctls=DR_ARP_SYSCTLS + _sysctls(("net.ipv4.conf.all.rp_filter", "0"), ("net.ipv4.conf.tunl0.rp_filter", "0")),
        modules=("ipip",),
        addresses=(Address(ip_interface(f"{VIP}/32"), "tunl0", _origin("service web", 12)),),
        tunnels=(TunnelDevice("tunl0", TunnelType.IPIP, origin=_origin("forwarding tunnel", 6)),),
    )
    return Intent("example", (real_server,), "samples/guide.lvs")


def ipv6_marks() -> Intent:
    """Marks for an IPv6 VIP need ip6tables (and their own file)."""
    director = HostState(
        "primary", "director", ip_address("2001:db8::9"),
        marks=(MarkRule(80, ip_network(f"{VIP6}/128"), TCP, _ports((80, 80), (443, 443)), _origin("service web6", 30)),
               MarkRule(90, ip_network(f"{VIP}/32"), Protocol.UDP, _ports((53, 53)), _origin("service dns", 40))),
    )
    return Intent("example", (director,), "samples/guide.lvs")


CASES = {
    "guide-multiport": multiport,
    "guide-ftp": ftp,
    "nat-masquerade": nat_masquerade,
    "guide-dr-arptables": dr_arptables,
    "guide-dr-arptables-jf": lambda: dr_arptables(("IN", "OUT")),
    "guide-dr-redirect": dr_redirect,
    "dr-sysctl": dr_sysctl,
    "tunnel": tunnel,
    "ipv6-marks": ipv6_marks,
}


def config(nft_table: str = "lvscc") -> Config:
    return Config("example", audit=AuditPolicy(nft_table=nft_table))


def artifacts(case: str, *backends: str, nft_table: str = "lvscc", layout: str = "flat") -> dict[str, Artifact]:
    """Render one case with the named backends, keyed by the artifact's path ("host/file")."""
    chosen = [registry()[name] for name in backends]
    return {a.path: a for a in render(config(nft_table), CASES[case](), chosen, layout)}


REPO = Path(__file__).resolve().parents[2]
SAMPLES = sorted((REPO / "samples").glob("*.lvs"))


def sample(path: Path) -> tuple[Config, Intent]:
    """A sample config, parsed and lowered the way `lvscc compile samples/X.lvs` does from the
    checkout: by its repository-relative name, which the generated comments quote, so the
    goldens do not depend on where the checkout lives."""
    with contextlib.chdir(REPO):
        loaded, diagnostics = load_file(str(path.relative_to(REPO)))
    assert loaded is not None, diagnostics
    return loaded, lower(loaded)


def sample_artifacts(path: Path, *backends: str, layout: str = "flat") -> dict[str, Artifact]:
    loaded, intent = sample(path)
    return {a.path: a for a in render(loaded, intent, [registry()[name] for name in backends], layout)}
