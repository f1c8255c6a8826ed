"""arptables rules for direct-routing real servers that carry the VIP on their NIC (guide §3.2.1),
in arptables-restore format; chain names follow HostState.arp_chains (arptables_jf: IN/OUT)."""

from lvscc.backends import Backend

BACKEND = Backend(
    name="arptables",
    roles=("real-server",),
    files={"arptables.rules": "rules.j2"},
    layouts={"rhel": {"arptables.rules": "etc/sysconfig/arptables"}, "debian": {"arptables.rules": "etc/arptables.rules"}},
    wants=lambda host: bool(host.arp),
    carries=frozenset({"arp"}),
)
