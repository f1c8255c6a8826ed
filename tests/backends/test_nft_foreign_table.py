"""Issue 11 item 3: the nftables backend's file never deletes a table it does not own. Loaded
into a namespace that already has a table of the configured name (another program's, e.g. an
`inet filter`-style firewall with ssh access), it leaves that table's chains and rules alone;
where one of lvscc's chain names is taken with another hook or type, the whole load fails and
the foreign table is unchanged."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

import guide_hosts

FIREWALL = """table inet edge {
	chain input {
		type filter hook input priority filter; policy drop;
		tcp dport 22 accept
	}
}
"""
TAKEN = """table inet edge {
	chain prerouting {
		type nat hook prerouting priority dstnat; policy accept;
		tcp dport 2222 redirect to :22
	}
}
"""


def nft(netns: str, *argv: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["ip", "netns", "exec", netns, "nft", *argv], input=stdin, capture_output=True, text=True, timeout=60)


def ours(notation: str, tmp_path: Path, text: str | None = None) -> list[str]:
    """nft's arguments to load our file for the guide's multiport director, table `edge`
    (from a file: `nft -j -f -` cannot read JSON from a pipe)."""
    path = tmp_path / notation
    path.write_text(text or guide_hosts.artifacts("guide-multiport", "nftables", nft_table="edge")[f"primary/{notation}"].content)
    return (["-j", "-f"] if notation == "lvscc.json" else ["-f"]) + [str(path)]


@pytest.mark.parametrize("notation", ["lvscc.nft", "lvscc.json"])
def test_a_foreign_table_of_the_same_name_keeps_its_chains(netns: str, notation: str, tmp_path: Path) -> None:
    assert nft(netns, "-f", "-", stdin=FIREWALL).returncode == 0
    load = ours(notation, tmp_path)
    for _ in range(2):  # twice: the file replaces our chains, never duplicates them
        done = nft(netns, *load)
        assert done.returncode == 0, done.stderr
    listed = nft(netns, "list", "table", "inet", "edge").stdout
    assert "policy drop;" in listed and "tcp dport 22 accept" in listed
    assert listed.count("meta mark set") == 1


@pytest.mark.parametrize("notation", ["lvscc.nft", "lvscc.json"])
def test_a_chain_name_taken_with_another_hook_fails_the_load_and_changes_nothing(netns: str, notation: str,
                                                                                 tmp_path: Path) -> None:
    assert nft(netns, "-f", "-", stdin=TAKEN).returncode == 0
    before = nft(netns, "list", "table", "inet", "edge").stdout
    assert nft(netns, *ours(notation, tmp_path)).returncode != 0
    assert nft(netns, "list", "table", "inet", "edge").stdout == before


def test_a_table_lvscc_wrote_before_is_replaced(netns: str, tmp_path: Path) -> None:
    """What an earlier load left (the same chains, other rules) is replaced, not kept."""
    text = guide_hosts.artifacts("guide-multiport", "nftables", nft_table="edge")["primary/lvscc.nft"].content
    (tmp_path / "stale").mkdir()
    assert nft(netns, *ours("lvscc.nft", tmp_path / "stale", text.replace("meta mark set 80", "meta mark set 81"))).returncode == 0
    assert nft(netns, *ours("lvscc.nft", tmp_path)).returncode == 0
    listed = nft(netns, "list", "table", "inet", "edge").stdout
    assert "0x00000050" in listed and "0x00000051" not in listed
