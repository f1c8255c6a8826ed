"""The nft table lvscc owns (`audit { nft-table NAME }`): the nftables backend replaces its
chains in that table on every load, so it must be a name nft reads and no other software's table."""

from __future__ import annotations

from typing import Iterable

from lvscc.diagnostics import Finding
from lvscc.model.config import Config
from lvscc.rules import error, rule
from lvscc.syntax import Refused
from lvscc.syntax.nft import identifier

# Tables other software keeps in nft: iptables-nft/ebtables-nft/arptables-nft, firewalld,
# Docker, kube-proxy, libvirt, netavark (podman), LXD/Incus, fail2ban, CrowdSec, NixOS's firewall.
FOREIGN_TABLES = frozenset({
    "filter", "nat", "mangle", "raw", "security", "broute",
    "firewalld", "firewalld_policy_drop", "docker-bridges", "docker", "kube-proxy",
    "libvirt_network", "libvirt", "netavark", "lxd", "incus", "f2b-table", "fail2ban",
    "crowdsec", "crowdsec6", "nixos-fw", "sshguard",
})  # fmt: skip


@rule("LVS180")
def nft_table_is_ours(config: Config) -> Iterable[Finding]:
    """Loading the nftables backend's file deletes and rebuilds lvscc's chains in the named
    table: a keyword makes every load fail, and in another program's table (`filter`,
    `firewalld`...) it replaces that program's chains of the same names, and the program's own
    reload wipes lvscc's rules."""
    name = config.audit.nft_table
    try:
        identifier(name, "table")
    except Refused as refused:
        yield error(f"nft-table {name}: {refused}", config.audit.span,
                    "choose a name of your own, such as `lvscc`")
        return
    if name in FOREIGN_TABLES:
        yield error(f"nft-table {name} is a table other software keeps (iptables-nft, firewalld, "
                    "docker...); the nftables backend would delete it on every load",
                    config.audit.span, "keep the default `lvscc`, or choose a name no other program uses")
