"""arptables, iproute, shell and sysctl words at the edges a router's dump or a config reaches:
half ARP pairs, alias labels, empty here-documents, `sysctl -a` paths."""

from __future__ import annotations

from ipaddress import ip_address

import pytest

from lvscc.model.state import ArpRule
from lvscc.syntax import Refused, arptables, iproute, printable, shell, sysctl

VIP, REAL = ip_address("192.0.2.10"), ip_address("198.51.100.2")


def test_a_half_arp_pair_is_only_its_own_rule() -> None:
    chains = ("IN", "OUT")
    assert arptables.specs(ArpRule(VIP, VIP, part="drop"), chains) == [["IN", "-d", "192.0.2.10", "-j", "DROP"]]
    assert arptables.specs(ArpRule(VIP, REAL, part="mangle"), chains) == [
        ["OUT", "-s", "192.0.2.10", "-j", "mangle", "--mangle-ip-s", "198.51.100.2"]]
    with pytest.raises(Refused):
        arptables.specs(ArpRule(VIP, REAL), ("IN", "OUT id"))


def test_arptables_dump_lines() -> None:
    assert arptables.parse_line("-A OUT -s 192.0.2.10 -j mangle --mangle-ip-s 198.51.100.2") == (
        "OUT", {"-s": "192.0.2.10", "-j": "mangle", "--mangle-ip-s": "198.51.100.2"})
    assert arptables.parse_line("-A IN") == ("IN", {})
    assert arptables.parse_line("-P INPUT ACCEPT") is None and arptables.parse_line("-AIN -j DROP") is None
    assert arptables.address("192.0.2.10/32") == VIP and arptables.address("192.0.2.10") == VIP


def test_device_names_and_alias_labels() -> None:
    assert iproute.device("eth0") == "eth0" and iproute.device("veth-a@b+c_d") == "veth-a@b+c_d"
    assert iproute.label("eth0") == "eth0" and iproute.label("eth0:") == "eth0:" and iproute.label("lo:vip_1") == "lo:vip_1"
    for bad in (".", "..", ".:1", "..:1", ":1", "eth0:a b", "eth0:a;b"):
        with pytest.raises(Refused):
            (iproute.label if ":" in bad else iproute.device)(bad)
    assert iproute.device(7) == "7" and iproute.label("...") == "..."


def test_shell_words() -> None:
    assert shell.quote("plain") == "plain" and shell.quote("") == "''" and shell.quote(80) == "80"
    assert shell.join([]) == "" and shell.join(["a", ""]) == "a ''"
    assert shell.comment("lvscc: ok ~") == "lvscc: ok ~" and shell.comment("é\x7f\t") == "???"
    assert shell.words("ipvsadm -A -t '192.0.2.10:80'") == ["ipvsadm", "-A", "-t", "192.0.2.10:80"]
    assert shell.module("ip-vs_1") == "ip-vs_1"


def test_an_empty_here_document_needs_no_newline() -> None:
    script = shell.heredoc(["nft", "-f", "-"], "")
    head, end = script.split("\n")
    delimiter = end
    assert head == f"nft -f - <<'{delimiter}'" and delimiter.startswith("LVSCC_EOF_") and len(delimiter) == 26


def test_sysctl_lines() -> None:
    assert sysctl.parse_line("  net.ipv4.vs.expire_nodest_conn =  1 ") == ("net.ipv4.vs.expire_nodest_conn", "1")
    assert sysctl.parse_line("net.ipv4.vs.sync_ports = 1 = 2") == ("net.ipv4.vs.sync_ports", "1 = 2")
    assert sysctl.parse_line("net.ipv4.ip_forward=1") is None
    assert sysctl.value("") == "" and sysctl.value("3\t50") == "3\t50"
    assert sysctl.key("net.ipv4.conf.eth0@1+x-y.rp_filter") == "net.ipv4.conf.eth0@1+x-y.rp_filter"
    for bad in ("net", "Net.ipv4.x", "net..x", "net.x."):
        with pytest.raises(Refused):
            sysctl.key(bad)


def test_printable_keeps_printable_text_whole() -> None:
    assert printable("lvscc: web.lvs:3 — ok") == "lvscc: web.lvs:3 — ok" and printable(7) == "7"
    assert printable("\udfff\t\x7f") == "???"
