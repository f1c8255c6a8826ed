"""lvscc/syntax/nft.py: identifiers and strings checked against the real nft, rules, commands."""

from __future__ import annotations

import subprocess
from ipaddress import ip_address, ip_network

import pytest

from lvscc.model.config import PortRange, Protocol
from lvscc.model.state import MarkRule, MasqueradeRule, RedirectRule
from lvscc.syntax import Refused, nft

ATTACK = "prerouting handle 4\nLVSCC_EOF\nid > /tmp/PWNED\n: <<'LVSCC_EOF'"


def test_every_listed_keyword_is_one_nft_refuses_as_a_table_name(netns: str) -> None:
    script = "".join(f"add table inet {word}\n" for word in ("lvscc", "lvscc_lab", "my-table.v2", "filter"))
    assert _nft_check(netns, script).returncode == 0
    accepted = [w for w in sorted(nft.KEYWORDS) if _nft_check(netns, f"add table inet {w}\n").returncode == 0]
    assert accepted == []


def _nft_check(netns: str, script: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["ip", "netns", "exec", netns, "nft", "-c", "-f", "-"], input=script,
                          capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("name", ["lvscc", "_x", ".a/b-c", "a" * 255])
def test_identifiers(name: str) -> None:
    assert nft.identifier(name) == name


@pytest.mark.parametrize("name", [ATTACK, "chain", "delete", "1abc", "a b", "a;b", "", "a" * 256, 7, None, "é"])
def test_identifiers_refused(name: object) -> None:
    with pytest.raises(Refused, match="nft"):
        nft.identifier(name)


@pytest.mark.parametrize("value", [True, 0, -1, "4", 4.0, 2**64])
def test_handles_refused(value: object) -> None:
    with pytest.raises(Refused):
        nft.handle(value)


def test_strings() -> None:
    assert nft.string("lvscc: web.lvs:3") == '"lvscc: web.lvs:3"'
    for bad in ('a"b', "a\\b", "a\nb", "\x1b[31m"):
        with pytest.raises(Refused):
            nft.string(bad)


def test_rule_statements() -> None:
    mark = MarkRule(21, ip_network("2001:db8::/64"), Protocol.UDP, (PortRange(53, 53), PortRange(10000, 10010)))
    assert nft.rule(mark) == ("mark", "ip6 daddr 2001:db8::/64 udp dport { 53, 10000-10010 } meta mark set 21")
    assert nft.rule(RedirectRule(ip_address("192.0.2.10"), Protocol.TCP, 0)) == (
        "redirect", "ip daddr 192.0.2.10 meta l4proto tcp redirect")
    assert nft.rule(MasqueradeRule(ip_network("10.0.0.0/8"), Protocol.TCP, 20)) == (
        "masquerade", "ip saddr 10.0.0.0/8 tcp sport 20 masquerade")


def test_commands_check_every_name() -> None:
    assert nft.delete_rule("inet", "lvscc", "prerouting", 4) == "delete rule inet lvscc prerouting handle 4"
    for args in (("inet", "lvscc", ATTACK, 4), ("inet", "table", "x", 4), ("evil", "lvscc", "x", 4), ("inet", "lvscc", "x", "4")):
        with pytest.raises(Refused):
            nft.delete_rule(*args)
    with pytest.raises(Refused):
        nft.add_rules("inet", "chain", [])
