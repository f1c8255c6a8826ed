"""`lvscc watch --audit` inside a throwaway network namespace: a real nft change and a real
address change each become a drift event without waiting for the poll (netlink), and a change nothing
announces (a sysctl, like IPVS) is found by the poll timer."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from .conftest import in_netns
from .process import REPO, Watch

pytestmark = pytest.mark.netns

# Every wait for an event: long enough for a loaded machine, far shorter than the 60 s poll.
WELL_BEFORE_THE_POLL = 30.0
MARK_RULE = ("missing", "mark rule fwmark 80 tcp to 192.0.2.10/32 ports 80,443")


def drifts(event: dict[str, object]) -> set[tuple[str, str]]:
    return {(d["kind"], d["object"]) for d in event["drifts"]}  # type: ignore[union-attr]


def load_marks(lab: Path, netns: str) -> None:
    """The config's own nftables rules, so that the netfilter section starts in sync."""
    subprocess.run([sys.executable, "-m", "lvscc", "compile", "lab.lvs", "-o", "nft", "--backend", "nftables"],
                   cwd=lab, check=True, capture_output=True, timeout=60, env={**os.environ, "PYTHONPATH": str(REPO)})
    in_netns(netns, "nft", "-f", str(lab / "nft" / "primary" / "lvscc.nft"))


def started(watch: Callable[..., Watch], netns: str, *argv: str) -> tuple[Watch, dict[str, object]]:
    process = watch("lab.lvs", "--audit", *argv, prefix=("ip", "netns", "exec", netns))
    assert process.next_event()["event"] == "compiled"
    first = process.next_event()
    assert first["event"] in ("drift", "in_sync") and first["trigger"] == ["start"]
    return process, first


def test_an_nft_change_is_a_drift_event_before_the_poll(lab: Path, netns: str, watch: Callable[..., Watch]) -> None:
    load_marks(lab, netns)
    process, first = started(watch, netns, "--interval", "60s")
    assert MARK_RULE not in drifts(first), "the loaded rules must audit clean"

    in_netns(netns, "nft", "delete", "table", "inet", "lvscc")
    # The poll is a minute away: an event sooner, triggered by nftables, came from the kernel's
    # notification (how soon is a benchmark's question, not a test's on a loaded machine).
    event = process.next_event(timeout=WELL_BEFORE_THE_POLL)
    assert (event["event"], event["trigger"]) == ("drift", ["nftables"])
    assert MARK_RULE in drifts(event)
    assert process.stop() == 0


def test_a_vip_added_elsewhere_is_a_drift_event_before_the_poll(lab: Path, netns: str, watch: Callable[..., Watch]) -> None:
    process, first = started(watch, netns, "--interval", "60s")
    extra = ("extra", "address 192.0.2.10/32 dev lo")
    assert extra not in drifts(first)

    in_netns(netns, "ip", "addr", "add", "192.0.2.10/32", "dev", "lo")
    event = process.next_event(timeout=WELL_BEFORE_THE_POLL)
    assert (event["event"], event["trigger"]) == ("drift", ["addresses"])
    assert extra in drifts(event)
    assert process.stop() == 0


def test_what_sends_no_notification_is_found_by_the_poll_timer(lab: Path, netns: str, watch: Callable[..., Watch]) -> None:
    in_netns(netns, "sysctl", "-qw", "net.ipv4.ip_forward=0")
    process, first = started(watch, netns, "--interval", "300ms")
    forwarding = ("changed", "sysctl net.ipv4.ip_forward")
    assert forwarding in drifts(first)
    assert process.events_within(1.0) == [], "an unchanged host must not repeat its audit event"

    in_netns(netns, "sysctl", "-qw", "net.ipv4.ip_forward=1")
    event = process.next_event(timeout=WELL_BEFORE_THE_POLL)
    assert event["trigger"] == ["poll"]
    assert forwarding not in drifts(event)
    assert process.stop() == 0
