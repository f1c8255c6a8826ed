"""Strict by need (docs/language.md): `external` says an address is managed elsewhere; the
language accepts it, and only a backend that needs the fact asks for it, naming itself."""

from __future__ import annotations

from lvscc.fmt import format_config
from lvscc.load import load_text
from lvscc.render import registry
from lvscc.rules import check

TEXT = """lvs outside {
  director primary { public external dev eth0 }
  forwarding nat { gateway external }
  service web {
    vip 192.0.2.10/24 dev eth0
    tcp 80
    server web1 198.51.100.21
  }
}
"""


def _needs(text: str, backend: str) -> list[str]:
    config, found = load_text(text, "outside.lvs")
    assert config is not None and not found
    return [d.code for d in registry()[backend].unsupported(config) if d.severity.value == "error"]


def test_external_addresses_read_back_and_check_clean() -> None:
    config, found = load_text(TEXT, "outside.lvs")
    assert config is not None and not found
    assert config.directors[0].public is None and config.directors[0].public_dev == "eth0"
    assert config.forwarding.gateway is None and config.forwarding.gateway_external
    assert [d.code for d in check(config) if d.severity.value == "error"] == []
    text = format_config(config)
    assert "public external dev eth0" in text and "gateway external" in text
    assert format_config(load_text(text, "again.lvs")[0]) == text


def test_only_the_backend_that_needs_a_fact_asks_for_it() -> None:
    assert _needs(TEXT, "ipvsadm") == [] and _needs(TEXT, "rs-kit") == []
    assert _needs(TEXT, "piranha").count("LVS164") == 1
    unknown = TEXT.replace("  forwarding nat { gateway external }\n", "  forwarding nat\n")
    assert _needs(unknown, "ipvsadm") == [] and _needs(unknown, "rs-kit") == ["LVS115"]
    config, _ = load_text(unknown, "outside.lvs")
    message = next(d.message for d in registry()["rs-kit"].unsupported(config) if d.code == "LVS115")
    assert "backend rs-kit" in message
