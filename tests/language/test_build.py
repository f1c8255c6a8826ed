"""The builder: every value checked at its token, pools/ranges/includes/defaults resolved."""

from __future__ import annotations

from ipaddress import ip_address, ip_interface, ip_network
from pathlib import Path

import pytest

from lvscc.load import load_file, load_text
from lvscc.model.config import DEFAULT_PERSISTENCE, Method, PortRange, Protocol, TunnelType


def build(body: str):
    config, diagnostics = load_text(f"lvs t {{\n{body}\n}}\n", "t.lvs")
    assert diagnostics == [], diagnostics
    assert config is not None
    return config


def errors(body: str) -> list[tuple[str, int, str]]:
    config, diagnostics = load_text(f"lvs t {{\n{body}\n}}\n", "t.lvs")
    assert config is None
    return [(d.code, d.span.line, d.message) for d in diagnostics]


def test_defaults_are_ipvsadm_defaults() -> None:
    config = build("service s { vip 192.0.2.10 tcp 80 persistence server a 192.0.2.21 }")
    service = config.services[0]
    assert service.scheduler == "wlc"
    assert service.forwarding.method is Method.DIRECT
    assert service.persistence == DEFAULT_PERSISTENCE == 360
    assert service.servers[0].weight == 1 and service.servers[0].port is None
    assert service.vip == ip_interface("192.0.2.10/32")


def test_address_range_expands_to_numbered_servers() -> None:
    config = build("pool web { server web 10.11.12.1-3 weight 5 }\n"
                   "service s { vip 192.0.2.10 tcp 80 forwarding nat { gateway 10.11.12.10/24 } servers web }")
    servers = config.services[0].servers
    assert [(s.name, str(s.address), s.weight, s.pool) for s in servers] == [
        ("web1", "10.11.12.1", 5, "web"), ("web2", "10.11.12.2", 5, "web"), ("web3", "10.11.12.3", 5, "web")]


def test_ipv6_range_and_bracketed_port() -> None:
    config = build("service s { vip 2001:db8::80 tcp 80 forwarding nat { gateway 2001:db8:1::1/64 }\n"
                   "server a 2001:db8:1::a-c\n server p [2001:db8:1::20]:8080 }")
    servers = config.services[0].servers
    assert [str(s.address) for s in servers] == ["2001:db8:1::a", "2001:db8:1::b", "2001:db8:1::c", "2001:db8:1::20"]
    assert servers[-1].port == 8080


def test_durations_and_hex_numbers() -> None:
    config = build("heartbeat { interval 1m dead-after 2m }\n service s { vip 192.0.2.1 fwmark 0x50 { tcp 80 } "
                   "persistence 1h }")
    assert (config.heartbeat.interval, config.heartbeat.dead_after) == (60, 120)
    assert config.services[0].fwmark == 80 and config.services[0].persistence == 3600


def test_service_forwarding_overrides_the_cluster_default_and_inherits_its_settings() -> None:
    config = build("forwarding nat { gateway 10.11.12.10/24 dev eth1:1 }\n"
                   "service a { vip 192.0.2.1 tcp 80 }\n"
                   "service b { vip 192.0.2.2 tcp 80 forwarding direct { arp arptables-jf } }\n"
                   "service c { vip 192.0.2.3 tcp 80 forwarding tunnel { type gue port 6080 csum } }")
    a, b, c = config.services
    assert a.forwarding.method is Method.NAT and a.forwarding.gateway == ip_interface("10.11.12.10/24")
    assert b.forwarding.method is Method.DIRECT and b.forwarding.arp.value == "arptables-jf"
    assert c.forwarding.tunnel.type is TunnelType.GUE and c.forwarding.tunnel.port == 6080
    assert c.forwarding.tunnel.csum == "csum"


def test_ftp_is_the_guides_fwmark_21_scheme() -> None:
    config = build("service f { vip 192.0.2.12 ftp persistence 1800s server a 192.0.2.21 }")
    service = config.services[0]
    assert service.fwmark == 21 and service.protocol is None
    assert [(m.protocol, m.ports) for m in service.mark_ports] == [
        (Protocol.TCP, (PortRange(21, 21), PortRange(10000, 20000)))]


def test_fwmark_ports_and_masquerade_networks() -> None:
    config = build("forwarding nat { gateway 10.11.12.10/24 masquerade 10.11.12.0/24, 10.11.13.7/24 }\n"
                   "service s { vip 192.0.2.1 fwmark 80 { tcp 80, 443, 8000-8100 udp 53 } }")
    assert config.forwarding.masquerade == (ip_network("10.11.12.0/24"), ip_network("10.11.13.0/24"))
    marks = config.services[0].mark_ports
    assert [(m.protocol.value, [str(p) for p in m.ports]) for m in marks] == [
        ("tcp", ["80", "443", "8000-8100"]), ("udp", ["53"])]


def test_strings_are_unescaped() -> None:
    config = build('service s { vip 192.0.2.1 tcp 80 check { send "GET / HTTP/1.0\\r\\n\\r\\n" expect "a\\"b" } }')
    assert config.services[0].check.send == "GET / HTTP/1.0\r\n\r\n"
    assert config.services[0].check.expect == 'a"b'


@pytest.mark.parametrize("body,code,fragment", [
    ("service s { vip 192.0.2.300 tcp 80 }", "LVS012", "not an IPv4 or IPv6 address"),
    ("service s { vip 192.0.2.1:80 tcp 80 }", "LVS012", "a port is not allowed here"),
    ("service s { vip 192.0.2.1 tcp 80 persistence 300 }", "LVS011", "has no unit"),
    ("service s { vip 192.0.2.1 tcp 80 persistence 5y }", "LVS011", "is not a duration"),
    ("service s { vip 192.0.2.1 tcp 80s }", "LVS010", "is not a number"),
    ("service s { vip 192.0.2.1 dev averyveryverylongname tcp 80 }", "LVS014", "not a valid device name"),
    ('service s { vip 192.0.2.1 tcp 80 check { send "\\q" } }', "LVS015", "unknown escape"),
    ("service s { vip 192.0.2.1 tcp 80 scheduler wlcc }", "LVS020", "unknown scheduler `wlcc`"),
    ("service s { vip 192.0.2.1 tcp 80 scheduler sh sh-prot }", "LVS021", "unknown scheduler flag"),
    ("service s { vip 192.0.2.1 tcp 80 servers nope }", "LVS022", "no pool named `nope`"),
    ("pool p { } pool p { }", "LVS023", "pool `p` is declared twice"),
    ("service s { vip 192.0.2.1 tcp 80 tcp 81 }", "LVS023", "given twice"),
    ("audit { weight sometimes }", "LVS024", "unknown weight policy"),
    ("service s { vip 192.0.2.1 }", "LVS025", "no port and no firewall mark"),
    ("service s { tcp 80 }", "LVS026", "service s has no vip"),
    ("service s { vip 192.0.2.1 tcp 80 fwmark 3 }", "LVS025", "both a port and a firewall mark"),
    ("service s { vip 192.0.2.1 ftp passive 20000-10000 }", "LVS028", "runs backwards"),
    ("service s { vip 192.0.2.1 tcp 80 server a 10.0.0.1-10.0.255.255 }", "LVS028", "spans"),
    ("service s { vip 192.0.2.1 tcp 80 server a 192.0.2.21 }\n service t { vip 192.0.2.2 tcp 80 server a 192.0.2.22 }",
     "LVS029", "server a is 192.0.2.22 here but 192.0.2.21"),
    ("forwarding nat { gateway 10.11.12.10 }", "LVS012", "needs a prefix length"),
])
def test_bad_values_are_diagnosed_at_their_token(body: str, code: str, fragment: str) -> None:
    found = errors(body)
    assert any(c == code and fragment in m for c, _, m in found), found


def test_misspelt_pool_suggests_the_right_one() -> None:
    _, diagnostics = load_text("lvs t { pool webservers { } service s { vip 192.0.2.1 tcp 80 servers webserver } }")
    assert diagnostics[0].hint == "did you mean `webservers`?"


def test_every_error_in_one_run() -> None:
    found = errors("service s { vip 192.0.2.300 tcp 80 scheduler wlcc }\nservice t { vip 192.0.2.1 tcp 80 servers x }")
    assert {c for c, _, _ in found} == {"LVS012", "LVS020", "LVS022"}


def test_includes_splice_statements_and_report_positions_in_the_included_file(tmp_path: Path) -> None:
    (tmp_path / "pools.lvs").write_text("pool web {\n  server web1 192.0.2.21\n}\n")
    (tmp_path / "bad.lvs").write_text("pool p {\n  server a 192.0.2.999\n}\n")
    main = tmp_path / "main.lvs"
    main.write_text('lvs t {\n  include "pools.lvs"\n  service s { vip 192.0.2.10 tcp 80 servers web }\n}\n')
    config, diagnostics = load_file(main)
    assert diagnostics == [] and config.services[0].servers[0].address == ip_address("192.0.2.21")
    assert config.files == (str(main), str(tmp_path / "pools.lvs"))
    main.write_text('lvs t {\n  include "bad.lvs"\n}\n')
    _, diagnostics = load_file(main)
    assert [(d.code, d.span.file, d.span.line) for d in diagnostics] == [("LVS012", str(tmp_path / "bad.lvs"), 2)]


def test_include_cycles_and_missing_files(tmp_path: Path) -> None:
    (tmp_path / "a.lvs").write_text('include "b.lvs"\n')
    (tmp_path / "b.lvs").write_text('include "a.lvs"\n')
    main = tmp_path / "main.lvs"
    main.write_text('lvs t {\n  include "a.lvs"\n  include "missing.lvs"\n}\n')
    _, diagnostics = load_file(main)
    assert sorted(d.code for d in diagnostics) == ["LVS003", "LVS004"]


@pytest.mark.parametrize("text,fragment", [
    ("pool p { }", "no `lvs NAME { ... }` block"),
    ("lvs a { } lvs b { }", "more than one `lvs` block"),
    ("lvs a { } pool p { }", "statement outside the `lvs` block"),
])
def test_file_structure(text: str, fragment: str) -> None:
    config, diagnostics = load_text(text, "t.lvs")
    assert config is None and any(d.code == "LVS005" and fragment in d.message for d in diagnostics)


def test_unreadable_and_non_utf8_files(tmp_path: Path) -> None:
    _, diagnostics = load_file(tmp_path / "nope.lvs")
    assert [d.code for d in diagnostics] == ["LVS003"]
    bad = tmp_path / "latin1.lvs"
    bad.write_bytes(b"lvs t {\n # caf\xe9\n}\n")
    _, diagnostics = load_file(bad)
    assert [(d.code, d.span.line) for d in diagnostics] == [("LVS003", 2)]
