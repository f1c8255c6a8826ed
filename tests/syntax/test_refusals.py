"""The one line a command prints when a value does not fit a tool's syntax (`Refused`): it names
what was refused and what was expected, and shows at most the first 40 (or 60) characters of
the value, so a hostile multi-kilobyte value cannot flood a terminal or a log."""

from __future__ import annotations

from ipaddress import ip_address
from typing import Callable

import pytest

from lvscc.model.config import Method, Protocol, TunnelType
from lvscc.model.state import IpvsDest, IpvsService, Origin
from lvscc.syntax import MAX_LINE, Refused, arptables, iproute, iptables, ipvsadm, nft, shell, sysctl
from lvscc.syntax import lvs

LONG = "x;" + "y" * 98  # 100 characters, refused everywhere for the `;`
VIP = ip_address("192.0.2.10")
LONG_HOST = "192.0.2." + "1" * 70
V6_LONG = "2001:0db8:0000:0000:0000:0000:0000:0001/128"


def _service(line: str) -> object:
    found = ipvsadm.parse_line(line)
    assert found is not None
    return ipvsadm.service_with_options(ipvsadm.service_of(found.options), found.options, Origin("f", 1, ""))


def _dest(line: str) -> object:
    found = ipvsadm.parse_line(line)
    assert found is not None
    return ipvsadm.dest_of(found.options, Origin("f", 1, ""))


def _tunnel(checksum: str) -> IpvsDest:
    return IpvsDest(ip_address("198.51.100.2"), 80, Method.TUNNEL, tun_type=TunnelType.IPIP, tun_csum=checksum)


CASES: list[tuple[str, Callable[[], object], str]] = [
    ("line cap", lambda: arptables.parse_line("-A " + "x" * MAX_LINE, "dump.arp"),
     f"dump.arp: line longer than {MAX_LINE} characters"),
    ("arp default place", lambda: arptables.parse_line("-A " + "x" * MAX_LINE),
     f"arptables: line longer than {MAX_LINE} characters"),
    ("ipt default place", lambda: iptables.split('-A X "open'), "iptables: unbalanced quote"),
    ("ipvsadm default place", lambda: ipvsadm.parse_line("-A " + "x" * MAX_LINE),
     f"ipvsadm: line longer than {MAX_LINE} characters"),
    ("ipvsadm command", lambda: ipvsadm.parse_line(LONG), f"unexpected command {LONG[:40]!r}"),
    ("tunnel checksum", lambda: ipvsadm.dest_options(_tunnel(LONG)), f"tunnel checksum {LONG[:40]!r}"),
    ("ipt long line", lambda: iptables.split("x" * (MAX_LINE + 1)), f"iptables: line longer than {MAX_LINE} characters"),
    ("sysctl default place", lambda: sysctl.parse_line("a = " + "1" * MAX_LINE),
     f"sysctl: line longer than {MAX_LINE} characters"),
    ("arp chain", lambda: arptables.chain(LONG), f"arptables chain {LONG[:40]!r} is not a chain name"),
    ("arp -A alone", lambda: arptables.parse_line("-A  ", "arp.txt"), "arp.txt: -A without a chain"),
    ("arp v6", lambda: arptables.address("2001:db8::1/128"), "arptables address '2001:db8::1/128' is not IPv4"),
    ("arp long v6", lambda: arptables.address(V6_LONG),
     f"arptables address {V6_LONG[:40]!r} is not IPv4"),
    ("arp address", lambda: arptables.address("192.0.2.300"),
     "'192.0.2.300' does not appear to be an IPv4 or IPv6 address"),
    ("device", lambda: iproute.device(LONG), f"device {LONG[:40]!r} is not a network device name"),
    ("label", lambda: iproute.label(LONG), f"address label {LONG[:40]!r} is not a device name or DEVICE:ALIAS"),
    ("table", lambda: iptables.table(LONG), f"iptables table {LONG[:40]!r} is not one of filter, mangle, nat, raw, security"),
    ("ipt chain", lambda: iptables.chain(LONG), f"iptables chain {LONG[:40]!r} is not a chain name"),
    ("ipt quote", lambda: iptables.split('-A X "open', "ipt.save"), "ipt.save: unbalanced quote"),
    ("ipt inner quote", lambda: iptables.split('-A X a"b"', "ipt.save"), "ipt.save: a quote inside a word"),
    ("ipt saved", lambda: iptables.delete_args("nat -I " + LONG), f"not a saved rule: {('nat -I ' + LONG)[:60]!r}"),
    ("scheduler", lambda: ipvsadm.name(LONG, "scheduler"), f"scheduler {LONG[:40]!r} is not an IPVS scheduler name"),
    ("flag", lambda: ipvsadm.flags(("flag-1", LONG)), f"unknown scheduler flag {LONG[:40]!r}"),
    ("netmask", lambda: ipvsadm.netmask(LONG),
     f"persistence netmask {LONG[:40]!r} is neither an IPv4 mask nor a prefix length"),
    ("netmask digits", lambda: _service("-A -t 192.0.2.10:80 -s rr -p 300 -M \u0663"),
     "persistence netmask '\u0663' is neither an IPv4 mask nor a prefix length"),
    ("number", lambda: ipvsadm.number(LONG, "weight"), f"weight {LONG[:40]!r} is not a number up to 4294967295"),
    ("number limit", lambda: ipvsadm.number("65536", "port", 65535), "port '65536' is not a number up to 65535"),
    ("endpoint", lambda: ipvsadm.split_endpoint("192.0.2.300:80"),
     "endpoint '192.0.2.300:80': '192.0.2.300' does not appear to be an IPv4 or IPv6 address"),
    ("endpoint bracket", lambda: ipvsadm.split_endpoint("[2001:db8::1]]:80"),
     "endpoint '[2001:db8::1]]:80': port ']:80' is not a number up to 65535"),
    ("long endpoint", lambda: ipvsadm.split_endpoint(LONG_HOST + ":80"),
     f"endpoint {(LONG_HOST + ':80')[:60]!r}: {LONG_HOST!r} does not appear to be an IPv4 or IPv6 address"),
    ("written scheduler", lambda: ipvsadm.service_line(IpvsService(4, Protocol.TCP, VIP, 80, scheduler="rr;id")),
     "scheduler 'rr;id' is not an IPVS scheduler name"),
    ("written engine", lambda: ipvsadm.service_line(IpvsService(4, Protocol.TCP, VIP, 80, scheduler="rr", pe="sip;id")),
     "persistence engine 'sip;id' is not an IPVS persistence engine name"),
    ("no protocol", lambda: ipvsadm.service_args(IpvsService(4, None, ip_address("192.0.2.10"), 80)),
     "a virtual service without protocol or firewall mark"),
    ("bare ipvsadm", lambda: ipvsadm.parse_line("ipvsadm"), "no command"),
    ("set", lambda: ipvsadm.parse_line("--set 900 120"), "--set takes three timeouts"),
    ("command", lambda: ipvsadm.parse_line("-Z " + LONG), "unexpected command '-Z'"),
    ("no value", lambda: ipvsadm.parse_line("-A -t 192.0.2.10:80 -s"), "option -s needs a value"),
    ("no protocol value", lambda: ipvsadm.parse_line("-A -t"), "option -t needs a value"),
    ("option", lambda: ipvsadm.parse_line("-A -t 192.0.2.10:80 -q"), "unknown ipvsadm option '-q'"),
    ("long option", lambda: ipvsadm.parse_line("-A -t 192.0.2.10:80 " + LONG), f"unknown ipvsadm option {LONG[:40]!r}"),
    ("dumped scheduler", lambda: _service("-A -t 192.0.2.10:80 -s 'rr;id'"), "scheduler 'rr;id' is not an IPVS scheduler name"),
    ("dumped engine", lambda: _service("-A -t 192.0.2.10:80 -s rr --pe 'sip;id'"),
     "persistence engine 'sip;id' is not an IPVS persistence engine name"),
    ("dumped weight", lambda: _dest("-a -t 192.0.2.10:80 -r 198.51.100.2 -w x"), "weight 'x' is not a number up to 4294967295"),
    ("dumped upper", lambda: _dest("-a -t 192.0.2.10:80 -r 198.51.100.2 -x x"),
     "upper threshold 'x' is not a number up to 4294967295"),
    ("dumped lower", lambda: _dest("-a -t 192.0.2.10:80 -r 198.51.100.2 -y x"),
     "lower threshold 'x' is not a number up to 4294967295"),
    ("dumped tunnel port", lambda: _dest("-a -t 192.0.2.10:80 -r 198.51.100.2 -i --tun-type gue --tun-port 70000"),
     "tunnel port '70000' is not a number up to 65535"),
    ("dumped fwmark", lambda: _service("-A -f x -s rr"), "fwmark 'x' is not a number up to 4294967295"),
    ("dumped timeout", lambda: ipvsadm.parse_line("--set 900 x 300"), "timeout 'x' is not a number up to 4294967295"),
    ("dumped persistence", lambda: _service("-A -t 192.0.2.10:80 -s rr -p 99999999999"),
     "persistence '99999999999' is not a number up to 4294967295"),
    ("dumped port", lambda: _service("-A -t 192.0.2.10:65536 -s rr"),
     "endpoint '192.0.2.10:65536': port '65536' is not a number up to 65535"),
    ("no service", lambda: _service("-A -s rr"), "no virtual service"),
    ("no real", lambda: _dest("-a -t 192.0.2.10:80 -m"), "no real server (-r)"),
    ("tunnel type", lambda: _dest("-a -t 192.0.2.10:80 -r 198.51.100.2 -i --tun-type " + LONG.replace(";", "")),
     f"tunnel type {LONG.replace(';', '')[:40]!r}"),
    ("nft name", lambda: nft.identifier(LONG, "chain"), f"nft chain {LONG!r:.60} is not an nft identifier"),
    ("nft keyword", lambda: nft.identifier("table", "table"), "nft table 'table' is an nft keyword"),
    ("nft not text", lambda: nft.identifier(7), "nft name 7 is not an nft identifier"),
    ("nft family", lambda: nft.family(LONG), f"nft family {LONG!r:.40} is not one of arp, bridge, inet, ip, ip6, netdev"),
    ("nft handle", lambda: nft.handle(0), "nft rule handle 0 is not a positive number"),
    ("nft long handle", lambda: nft.handle(LONG), f"nft rule handle {LONG!r:.40} is not a positive number"),
    ("nft table of a rule", lambda: nft.delete_rule("inet", "a b", "prerouting", 4), "nft table 'a b' is not an nft identifier"),
    ("nft chain of a rule", lambda: nft.delete_rule("inet", "lvscc", "a b", 4), "nft chain 'a b' is not an nft identifier"),
    ("nft string", lambda: nft.string("a" * 30 + '"' + "b" * 69), f"cannot quote {('a' * 30 + chr(34) + 'b' * 29)!r} for nft"),
    ("heredoc", lambda: shell.heredoc(["cat"], "x"), "a here-document body must end with a newline"),
    ("words", lambda: shell.words("a 'b"), "cannot split \"a 'b\": No closing quotation"),
    ("long words", lambda: shell.words("'" + LONG), f"cannot split {(chr(39) + LONG)[:60]!r}: No closing quotation"),
    ("module", lambda: shell.module(LONG), f"kernel module {LONG[:40]!r} is not a module name"),
    ("sysctl key", lambda: sysctl.key(LONG), f"sysctl key {LONG[:60]!r} is not a kernel parameter name"),
    ("sysctl value", lambda: sysctl.value("1\n" + "2" * 98), f"sysctl value {('1' + chr(10) + '2' * 98)[:60]!r} holds control characters"),
]  # fmt: skip


@pytest.mark.parametrize(("call", "message"), [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_a_refusal_is_one_line_that_names_the_value_and_what_fits(call: Callable[[], object], message: str) -> None:
    with pytest.raises(Refused) as refused:
        call()
    assert str(refused.value) == message


@pytest.mark.parametrize(("call", "message"), [
    (lambda: lvs.quote("a\x1bb"), "'a\\x1bb' holds a control character a .lvs string cannot carry"),
    (lambda: lvs.name("1st"), "'1st' is not a .lvs name"),
    (lambda: lvs.device("eth0:1:2"), "'eth0:1:2' is not a network device name"),
])  # fmt: skip
def test_a_value_that_is_no_lvs_token_says_which_value(call: Callable[[], object], message: str) -> None:
    with pytest.raises(lvs.LvsSyntaxError) as refused:
        call()
    assert str(refused.value) == message
