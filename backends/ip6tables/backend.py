"""ip6tables-restore rules: the iptables backend's rules for IPv6 VIPs and networks, in a file of
their own because ip6tables loads a separate ruleset."""

from lvscc.model.state import HostState
from lvscc.render import Backend


def rule_families(host: HostState) -> set[int]:
    return {r.destination.version for r in (*host.marks, *host.redirects, *host.helpers)} | {r.source.version for r in host.masquerades}


BACKEND = Backend(
    name="ip6tables",
    roles=("director", "real-server"),
    files={"rules.v6": "rules.v6.j2"},
    layouts={"rhel": {"rules.v6": "etc/sysconfig/ip6tables"}, "debian": {"rules.v6": "etc/iptables/rules.v6"}},
    wants=lambda host: 6 in rule_families(host),
    carries=frozenset({"netfilter6"}),
)
