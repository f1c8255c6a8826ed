"""ip6tables-restore rules: the iptables backend's rules for IPv6 VIPs and networks, in a file of
their own because ip6tables loads a separate ruleset. Its template lives with the iptables
backend's, which both render through the one ruleset macro so the two files cannot drift apart."""

from lvscc.backends import Backend
from lvscc.backends.iptables import DIRECTORY, rule_families

BACKEND = Backend(
    name="ip6tables",
    roles=("director", "real-server"),
    files={"rules.v6": "rules.v6.j2"},
    layouts={"rhel": {"rules.v6": "etc/sysconfig/ip6tables"}, "debian": {"rules.v6": "etc/iptables/rules.v6"}},
    wants=lambda host: 6 in rule_families(host),
    carries=frozenset({"netfilter6"}),
    directory=DIRECTORY,
)
