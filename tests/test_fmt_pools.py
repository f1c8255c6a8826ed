"""fmt keeps what a pool's servers say about themselves: a server's own forwarding method,
port, weight and thresholds, whether the pool is used whole (`servers NAME`) or not
(docs/testing.md, "Planted bugs")."""

from __future__ import annotations

import pytest

from lvscc.fmt import format_config
from lvscc.load import load_text
from lvscc.model.config import Method

from roundtrip.spans import without_spans

POOLED = """\
lvs lab {
  forwarding nat { gateway 198.51.100.1/24 dev eth1 }
  pool web {
    server web1 198.51.100.21 %s
    server web2 198.51.100.22
  }
  service http {
    vip 192.0.2.10/24 dev eth0:1
    tcp 80
    scheduler wlc
    servers web
  }
}
"""


def _load(text: str):
    config, found = load_text(text, "pool.lvs")
    assert config is not None, found
    return config


@pytest.mark.parametrize(
    "words",
    ["direct", "tunnel", "weight 3 direct", "port 8080", "weight 0", "upper 9", "lower 2 upper 9", "inactive"],
)
def test_a_pool_servers_own_settings_survive_fmt(words: str) -> None:
    config = _load(POOLED % words)
    text = format_config(config)
    again = _load(text)
    assert without_spans(again) == without_spans(config)
    assert format_config(again) == text


def test_a_pool_servers_method_is_written_in_the_pool() -> None:
    config = _load(POOLED % "direct")
    (server, _) = config.pools[0].servers
    assert server.method is Method.DIRECT
    assert "    server web1 198.51.100.21 direct\n" in format_config(config)
