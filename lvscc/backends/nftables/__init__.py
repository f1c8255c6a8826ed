"""nftables: the same marks, MASQUERADE and REDIRECT rules as the iptables backend, kept in
lvscc's chains of one table (audit.nft_table) and replaced atomically without deleting the
table, in nft's text notation and in its JSON command notation (for tools that drive
libnftables). Opt-in: the guide's tool is iptables."""

from lvscc.backends import Backend
from lvscc.backends.nftables.ruleset import ruleset
from lvscc.model.state import HostState


def _has_rules(host: HostState) -> bool:
    return bool(host.marks or host.redirects or host.masquerades or host.helpers)


BACKEND = Backend(
    name="nftables",
    roles=("director", "real-server"),
    files={"lvscc.nft": "lvscc.nft.j2", "lvscc.json": "lvscc.json.j2"},
    layouts={
        "rhel": {"lvscc.nft": "etc/nftables/lvscc.nft", "lvscc.json": "etc/nftables/lvscc.json"},
        "debian": {"lvscc.nft": "etc/nftables.d/lvscc.nft", "lvscc.json": "etc/nftables.d/lvscc.json"},
    },
    wants=_has_rules,
    default=False,
    carries=frozenset({"netfilter4", "netfilter6"}),
    filters={"nft_ruleset": ruleset},
)
