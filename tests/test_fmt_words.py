"""The words `lvscc fmt` keeps and the ones its canonical form (what `import` prints) leaves
out: a check's timeout keeps its unit, a duration its spelling up to the longest number the
language reads; a server's port or method equal to its service's, a service's forwarding
equal to the cluster's and a single-address VIP's `/32` are defaults, kept only as written;
`servers` lists every pool a service uses whole, and an inhibited sorry server stays
inhibited. Each line is compared whole, so a word dropped or added shows."""

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


POOLS = """\
lvs shop {
  forwarding nat { gateway 198.51.100.1/24 dev eth1 }
  pool web { server web1 198.51.100.21 }
  pool api { server api1 198.51.100.31 }
  service front {
    vip 192.0.2.10/32 dev eth0
    tcp 80
    forwarding nat { gateway 198.51.100.1/24 dev eth1 }
    servers web, api
  }
  service back {
    vip 192.0.2.11 dev eth0
    tcp 80
    servers web
  }
}
"""


def test_a_service_restating_the_clusters_forwarding_keeps_it_only_as_written() -> None:
    def front(lines: list[str]) -> list[str]:
        start = lines.index("service front {")
        return lines[start + 3: lines.index("servers web, api") + 1]

    assert front(_lines(POOLS, kept=True)) == [
        "scheduler wlc", "forwarding nat {", "gateway 198.51.100.1/24 dev eth1", "}", "servers web, api"]
    assert front(_lines(POOLS, kept=False)) == ["scheduler wlc", "servers web, api"]


def test_a_single_address_vip_keeps_its_prefix_only_as_written() -> None:
    lines = _lines(POOLS, kept=True)
    assert "vip 192.0.2.10/32 dev eth0" in lines and "vip 192.0.2.11 dev eth0" in lines
    assert "vip 192.0.2.11/32 dev eth0" in _lines(POOLS, kept=False)


def test_an_inhibited_sorry_server_stays_inhibited() -> None:
    source = SHOP.replace("    server web1", "    sorry-server 198.51.100.99:8080 inhibit\n    server web1")
    for kept in (True, False):
        assert "sorry-server 198.51.100.99:8080 inhibit" in _lines(source, kept)


def test_a_persistence_of_the_default_length_stays_bare_or_spelled_out_as_written() -> None:
    spelled = SHOP.replace("00000000000000000005m", "6m")
    assert "persistence 6m" in _lines(spelled, kept=True)
    bare = SHOP.replace("persistence 00000000000000000005m", "persistence")
    assert "persistence" in _lines(bare, kept=True) and "persistence 360s" in _lines(bare, kept=False)
