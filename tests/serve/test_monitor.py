"""`lvscc serve` on a live host audits once per watch cycle: the page is built from the cycle's
own compile and audit. The host is read from a dump directory in place of `collect` (this
machine's kernel has no IPVS), so the test can change it between cycles; everything else is
the real watch loop, auditor and snapshot."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import lvscc.pipeline
import lvscc.probes.live
import lvscc.watch.steps
from lvscc.probes import read_dumps
from lvscc.serve.monitor import Monitor
from lvscc.serve.view import Snapshot, Target
from lvscc.watch.loop import POLL, START


@pytest.fixture
def audits(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """One entry per audit, wherever it is started from."""
    counted: list[str] = []
    real = lvscc.pipeline.audit_host

    def audit_host(*args: object, **kwargs: object) -> lvscc.pipeline.Audited:
        counted.append("audit")
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(lvscc.pipeline, "audit_host", audit_host)
    monkeypatch.setattr(lvscc.watch.steps, "audit_host", audit_host)
    return counted


@pytest.fixture
def live(lab: Path, audits: list[str], monkeypatch: pytest.MonkeyPatch) -> Iterator[Monitor]:
    monkeypatch.setattr(lvscc.probes.live, "collect", lambda: (read_dumps(lab / "dump"), []))
    monitor = Monitor(Target(lab / "guide-nat.lvs"))
    yield monitor
    monitor.watcher.close()


def _published(monitor: Monitor) -> list[Snapshot]:
    found: list[Snapshot] = []
    monitor.listen(lambda version, snapshot: found.append(snapshot))
    return found


def test_one_audit_per_live_event(live: Monitor, audits: list[str], lab: Path) -> None:
    assert len(audits) == 1  # the snapshot the first page shows
    published = _published(live)
    live.watcher.cycle((START,))
    assert len(audits) == 2 and len(published) == 1
    assert published[-1].audited is not None and published[-1].audited.report.in_sync

    rules = lab / "dump" / "ipvsadm.rules"
    rules.write_text("".join(line for line in rules.read_text().splitlines(keepends=True)
                             if not line.startswith("-a ")))  # every real server gone
    live.watcher.cycle(("addresses",))  # a netlink notification
    assert len(audits) == 3 and len(published) == 2
    snapshot = published[-1]
    assert snapshot.audited is not None and not snapshot.audited.report.in_sync
    assert snapshot.audited is live.watcher.state.audited.audited  # the cycle's own audit, shown


def test_a_poll_without_news_refreshes_the_counters_only(live: Monitor, audits: list[str]) -> None:
    live.watcher.cycle((START,))
    published, before = _published(live), len(audits)
    live.watcher.cycle((POLL,))
    assert len(audits) - before == 2  # the watch's own: IPVS alone first, then the whole host
    assert len(published) == 1 and published[0].stats_time is not None
