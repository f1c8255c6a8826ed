"""What `lvscc import` tells an operator about an ipvsadm-save dump (an untrusted file read from
a live director): each line it cannot use is named by its place, its command and why; a
service the dump cannot describe in full says what to add; and what it reads is written as a
.lvs that parses back to the same table."""

from __future__ import annotations

from dataclasses import replace
from ipaddress import IPv4Address
from pathlib import Path

import pytest
from roundtrip.spans import without_spans

from lvscc.diagnostics import Diagnostic
from lvscc.fmt import format_config
from lvscc.importers.ipvsadm import import_ipvsadm, numeric_ports
from lvscc.load import load_text
from lvscc.model.config import Config, Forwarding, Method, Tunnel, TunnelType
from lvscc.model.span import Span

CASES = Path(__file__).resolve().parent / "cases"

DUMP = """-A -f 21 -6 -s rr
-a -f 21 -6 -r [2001:db8::21]:0 -i -w 2
--start-daemon master
-A -t 192.0.2.10:80 -s rr -Z
-a -t 198.51.100.99:80 -r 192.0.2.1:80 -g -w 1
"""


def _imported(text: str) -> tuple[Config, list[Diagnostic]]:
    config, diagnostics = import_ipvsadm(text, "dump.ipvsadm")
    assert config is not None, diagnostics
    return config, diagnostics


def _loaded_back(config: Config) -> Config:
    text = format_config(config)
    loaded, found = load_text(text, "imported.lvs")
    assert loaded is not None, (found, text)
    return loaded


def test_every_line_left_out_is_named_by_its_whole_line_command_and_reason() -> None:
    _, diagnostics = _imported(DUMP)
    said = [(d.code, d.message, d.hint, d.span) for d in diagnostics]
    assert said == [
        ("LVS504", "fwmark 21: an IPVS table does not say which packets carry the mark or to which VIP",
         "add `vip ADDRESS dev DEVICE` and `fwmark 21 { tcp PORTS }`", Span("dump.ipvsadm", 1, 1, 1, 1)),
        ("LVS501", "`--start-daemon` not translated: only service, server and --set lines describe the table",
         None, Span("dump.ipvsadm", 3, 1, 3, 22)),
        ("LVS502", "`-A`: unknown ipvsadm option '-Z'", None, Span("dump.ipvsadm", 4, 1, 4, 29)),
        ("LVS502", "`-a`: real server of a service the dump never adds (-A)", None, Span("dump.ipvsadm", 5, 1, 5, 47)),
    ]


def test_the_lines_left_out_are_listed_in_the_lvs_by_place() -> None:
    config, _ = _imported(DUMP)
    assert [text for text, _ in config.untranslated] == [
        "dump.ipvsadm:4: `-A`: unknown ipvsadm option '-Z'",
        "dump.ipvsadm:5: `-a`: real server of a service the dump never adds (-A)",
    ]


def test_an_ipv6_firewall_mark_service_keeps_its_family_in_its_name() -> None:
    """`-f 21 -6` and `-f 21` are two kernel services: one name would merge them."""
    config, _ = _imported("-A -f 21 -6 -s rr\n-a -f 21 -6 -r [2001:db8::21]:0 -g -w 1\n"
                          "-A -f 21 -s rr\n-a -f 21 -r 192.0.2.21:0 -g -w 1\n")
    assert sorted(s.name for s in config.services) == ["svc-fwmark-21", "svc-fwmark-21-6"]
    assert sorted(s.name for s in _loaded_back(config).services) == ["svc-fwmark-21", "svc-fwmark-21-6"]


def test_a_tunnel_without_tunnel_options_stays_a_plain_ipip_tunnel() -> None:
    """ipvsadm-save prints no --tun-type for an ipip tunnel: the .lvs says `forwarding tunnel`
    alone, which the language reads as ipip (a `type` with no value would not parse back)."""
    config, _ = _imported("-A -t 192.0.2.11:80 -s wlc\n-a -t 192.0.2.11:80 -r 198.51.100.2:80 -i -w 1\n")
    assert config.forwarding == Forwarding(method=Method.TUNNEL)
    assert "  forwarding tunnel\n" in format_config(config)
    assert _loaded_back(config).forwarding.tunnel == Tunnel(TunnelType.IPIP)


def test_every_option_of_a_dumped_service_reaches_the_lvs() -> None:
    """A persistence engine, a netmask and one-packet scheduling dropped on import would
    change how the rewritten director balances SIP and UDP clients."""
    config, _ = _imported("-A -u 192.0.2.10:5060 -s rr -p 300 -M 255.255.255.0 --pe sip -o\n"
                          "-a -u 192.0.2.10:5060 -r 198.51.100.2:5060 -m -w 1\n")
    (service,) = config.services
    assert (service.persistence, service.persistence_mask, service.persistence_engine, service.one_packet) == (
        300, IPv4Address("255.255.255.0"), "sip", True)
    assert ["persistence 300s netmask 255.255.255.0", "persistence-engine sip", "one-packet"] == [
        line.strip() for line in format_config(config).splitlines() if line.strip().startswith(("persistence", "one-"))]
    (back,) = _loaded_back(config).services
    assert (back.persistence, back.persistence_mask, back.persistence_engine, back.one_packet) == (
        300, IPv4Address("255.255.255.0"), "sip", True)


MIXED = """-A -f 7 -s wrr
-a -f 7 -r 192.0.2.21:8080 -m -w 0 -x 100 -y 20
-a -f 7 -r 192.0.2.22:0 -g -w 3 -x 50
-A -u 192.0.2.10:53 -s sh -b sh-port -p 60 -M 24
-a -u 192.0.2.10:53 -r 198.51.100.3:53 -i -w 1 --tun-type gre --tun-csum
-a -u 192.0.2.10:53 -r 198.51.100.4:5353 -m -w 5 -y 10
"""


def _meaning(config: Config) -> Config:
    """What a Config says, without where it was read: untranslated lines become statements
    of their own once loaded, so they are compared apart."""
    plain = without_spans(config)
    return replace(plain, untranslated=(), services=tuple(replace(s, spans={}, servers=tuple(
        replace(r, spans={}) for r in s.servers)) for s in plain.services))


@pytest.mark.parametrize("text", [(CASES / "odd.ipvsadm").read_text(), (CASES / "guide-nat.ipvsadm").read_text(), MIXED],
                         ids=["odd", "guide-nat", "mixed"])
def test_an_imported_dump_means_the_same_once_written_as_lvs(text: str) -> None:
    """The .lvs an operator is handed compiles to the table the dump describes: every
    weight, threshold, port, method and option the import read survives fmt and the parser."""
    config, _ = _imported(text)
    assert _meaning(_loaded_back(config)) == _meaning(config)


def test_each_service_points_at_the_line_that_adds_it() -> None:
    config, _ = _imported("\n-A -t 192.0.2.10:80 -s rr\n-a -t 192.0.2.10:80 -r 192.0.2.11:80 -g -w 1\n")
    (service,) = config.services
    assert (service.span, service.servers[0].span) == (Span("dump.ipvsadm", 2, 1, 2, 1), Span("dump.ipvsadm", 3, 1, 3, 1))


@pytest.mark.parametrize("port", [1, 8080, 65535])
def test_a_firewall_mark_servers_own_port_is_kept_whatever_its_number(port: int) -> None:
    """A mark service has no port: a server's port in the dump is where it listens."""
    config, _ = _imported(f"-A -f 7 -s rr\n-a -f 7 -r 192.0.2.21:{port} -m -w 1\n-a -f 7 -r 192.0.2.22:0 -m -w 1\n")
    assert [(r.name, r.port) for r in config.services[0].servers] == [(f"rs-192-0-2-21-{port}", port), ("rs-192-0-2-22", None)]


def test_a_server_tunnelling_unlike_its_service_is_reported_where_it_is_added() -> None:
    config, diagnostics = _imported("-A -t 192.0.2.10:80 -s rr\n"
                                    "-a -t 192.0.2.10:80 -r 198.51.100.3:80 -i -w 1 --tun-type gue --tun-port 6080\n"
                                    "-a -t 192.0.2.10:80 -r 198.51.100.4:80 -i -w 1 --tun-type gue --tun-port 6080\n"
                                    "-a -t 192.0.2.10:80 -r 198.51.100.5:80 -i -w 1 --tun-type gre\n")
    assert [(d.code, d.message, d.span) for d in diagnostics] == [
        ("LVS505", "real server 198.51.100.5 tunnels differently from its service; lvscc keeps the service's "
                   "tunnel options", Span("dump.ipvsadm", 4, 1, 4, 1))]
    assert config.forwarding.tunnel == Tunnel(TunnelType.GUE, 6080)


def _services(table: dict[tuple[str, str], int]):  # noqa: ANN202 - a stand-in for socket.getservbyname
    def getservbyname(name: str, protocol: str) -> int:
        if (name, protocol) not in table:
            raise OSError("service/proto not found")
        return table[(name, protocol)]
    return getservbyname


@pytest.mark.parametrize(("line", "numeric"), [
    ("-A -u 192.0.2.10:biff -s rr", "-A -u 192.0.2.10:512 -s rr"),
    ("-A --udp-service 192.0.2.10:biff -s rr", "-A --udp-service 192.0.2.10:512 -s rr"),
    ("-a -u 192.0.2.10:biff -r 198.51.100.2:biff -m -w 1", "-a -u 192.0.2.10:512 -r 198.51.100.2:512 -m -w 1"),
    ("-A -t 192.0.2.10:exec -s rr", "-A -t 192.0.2.10:512 -s rr"),
    ("-A -t 192.0.2.10:biff -s rr", "-A -t 192.0.2.10:biff -s rr"),
    ("-A -t [2001:db8::1]:exec -s rr", "-A -t [2001:db8::1]:512 -s rr"),
    ("-A -t web:exec -s rr", "-A -t web:exec -s rr"),
])  # fmt: skip
def test_a_named_port_is_the_number_of_its_services_protocol(monkeypatch: pytest.MonkeyPatch, line: str,
                                                             numeric: str) -> None:
    """biff is 512/udp and exec 512/tcp in /etc/services: ipvsadm-save without -n names a
    port by the service's own protocol, and only after an address."""
    monkeypatch.setattr("socket.getservbyname", _services({("biff", "udp"): 512, ("exec", "tcp"): 512}))
    assert numeric_ports(line) == numeric


def test_without_etc_services_the_usual_names_still_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("socket.getservbyname", _services({}))
    assert numeric_ports("-A -t 192.0.2.10:http-alt -s rr") == "-A -t 192.0.2.10:8080 -s rr"
    assert numeric_ports("-a -t 192.0.2.10:https -r 198.51.100.2:mysql") == "-a -t 192.0.2.10:443 -r 198.51.100.2:3306"
    assert numeric_ports("-A -t 192.0.2.10:gopher -s rr") == "-A -t 192.0.2.10:gopher -s rr"
    _, diagnostics = _imported("-A -t 192.0.2.10:gopher -s rr\n")
    assert [(d.code, d.message) for d in diagnostics] == [
        ("LVS502", "`-A`: endpoint '192.0.2.10:gopher': port 'gopher' is not a number up to 65535")]


@pytest.mark.parametrize("line", [
    "-a -t 198.51.100.99:80 -r 192.0.2.1:80 -g -w 1",
    "--add-server -t 198.51.100.99:80 -r 192.0.2.1:80 -g -w 1",
    "ipvsadm -a -t 198.51.100.99:80 -r 192.0.2.1:80 -g -w 1",
])  # fmt: skip
def test_a_real_server_of_a_service_never_added_is_never_dropped_silently(line: str) -> None:
    """Written with or without the leading `ipvsadm` (as `ipvsadm-save` lines are often kept
    in a script), the server is reported and listed as untranslated."""
    config, diagnostics = _imported(f"-A -t 192.0.2.10:80 -s rr\n{line}\n")
    assert [(d.code, d.message.split(": ", 1)[1], d.span.line) for d in diagnostics] == [
        ("LVS502", "real server of a service the dump never adds (-A)", 2)]
    assert len(config.untranslated) == 1 and config.services[0].servers == ()


def test_a_servers_weight_and_thresholds_reach_the_lvs() -> None:
    config, _ = _imported(MIXED)
    assert [(r.name, r.weight, r.upper, r.lower) for s in config.services for r in s.servers] == [
        ("rs-198-51-100-3", 1, 0, 0), ("rs-198-51-100-4-5353", 5, 0, 10),
        ("rs-192-0-2-21-8080", 0, 100, 20), ("rs-192-0-2-22", 3, 50, 0)]
    assert "server rs-192-0-2-21-8080 192.0.2.21 port 8080 weight 0 upper 100 lower 20" in format_config(config)
