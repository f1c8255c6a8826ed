"""`lvscc watch --audit` against a real IPVS table. IPVS announces no change over netlink, so
the watch polls it: an `ipvsadm -e` must become a drift event within one poll interval plus a
second (the poll compares the IPVS table on its own first, read in-process over netlink)."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest

from watch.process import Watch

from .ipvs import compile_director_rules, restore
from .lab import in_netns

pytestmark = pytest.mark.kernel

CONFIG = """\
lvs lab {
  director primary { public 192.0.2.1 dev eth0  private 198.51.100.1 dev eth1 }
  forwarding nat { gateway 198.51.100.254/24 dev eth1 }
  audit { weight managed }
  pool web {
    server web1 198.51.100.11 weight 1
    server web2 198.51.100.12 weight 2
  }
  service web {
    vip 192.0.2.10 dev eth0:1
    tcp 80
    scheduler wlc
    servers web
  }
}
"""
INTERVAL = 2.0
STARTUP = 240.0  # a Python start, the compile and the first full audit, under TCG
# SIGTERM is honoured between cycles: a cycle under way (a full audit, several save tools) ends
# first, and in a contended TCG guest one took over 10 s.
STOP = 120.0
WEIGHT = ("changed", "dest 198.51.100.11:80 of tcp 192.0.2.10:80", "weight")


def ipvs_drifts(event: dict[str, object]) -> list[tuple[object, object, object]]:
    drifts = event.get("drifts", [])
    return [(d["kind"], d["object"], d["field"]) for d in drifts if d["section"] == "ipvs"]  # type: ignore[union-attr, index]


def next_matching(process: Watch, wanted: Callable[[dict[str, object]], bool], timeout: float) -> dict[str, object]:
    """The first event that `wanted` accepts within `timeout`; others (another section's drift
    settling) are skipped."""
    deadline = time.monotonic() + timeout
    while True:
        event = process.next_event(max(0.0, deadline - time.monotonic()))
        if wanted(event):
            return event


def test_an_ipvsadm_edit_is_a_drift_event_within_one_interval(ipvs_netns: str, tmp_path: Path) -> None:
    source = tmp_path / "lab.lvs"
    source.write_text(CONFIG)
    restore(ipvs_netns, compile_director_rules(source, tmp_path / "out")["primary"])
    process = Watch([str(source), "--audit", "--interval", f"{INTERVAL}s"], tmp_path,
                    prefix=("ip", "netns", "exec", ipvs_netns))
    try:
        assert process.next_event(STARTUP)["event"] == "compiled"
        first = process.next_event(STARTUP)
        assert first["trigger"] == ["start"] and "ipvs" in first["audited"]  # type: ignore[operator]
        assert ipvs_drifts(first) == [], "the loaded table must audit clean"

        in_netns(ipvs_netns, "ipvsadm", "-e", "-t", "192.0.2.10:80", "-r", "198.51.100.11:80", "-m", "-w", "7")
        changed = time.monotonic()
        event = next_matching(process, lambda e: bool(ipvs_drifts(e)), INTERVAL + 1.0)
        elapsed = time.monotonic() - changed
        assert (event["event"], event["trigger"]) == ("drift", ["poll"])
        assert ipvs_drifts(event) == [WEIGHT]
        assert elapsed <= INTERVAL + 1.0, f"drift event {elapsed:.2f}s after ipvsadm -e"
        assert process.stop(timeout=STOP) == 0
    finally:
        process.kill()
