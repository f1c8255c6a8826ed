"""Each forwarding statement `lvscc fmt` writes is the one the operator wrote, in the form
the grammar reads back (grammar/lvs.lark): a NAT gateway managed elsewhere stays `external`,
not an address and not dropped, so the rewritten file routes replies the same way."""

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
])  # fmt: skip
def test_a_nat_gateway_is_written_as_stated(statement: str) -> None:
    assert statement in _formatted(f"forwarding nat {{ {statement} }}")
