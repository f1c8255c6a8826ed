"""iptables-restore rules (IPv4): the guide's firewall marks (§3.4, §3.5), active-FTP
MASQUERADE on the NAT director and REDIRECT on direct-routing real servers (§3.2.2)."""

from pathlib import Path

from lvscc.backends import Backend
from lvscc.model.state import HostState

DIRECTORY = Path(__file__).parent  # ruleset.j2, rules.v4.j2 and ip6tables' rules.v6.j2


def rule_families(host: HostState) -> set[int]:
    return {r.destination.version for r in (*host.marks, *host.redirects, *host.helpers)} | {r.source.version for r in host.masquerades}


BACKEND = Backend(
    name="iptables",
    roles=("director", "real-server"),
    files={"rules.v4": "rules.v4.j2"},
    layouts={"rhel": {"rules.v4": "etc/sysconfig/iptables"}, "debian": {"rules.v4": "etc/iptables/rules.v4"}},
    wants=lambda host: 4 in rule_families(host),
    carries=frozenset({"netfilter4"}),
)
