"""Each of our netfilter rules in both dialects (lvscc/syntax/nft.py, iptables.py): the words
the backends write and the repair plan runs, per kind of rule and address family, so a rule
repaired on a router is the rule compiled for it."""

from __future__ import annotations

from ipaddress import ip_address, ip_network

import pytest

from lvscc.model.config import PortRange, Protocol
from lvscc.model.state import ArpRule, MarkRule, MasqueradeRule, Origin, RedirectRule
from lvscc.syntax import iptables, nft

AT = Origin("web.lvs", 3, "service http")
COMMENT = ["-m", "comment", "--comment", "lvscc: service http"]


def test_a_mark_rule_for_one_port_and_one_address() -> None:
    rule = MarkRule(5, ip_network("192.0.2.10/32"), Protocol.TCP, (PortRange(80, 80),), AT)
    assert nft.rule(rule) == ("mark", "ip daddr 192.0.2.10 tcp dport 80 meta mark set 5")
    assert iptables.rules(rule) == [("iptables", [
        "-t", "mangle", "PREROUTING", "-d", "192.0.2.10/32", "-p", "tcp", "--dport", "80",
        *COMMENT, "-j", "MARK", "--set-mark", "5"])]  # fmt: skip


def test_a_mark_rule_with_a_range_on_ipv6() -> None:
    rule = MarkRule(6, ip_network("2001:db8::10/128"), Protocol.UDP, (PortRange(80, 80), PortRange(1024, 2047)), AT)
    assert nft.rule(rule) == ("mark", "ip6 daddr 2001:db8::10 udp dport { 80, 1024-2047 } meta mark set 6")
    assert iptables.rules(rule) == [("ip6tables", [
        "-t", "mangle", "PREROUTING", "-d", "2001:db8::10/128", "-p", "udp", "-m", "multiport", "--dports", "80,1024:2047",
        *COMMENT, "-j", "MARK", "--set-mark", "6"])]  # fmt: skip


def test_a_redirect_rule_with_and_without_ports() -> None:
    ranged = RedirectRule(ip_address("192.0.2.10"), Protocol.TCP, 8000, AT, last=8010)
    assert nft.rule(ranged) == ("redirect", "ip daddr 192.0.2.10 tcp dport 8000-8010 redirect")
    assert iptables.rules(ranged) == [("iptables", [
        "-t", "nat", "PREROUTING", "-d", "192.0.2.10/32", "-p", "tcp", "--dport", "8000:8010", *COMMENT, "-j", "REDIRECT"])]
    every = RedirectRule(ip_address("2001:db8::10"), Protocol.UDP, 0, AT)
    assert nft.rule(every) == ("redirect", "ip6 daddr 2001:db8::10 meta l4proto udp redirect")
    assert iptables.rules(every) == [("ip6tables", [
        "-t", "nat", "PREROUTING", "-d", "2001:db8::10/128", "-p", "udp", *COMMENT, "-j", "REDIRECT"])]  # fmt: skip


def test_masquerade_rules_of_each_shape() -> None:
    net = ip_network("10.11.12.0/24")
    assert nft.rule(MasqueradeRule(net, None, None, AT)) == ("masquerade", "ip saddr 10.11.12.0/24 masquerade")
    assert iptables.rules(MasqueradeRule(net, None, None, AT)) == [
        ("iptables", ["-t", "nat", "POSTROUTING", "-s", "10.11.12.0/24", *COMMENT, "-j", "MASQUERADE"])]
    udp = MasqueradeRule(net, Protocol.UDP, None, AT)
    assert nft.rule(udp) == ("masquerade", "ip saddr 10.11.12.0/24 meta l4proto udp masquerade")
    assert iptables.rules(udp)[0][1][4:8] == ["10.11.12.0/24", "-p", "udp", "-m"]
    ftp = MasqueradeRule(ip_network("2001:db8:1::/64"), Protocol.TCP, 20, AT)
    assert nft.rule(ftp) == ("masquerade", "ip6 saddr 2001:db8:1::/64 tcp sport 20 masquerade")
    assert iptables.rules(ftp) == [("ip6tables", [
        "-t", "nat", "POSTROUTING", "-s", "2001:db8:1::/64", "-p", "tcp", "--sport", "20", *COMMENT, "-j", "MASQUERADE"])]


def test_the_comment_without_an_origin_is_lvscc() -> None:
    rule = MasqueradeRule(ip_network("10.11.12.0/24"))
    assert iptables.comment(rule) == "lvscc"


def test_an_iptables_comment_is_cut_at_200_characters() -> None:
    """xt_comment holds 255 bytes; the backends and the repair plan both cut at 200, so a
    repaired rule carries the comment a compiled one does."""
    rule = MasqueradeRule(ip_network("10.11.12.0/24"), origin=Origin("web.lvs", 3, "s" * 300))
    assert iptables.comment(rule) == ("lvscc: " + "s" * 300)[:200]


def test_a_saved_rule_without_matches_can_be_deleted() -> None:
    assert iptables.delete_args("filter -A INPUT") == ["-t", "filter", "-D", "INPUT"]


def test_a_rule_of_no_netfilter_kind_is_a_type_error_naming_it() -> None:
    arp = ArpRule(ip_address("192.0.2.10"), ip_address("198.51.100.2"))
    with pytest.raises(TypeError, match="ArpRule"):
        iptables.rules(arp)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="ArpRule"):
        nft.rule(arp)  # type: ignore[arg-type]


def test_add_rules_declares_each_chain_once_before_its_rules() -> None:
    mark = MarkRule(5, ip_network("192.0.2.10/32"), Protocol.TCP, (PortRange(80, 80),), AT)
    masq = MasqueradeRule(ip_network("10.11.12.0/24"), None, None, AT)
    assert nft.add_rules("inet", "lvscc", [masq, mark, masq]) == [
        "add table inet lvscc",
        "add chain inet lvscc nat_postrouting { type nat hook postrouting priority srcnat; policy accept; }",
        "add chain inet lvscc prerouting { type filter hook prerouting priority mangle; policy accept; }",
        "add rule inet lvscc nat_postrouting ip saddr 10.11.12.0/24 masquerade",
        "add rule inet lvscc prerouting ip daddr 192.0.2.10 tcp dport 80 meta mark set 5",
        "add rule inet lvscc nat_postrouting ip saddr 10.11.12.0/24 masquerade",
    ]
    assert nft.add_rules("ip", "lvscc", []) == ["add table ip lvscc"]
    redirect = RedirectRule(ip_address("192.0.2.10"), Protocol.TCP, 80, AT)
    assert nft.add_rules("ip", "lvscc", [redirect])[1] == (
        "add chain ip lvscc nat_prerouting { type nat hook prerouting priority dstnat; policy accept; }")


def test_a_port_match_of_one_port_or_many() -> None:
    assert iptables.port_matches((PortRange(80, 80),)) == ["--dport 80"]
    assert iptables.port_matches((PortRange(80, 80), PortRange(443, 443)), "sport") == ["-m multiport --sports 80,443"]
