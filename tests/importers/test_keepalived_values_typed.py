"""Typed values of keepalived.conf statements as an operator writes them: numbers (quoted or
not, which argument), addresses, persistence granularity (prefix length or IPv4 netmask), and
lvs_method with its tunnel options in any order, as keepalived's svr_forwarding_handler reads
them; a value keepalived refuses becomes LVS502 at the statement, never a silent default."""

from __future__ import annotations

from ipaddress import IPv4Address, ip_address

import pytest

from lvscc.importers.common import Entry, Notes, span_at
from lvscc.importers.keepalived import import_keepalived
from lvscc.importers.keepalived.values import KeepalivedValues
from lvscc.model.config import Forwarding, Method, Tunnel, TunnelType


def entry(key: str, *args: str) -> Entry:
    return Entry(key, args, span_at("k.conf", 3, 5, len(key)))


def errors(notes: Notes) -> list[tuple[str, str, int, int]]:
    return [(d.code, d.message, d.span.line, d.span.column) for d in notes.items]


@pytest.mark.parametrize(("args", "index", "word", "value"), [
    (("2",), 0, None, 2), (('"7"',), 0, None, 7), (("0",), 0, None, 0),
    (("192.0.2.1", "8080"), 1, None, 8080), (("1",), 0, "5", 5),
])
def test_a_number_is_read_from_its_argument(args: tuple[str, ...], index: int, word: str | None, value: int) -> None:
    notes = Notes()
    assert KeepalivedValues(notes).number(entry("weight", *args), index, word) == value
    assert notes.items == []


@pytest.mark.parametrize(("args", "index", "found"), [
    ((), 0, "None"), (("-1",), 0, "'-1'"), (("ten",), 0, "'ten'"), (("1",), 1, "None"),
])
def test_a_missing_or_negative_number_is_malformed(args: tuple[str, ...], index: int, found: str) -> None:
    notes = Notes()
    assert KeepalivedValues(notes).number(entry("weight", *args), index) is None
    assert errors(notes) == [("LVS502", f"`weight`: expected a number, found {found}", 3, 5)]


def test_an_address_quoted_or_not_and_a_bad_one() -> None:
    notes = Notes()
    values = KeepalivedValues(notes)
    assert values.address(entry("ip"), '"192.0.2.1"') == ip_address("192.0.2.1")
    assert values.address(entry("ip"), "2001:db8::1") == ip_address("2001:db8::1")
    assert notes.items == []
    assert values.address(entry("ip"), "192.0.2.300") is None
    assert errors(notes) == [("LVS502", "`ip`: '192.0.2.300' is not an IP address", 3, 5)]


@pytest.mark.parametrize(("text", "value"), [
    ("24", 24), ("128", 128), ("255.255.255.0", IPv4Address("255.255.255.0")),
    ("255.255.255.255", None),  # one address per client: no granularity at all
])
def test_persistence_granularity_is_a_prefix_or_a_netmask(text: str, value: object) -> None:
    notes = Notes()
    assert KeepalivedValues(notes).granularity(entry("persistence_granularity"), text) == value
    assert notes.items == []


@pytest.mark.parametrize("text", ["x", "-24", "255.255.255.0/24"])
def test_a_bad_granularity_is_malformed(text: str) -> None:
    notes = Notes()
    assert KeepalivedValues(notes).granularity(entry("persistence_granularity"), text) is None
    assert errors(notes) == [("LVS502", f"`persistence_granularity`: {text!r} is not a netmask or prefix length",
                              3, 5)]


@pytest.mark.parametrize(("args", "method"), [
    (("NAT",), Method.NAT), (("DR",), Method.DIRECT), (('"DR"',), Method.DIRECT)
])
def test_lvs_method_without_a_tunnel(args: tuple[str, ...], method: Method) -> None:
    notes = Notes()
    assert KeepalivedValues(notes).lvs_method(entry("lvs_method", *args)) == Forwarding(method=method)
    assert notes.items == []


@pytest.mark.parametrize("args", [(), ("ROUTE",), ("dr",), ("Nat",)])
def test_an_unknown_lvs_method_is_malformed(args: tuple[str, ...]) -> None:
    notes = Notes()
    assert KeepalivedValues(notes).lvs_method(entry("lvs_method", *args)) is None
    assert errors(notes) == [("LVS502", "`lvs_method`: expected NAT, DR or TUN", 3, 5)]


@pytest.mark.parametrize(("args", "tunnel"), [
    (("TUN",), Tunnel(TunnelType.IPIP, None, None)),
    (("TUN", "type", "gue", "port", "6080", "nocsum"), Tunnel(TunnelType.GUE, 6080, "nocsum")),
    (("TUN", "type", "gre", "csum"), Tunnel(TunnelType.GRE, None, "csum")),
    # keepalived reads the options word by word: a checksum word may come first or between
    (("TUN", "csum", "type", "gre"), Tunnel(TunnelType.GRE, None, "csum")),
    (("TUN", "type", "gue", "remcsum", "port", "6080"), Tunnel(TunnelType.GUE, 6080, "remcsum")),
    (("TUN", "port", '"6080"', "type", "gue"), Tunnel(TunnelType.GUE, 6080, None)),
    (("TUN", "type", "ipip"), Tunnel(TunnelType.IPIP, None, None)),
])
def test_tunnel_options_in_any_order(args: tuple[str, ...], tunnel: Tunnel) -> None:
    notes = Notes()
    assert KeepalivedValues(notes).lvs_method(entry("lvs_method", *args)) == Forwarding(
        method=Method.TUNNEL, tunnel=tunnel)
    assert notes.items == []


@pytest.mark.parametrize(("args", "why"), [
    (("TUN", "type", "vxlan"), "'type' 'vxlan'"),
    (("TUN", "type"), "'type'"),
    (("TUN", "type", "gue", "port", "x"), "'port' 'x'"),
    (("TUN", "type", "gre", "fast"), "'fast'"),
    (("TUN", "fast", "csum"), "'fast'"),
])
def test_a_tunnel_option_keepalived_refuses_keeps_its_default_tunnel_and_is_malformed(
        args: tuple[str, ...], why: str) -> None:
    notes = Notes()
    assert KeepalivedValues(notes).lvs_method(entry("lvs_method", *args)) == Forwarding(
        method=Method.TUNNEL, tunnel=Tunnel())
    assert errors(notes) == [("LVS502", f"`lvs_method`: bad tunnel option {why}", 3, 5)]


def test_a_gre_tunnel_written_checksum_first_is_imported_as_gre() -> None:
    text = ("virtual_server 192.0.2.10 80 {\n  protocol TCP\n  lvs_method TUN csum type gre\n"
            "  real_server 198.51.100.21 80 {\n  }\n}\n")
    config, notes = import_keepalived(text, "tun.conf")
    assert config is not None, notes
    assert config.services[0].forwarding.tunnel == Tunnel(TunnelType.GRE, None, "csum")
