"""lvscc/syntax's iptables, arptables, sysctl, iproute and shell modules, line by line."""

from __future__ import annotations

import subprocess
import time
from ipaddress import ip_address, ip_network

import pytest

from lvscc.model.config import PortRange, Protocol
from lvscc.model.state import ArpRule, MarkRule, Origin
from lvscc.syntax import MAX_LINE, Refused, arptables, iproute, iptables, printable, shell, sysctl


def test_iptables_split_reads_what_iptables_save_quotes() -> None:
    line = '-A PREROUTING -d 192.0.2.10/32 -m comment --comment "lvscc: a \\"b\\" c\\\\d" -j MARK --set-xmark 0x1/0xffffffff'
    words = iptables.split(line)
    assert words[words.index("--comment") + 1] == 'lvscc: a "b" c\\d'
    assert words[-1] == "0x1/0xffffffff"
    for bad in ('-A X "open', '-A X a"b"', "-A " + "x" * MAX_LINE):
        with pytest.raises(Refused):
            iptables.split(bad)


def test_iptables_split_is_linear() -> None:
    long = "-A PREROUTING " + "-d 192.0.2.1 " * (MAX_LINE // 14)
    started = time.perf_counter()
    for _ in range(20):
        iptables.split(long[:MAX_LINE])
    assert time.perf_counter() - started < 30  # a guard against quadratic splitting (minutes), not a speed claim


def test_iptables_rules_and_delete_args() -> None:
    mark = MarkRule(3, ip_network("192.0.2.10/32"), Protocol.TCP, tuple(PortRange(p, p) for p in range(1, 18)), Origin("a.lvs", 4, "x"))
    specs = iptables.rules(mark)
    assert [tool for tool, _ in specs] == ["iptables", "iptables"]
    assert specs[0][1][:8] == ["-t", "mangle", "PREROUTING", "-d", "192.0.2.10/32", "-p", "tcp", "-m"]
    assert iptables.delete_args('nat -A POSTROUTING -s 10.0.0.0/8 -m comment --comment "lvscc" -j MASQUERADE') == [
        "-t", "nat", "-D", "POSTROUTING", "-s", "10.0.0.0/8", "-m", "comment", "--comment", "lvscc", "-j", "MASQUERADE"]
    for saved in ("nat;id -A POSTROUTING -j X", "nat -A 'POST ROUTING' -j X", "nat -I POSTROUTING", "nat -A"):
        with pytest.raises(Refused):
            iptables.delete_args(saved)


def test_arptables() -> None:
    rule = ArpRule(ip_address("192.0.2.10"), ip_address("198.51.100.2"))
    assert arptables.specs(rule, ("IN", "OUT")) == [
        ["IN", "-d", "192.0.2.10", "-j", "DROP"], ["OUT", "-s", "192.0.2.10", "-j", "mangle", "--mangle-ip-s", "198.51.100.2"]]
    assert arptables.parse_line("-A INPUT -d 192.0.2.10 -j DROP") == ("INPUT", {"-d": "192.0.2.10", "-j": "DROP"})
    assert arptables.parse_line("-A INPUT -d") == ("INPUT", None)
    assert arptables.parse_line(":INPUT ACCEPT") is None
    for bad in (lambda: arptables.parse_line("-A "), lambda: arptables.address("2001:db8::1"),
                lambda: arptables.specs(rule, ("IN;id", "OUT"))):
        with pytest.raises(Refused):
            bad()


def test_sysctl() -> None:
    assert sysctl.key("net.ipv4.conf.eth0:1.arp_ignore") == "net.ipv4.conf.eth0:1.arp_ignore"
    assert sysctl.assignment("net.ipv4.vs.sync_threshold", "3 50") == "net.ipv4.vs.sync_threshold=3 50"
    assert sysctl.parse_line("net/ipv4/ip_forward = 1") == ("net.ipv4.ip_forward", "1")
    assert sysctl.parse_line("garbage") is None
    for key, value in (("net.ipv4.ip_forward\nkernel.x", "1"), ("x", "1"), ("net.ipv4.ip_forward", "1\n2"), ("net.a b", "1")):
        with pytest.raises(Refused):
            sysctl.assignment(key, value)


def test_devices_and_labels() -> None:
    assert iproute.device("eth0.100") == "eth0.100" and iproute.label("eth0:1") == "eth0:1"
    for bad in ("eth0:1", "a" * 16, "a/b", "..", "eth 0", "eth0\n", ""):
        with pytest.raises(Refused):
            iproute.device(bad)
    for bad in ("eth0:1:2", "eth0:1 tcp 80 }", "a" * 16):
        with pytest.raises(Refused):
            iproute.label(bad)


def test_printable_escapes_terminal_controls_and_surrogates() -> None:
    assert printable("a\x1b]0;x\x07b\n\ud800c") == "a?]0;x?b??c"


def test_heredoc_cannot_be_ended_by_its_body(tmp_path) -> None:
    """A body holding the old fixed delimiter, and a line that would run `id`, reaches the
    command whole; the shell runs nothing from it."""
    body = "add table inet lvscc\nLVSCC_EOF\nid > PWNED\n: <<'LVSCC_EOF'\n"
    script = shell.heredoc(["cat"], body)
    first, second = shell.heredoc(["cat"], body).splitlines()[0], script.splitlines()[0]
    assert first != second  # a fresh delimiter per plan
    done = subprocess.run(["sh", "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=30)
    assert done.returncode == 0 and done.stdout == body
    assert not (tmp_path / "PWNED").exists()
    with pytest.raises(Refused):
        shell.heredoc(["cat"], "no newline")


def test_shell_words_and_modules() -> None:
    assert shell.join(["ip", "addr", "add", "a b", "$(id)"]) == "ip addr add 'a b' '$(id)'"
    assert shell.comment("a\nb\x1b") == "a?b?"
    assert shell.module("ip_vs_wlc") == "ip_vs_wlc"
    with pytest.raises(Refused):
        shell.module("ip_vs;id")
