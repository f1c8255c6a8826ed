"""`lvscc fmt` never changes what a config means: every statement the language has, written
out canonically (what `import` prints) or in the operator's own words (what `fmt` rewrites),
loads back to the same cluster — no dropped server, weight, threshold, method, check or
option — and formatting the result again changes nothing."""

from __future__ import annotations

from dataclasses import fields, is_dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from roundtrip.spans import without_spans

from lvscc.fmt import format_config
from lvscc.load import load_text
from lvscc.model.config import Config

REPO = Path(__file__).resolve().parents[1]

EVERYTHING = """lvs everything {
  director primary { public 192.0.2.2 dev eth0  private 198.51.100.2 dev eth1 }
  director backup { public 192.0.2.3 dev eth0  private external dev eth1 }
  heartbeat { port 540  interval 3s  dead-after 12s  monitor-links }
  sync-daemon { interface eth1  id 7 }
  forwarding nat { gateway 198.51.100.1/24 dev eth1  masquerade 198.51.100.0/24 }
  timeouts { tcp 15m  tcpfin 2m  udp 1h }
  ipvs { conntrack 1  expire_nodest_conn 1 }
  audit { weight managed  own 192.0.2.0/24, 198.51.100.0/24  fwmarks 100-199  nft-table lvsmain }
  pool web { server web 198.51.100.21-22 weight 2 upper 100 lower 10  server spare 198.51.100.29 inactive }
  service front {
    vip 192.0.2.10/24 dev eth0:1
    tcp 80
    scheduler sh sh-port sh-fallback
    persistence 30m netmask 255.255.255.0
    check { send "GET / HTTP/1.0\\r\\n\\r\\n"  expect "HTTP/1\\\\.[01] 200"  regex  timeout 6s  reentry 15s  load-monitor rup  port 8080 }
    quiesce
    sorry-server 198.51.100.99:8080
    servers web
  }
  service sip {
    vip 192.0.2.11
    udp 5060
    scheduler rr
    persistence prefix 24
    persistence-engine sip
    one-packet
    forwarding direct { arp arptables }
    check { send-program "/usr/local/bin/probe %h"  timeout 1m }
    server sip1 198.51.100.31 port 5061 weight 0 direct
    server sip2 198.51.100.32 weight 4 upper 50 tunnel
  }
  service marked {
    vip 192.0.2.12
    fwmark 120 { tcp 80, 443  udp 8000-8010 }
    scheduler wlc
    persistence
    forwarding tunnel { type gue  port 6080  remcsum }
    disabled
    server m1 198.51.100.41 lower 5 nat
  }
  service outside {
    fwmark 150 external
    scheduler mh mh-port
    forwarding direct
    server o1 198.51.100.51
  }
  service files {
    vip 192.0.2.13
    ftp passive 30000-30100
    scheduler wlc
    server f1 198.51.100.61
  }
}
"""

SAMPLES = sorted((REPO / "samples").glob("*.lvs"))


def _meaning(config: Config) -> Config:
    """What a Config says: no trace of where each part was read, and a server's method that
    is its service's own is the same as none."""
    plain = _unplaced(config)
    services = tuple(replace(s, servers=tuple(replace(r, method=None) if r.method is s.forwarding.method else r
                                              for r in s.servers)) for s in plain.services)
    return replace(plain, services=services)


def _unplaced(value: Any) -> Any:
    """`value` without spans and the options' span maps."""
    value = without_spans(value)
    if isinstance(value, tuple):
        return tuple(_unplaced(v) for v in value)
    if is_dataclass(value) and not isinstance(value, type):
        changes = {f.name: _unplaced(getattr(value, f.name)) for f in fields(value) if f.init and f.name != "spans"}
        return replace(value, **changes, **({"spans": {}} if "spans" in {f.name for f in fields(value)} else {}))
    return value


def _load(text: str, name: str = "shop.lvs") -> Config:
    config, found = load_text(text, name)
    assert config is not None, (found, text)
    return config


def _cases() -> list[tuple[str, str]]:
    return [("everything.lvs", EVERYTHING)] + [(p.name, p.read_text()) for p in SAMPLES]


@pytest.mark.parametrize(("name", "source"), _cases(), ids=[name for name, _ in _cases()])
@pytest.mark.parametrize("kept", [False, True], ids=["canonical", "as-written"])
def test_fmt_keeps_the_meaning(name: str, source: str, kept: bool) -> None:
    config = _load(source, name)
    text = format_config(config, source if kept else None)
    again = _load(text, name)
    assert _meaning(again) == _meaning(config), text
    assert format_config(again, text if kept else None) == text


def test_everything_is_written_out() -> None:
    """The kitchen-sink config reaches every statement fmt writes: none is a default left out."""
    text = format_config(_load(EVERYTHING, "everything.lvs"))
    for statement in ("monitor-links", "masquerade", "ipvs {", "nft-table lvsmain", "fwmarks 100-199", "inactive",
                      "regex", "load-monitor rup", "port 8080", "quiesce", "sorry-server 198.51.100.99:8080",
                      "persistence-engine sip", "one-packet", "arp arptables", "send-program", "remcsum",
                      "disabled", "fwmark 150 external", "ftp passive 30000-30100", "upper 100", "lower 5",
                      "prefix 24", "netmask 255.255.255.0", "private external dev eth1", "id 7"):
        assert statement in text, statement
