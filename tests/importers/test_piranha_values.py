"""lvs.cf's words and values as lvsconfig.c and nanny read them: the tokenizer and its spans,
strtol's bases, the service-name table, nanny's string escapes, and the exact note for each
value piranha would not accept."""

from __future__ import annotations

from ipaddress import IPv4Address

import pytest

from lvscc.importers.common import Entry, Notes
from lvscc.importers.piranha import import_piranha
from lvscc.importers.piranha.reading import read, tokens
from lvscc.importers.piranha.values import LvsCfValues, c_number, prefix, unescape
from lvscc.model.span import Span


def _notes(text: str) -> list[tuple[Span, str, str]]:
    _, found = import_piranha(text, "lvs.cf")
    return [(d.span, d.code, d.message) for d in found]


def _values() -> tuple[LvsCfValues, Notes]:
    notes = Notes()
    return LvsCfValues(notes), notes


def _entry(key: str, *args: str) -> Entry:
    return Entry(key, args, Span("lvs.cf", 3, 2, 3, 9))


# ---- reading -----------------------------------------------------------------------------------

def test_words_split_on_blanks_and_tabs_and_quotes_keep_blanks() -> None:
    notes = Notes()
    assert tokens("a\t'b c'  \"d'e\" f", 1, "lvs.cf", notes) == [("a", 1), ("b c", 3), ("d'e", 10), ("f", 16)]
    assert tokens("''", 1, "lvs.cf", notes) == [("", 1)]
    assert tokens("XX = Xa", 1, "lvs.cf", notes) == [("XX", 1), ("=", 4), ("Xa", 6)]
    # a quoted word ends at its quote: what follows it is the next word
    assert tokens("'ab'cd \"e\"", 1, "lvs.cf", notes) == [("ab", 1), ("cd", 5), ("e", 8)]
    assert notes.items == []


def test_an_unterminated_quote_is_unreadable_from_the_quote_to_the_end_of_the_line() -> None:
    notes = Notes()
    assert tokens('  send = "GET /', 4, "lvs.cf", notes) is None
    (found,) = notes.items
    assert (found.code, found.message) == ("LVS500", "unterminated quote")
    assert found.span == Span("lvs.cf", 4, 10, 4, 16)


def test_statements_blocks_and_their_spans() -> None:
    notes = Notes()
    text = ("# lvs.cf\n\nprimary = 192.0.2.2\r\n\tvirtual  \"web site\" {\n   address = 192.0.2.10 eth0:1\n"
            "   \n  # a comment\n  }\n")
    (primary, virtual) = read(text, "lvs.cf", notes)
    assert notes.items == []
    assert primary == Entry("primary", ("192.0.2.2",), Span("lvs.cf", 3, 1, 3, 20))
    assert virtual == Entry("virtual", ("web site",), Span("lvs.cf", 4, 2, 4, 23), body=(
        Entry("address", ("192.0.2.10", "eth0:1"), Span("lvs.cf", 5, 4, 5, 31)),))


@pytest.mark.parametrize("line", ["} x", "primary 192.0.2.2", "primary =", "virtual a b {", "virtual {"])
def test_a_line_of_no_lvs_cf_form_is_unreadable(line: str) -> None:
    config, found = import_piranha(f"service = lvs\n  {line}\n", "lvs.cf")
    assert config is None
    assert [(d.span, d.code, d.message) for d in found] == [
        (Span("lvs.cf", 2, 3, 2, 3 + len(line)), "LVS500", "expected `keyword = value` or `keyword name {`")]


def test_a_block_never_closed_and_a_brace_never_opened_are_unreadable() -> None:
    config, found = import_piranha("virtual web {\n active = 1\n", "lvs.cf")
    assert config is None
    assert [(d.span.line, d.code, d.message) for d in found] == [(1, "LVS500", "`virtual web` is never closed")]
    config, found = import_piranha("}\n", "lvs.cf")
    assert config is None and [(d.span.line, d.code) for d in found] == [(1, "LVS500")]


def test_an_unterminated_quote_stops_the_import_but_the_rest_is_still_read() -> None:
    config, found = import_piranha("primary = '192.0.2.2\n}\n", "lvs.cf")
    assert config is None
    assert [(d.span.line, d.message) for d in found] == [(1, "unterminated quote"), (2, "`}` without an open block")]


# ---- numbers, ports, addresses -------------------------------------------------------------------

@pytest.mark.parametrize("text,value", [("10", 10), ("0", 0), ("010", 8), ("0x1f", 31), ("0X10", 16),
                                        ("017", 15), ("08", None), ("ten", None), ("", None)])
def test_numbers_are_read_like_strtol_base_0(text: str, value: int | None) -> None:
    assert c_number(text) == value


def test_a_number_is_zero_or_more() -> None:
    values, notes = _values()
    assert values.number(_entry("keepalive", "0")) == 0
    assert values.number(_entry("keepalive", "-1")) is None
    assert values.number(_entry("keepalive", "six")) is None
    assert values.number(_entry("keepalive")) is None
    assert [d.message for d in notes.items] == ["`keepalive`: '-1' is not a number",
                                                "`keepalive`: 'six' is not a number", "`keepalive`: takes 1 value"]


def test_a_boolean_is_0_or_1() -> None:
    values, notes = _values()
    assert [values.boolean(_entry("active", v)) for v in ("0", "1", "2", "x")] == [False, True, None, None]
    assert [d.message for d in notes.items] == ["`active`: piranha booleans are 0 or 1", "`active`: 'x' is not a number"]


@pytest.mark.parametrize("name,port", [
    ("ftp", 21), ("ssh", 22), ("telnet", 23), ("smtp", 25), ("domain", 53), ("http", 80), ("www", 80),
    ("pop3", 110), ("imap", 143), ("ldap", 389), ("https", 443), ("submission", 587), ("ldaps", 636),
    ("imaps", 993), ("pop3s", 995), ("mysql", 3306), ("postgresql", 5432)])
def test_a_service_name_is_its_port_in_etc_services(name: str, port: int) -> None:
    values, notes = _values()
    assert values.port(_entry("port", name)) == port and notes.items == []


@pytest.mark.parametrize("text,port", [("0", 0), ("65535", 65535), ("0xffff", 65535), ("65536", None),
                                       ("-1", None), ("gopher", None)])
def test_a_port_is_0_to_65535(text: str, port: int | None) -> None:
    values, notes = _values()
    assert values.port(_entry("port", text)) == port
    assert [d.message for d in notes.items] == (
        [] if port is not None else [f"`port`: {text!r} is not a port number or a known service name"])


def test_an_address_is_ipv4_and_a_netmask_a_contiguous_mask() -> None:
    values, notes = _values()
    assert values.host(_entry("primary", "2001:db8::2")) is None
    assert values.host(_entry("primary", "192.0.2.2", "eth0")) is None
    assert values.netmask(_entry("nat_nmask", "255.255.255.0")) == IPv4Address("255.255.255.0")
    assert values.netmask(_entry("nat_nmask", "255.0.255.0")) is None
    assert values.netmask(_entry("nat_nmask", "mask")) is None
    assert [d.message for d in notes.items] == [
        "`primary`: '2001:db8::2' is not an IPv4 address (host names are not resolved on import)",
        "`primary`: takes 1 value",
        "`nat_nmask`: 255.0.255.0 is not a netmask",
        "`nat_nmask`: 'mask' is not an IPv4 address (host names are not resolved on import)"]


def test_a_nat_router_is_an_address_and_a_device() -> None:
    values, notes = _values()
    assert values.nat_router(_entry("nat_router", "198.51.100.1", "eth1")) == (IPv4Address("198.51.100.1"), "eth1")
    assert values.nat_router(_entry("nat_router", "198.51.100.1")) is None
    assert values.nat_router(_entry("nat_router", "router", "eth1")) is None
    assert [d.message for d in notes.items] == [
        "`nat_router`: takes 2 values",
        "`nat_router`: 'router' is not an IPv4 address (host names are not resolved on import)"]


def test_a_choice_names_its_choices() -> None:
    values, notes = _values()
    assert values.one_of(_entry("network", "direct"), ("nat", "direct")) == "direct"
    assert values.one_of(_entry("network", "bridge"), ("nat", "direct")) is None
    assert values.one_of(_entry("network"), ("nat", "direct")) is None
    assert [d.message for d in notes.items] == ["`network`: 'bridge' is not one of nat, direct",
                                                "`network`: takes 1 value"]
    assert [d.span for d in notes.items] == [Span("lvs.cf", 3, 2, 3, 9)] * 2


def test_a_prefix_comes_from_the_netmask_and_no_netmask_is_one_address() -> None:
    assert prefix(IPv4Address("255.255.255.0")) == 24
    assert prefix(None) == 32


# ---- nanny's strings -----------------------------------------------------------------------------

@pytest.mark.parametrize("text,meaning", [
    (r"GET / HTTP/1.0\r\n\r\n", "GET / HTTP/1.0\r\n\r\n"), (r"a\tb", "a\tb"), (r"a\\n", "a\\n"),
    (r"\'\"", "'\""), (r"\q", "\\q"), ("end\\", "end\\"), (r"\n\n", "\n\n"), ("", "")])
def test_nanny_escapes_and_everything_else_kept_as_written(text: str, meaning: str) -> None:
    assert unescape(text) == meaning
