"""Each forwarding statement `lvscc fmt` writes is the one the operator wrote, in the form
the grammar reads back (grammar/lvs.lark): a NAT gateway managed elsewhere stays `external`,
the networks a director masquerades stay listed, a real server's ARP handling and a tunnel's
type, port and checksum stay, so the rewritten file routes and answers the same way."""

from __future__ import annotations

import pytest

from lvscc.fmt import format_config
from lvscc.load import load_text

SERVICE = "service web { vip 192.0.2.10 tcp 80 server a 198.51.100.21 }"


def _formatted(forwarding: str) -> list[str]:
    source = f"lvs shop {{\n  {forwarding}\n  {SERVICE}\n}}\n"
    config, found = load_text(source, "shop.lvs")
    assert config is not None, found
    text = format_config(config)
    again, found = load_text(text, "shop.lvs")
    assert again is not None, (found, text)
    assert format_config(again) == text
    return [line.strip() for line in text.splitlines()]


@pytest.mark.parametrize("statement", [
    "gateway external",
    "gateway external dev eth1",
    "gateway 198.51.100.1/24",
    "masquerade 198.51.100.0/24",
    "masquerade 198.51.100.0/24, 203.0.113.0/24",
])  # fmt: skip
def test_a_nat_statement_is_written_as_stated(statement: str) -> None:
    assert statement in _formatted(f"forwarding nat {{ {statement} }}")


@pytest.mark.parametrize(("forwarding", "statement"), [
    ("direct", "arp arptables"),
    ("direct", "arp redirect"),
    ("tunnel", "type gue"),
    ("tunnel", "port 6080"),
    ("tunnel", "remcsum"),
])  # fmt: skip
def test_a_direct_or_tunnel_statement_is_written_as_stated(forwarding: str, statement: str) -> None:
    extra = " type gue" if statement in ("port 6080", "remcsum") else ""
    assert statement in _formatted(f"forwarding {forwarding} {{{extra} {statement} }}")


def test_a_forwarding_without_statements_is_one_line() -> None:
    lines = _formatted("forwarding tunnel")
    assert "forwarding tunnel" in lines and not any(line.startswith("forwarding tunnel {") for line in lines)


def test_an_explicit_default_tunnel_type_is_kept_from_the_source() -> None:
    source = f"lvs shop {{\n  forwarding tunnel {{ type ipip }}\n  {SERVICE}\n}}\n"
    config, found = load_text(source, "shop.lvs")
    assert config is not None, found
    assert "type ipip" in [line.strip() for line in format_config(config, source).splitlines()]
    assert "type ipip" not in format_config(config)
