"""The words `lvscc fmt` keeps and the ones its canonical form (what `import` prints) leaves
out: a check's timeout keeps its unit, a server's port or method equal to its service's is
the default (left out unless written), a duration keeps its spelling up to the longest one
the language reads. Each line is compared whole, so a word dropped or added shows."""

from __future__ import annotations

from lvscc.fmt import format_config
from lvscc.load import load_text

SHOP = """\
lvs shop {
  forwarding nat { gateway 198.51.100.1/24 dev eth1 }
  service web {
    vip 192.0.2.10/24 dev eth0
    tcp 80
    persistence 00000000000000000005m
    check { timeout 1m  reentry 2m }
    server web1 198.51.100.21 port 80 nat
    server web2 198.51.100.22 port 8080
  }
}
"""


def _lines(source: str, kept: bool) -> list[str]:
    config, found = load_text(source, "shop.lvs")
    assert config is not None, found
    return [line.strip() for line in format_config(config, source if kept else None).splitlines()]


def test_a_check_timeout_keeps_its_unit() -> None:
    lines = _lines(SHOP, kept=True)
    assert "timeout 1m" in lines and "reentry 2m" in lines
    canonical = _lines(SHOP, kept=False)
    assert "timeout 60s" in canonical and "reentry 120s" in canonical


def test_a_server_port_or_method_equal_to_the_services_is_kept_only_as_written() -> None:
    assert "server web1 198.51.100.21 port 80 nat" in _lines(SHOP, kept=True)
    canonical = _lines(SHOP, kept=False)
    assert "server web1 198.51.100.21" in canonical
    assert "server web2 198.51.100.22 port 8080" in canonical


def test_a_duration_of_twenty_digits_keeps_its_spelling() -> None:
    """Twenty digits is the longest number the language reads (lvscc/builder/values.py)."""
    assert "persistence 00000000000000000005m" in _lines(SHOP, kept=True)
    assert "persistence 300s" in _lines(SHOP, kept=False)
