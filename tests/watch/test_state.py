"""The pure half of `lvscc watch`: state → event, state → metrics, event bursts, which file
events matter, and the one-line rendering of events."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from lvscc.drift import Drift
from lvscc.commands.watch import interval
from lvscc.diagnostics import error, warning
from lvscc.drift_report import Report
from lvscc.model.span import Span
from lvscc.watch.inotify import IN_CLOSE_WRITE, IN_IGNORED, IN_MOVED_TO, IN_Q_OVERFLOW, FileEvent
from lvscc.watch.loop import LONGEST, QUIET, Pending, causes_compile, file_reasons, watched_paths
from lvscc.watch.state import (
    AuditOutcome,
    CompileOutcome,
    WatchState,
    after_audit,
    after_compile,
    audit_event,
    compile_event,
    metrics,
)
from lvscc.watch.view import event_line, render

T0 = 1_800_000_000.25
GOOD = CompileOutcome(T0, (warning("LVS111", "not persistent"),), "lab", ("lab.lvs", "pools.lvs"), ("primary",), 4, "out")
BROKEN = CompileOutcome(T0 + 60, (error("LVS001", "unexpected end of input", Span("lab.lvs", 3, 1, 3, 2)),))
MISSING = Drift("missing", "ipvs service fwmark 80")
FOREIGN = Drift("foreign", "ipvs service tcp 203.0.113.5:80")


def report(*drifts: Drift, host: str = "primary") -> Report:
    return Report(host, "live", drifts, frozenset({"ipvs"}))


def test_a_failed_compile_keeps_the_last_good_one_and_counts() -> None:
    state = after_compile(after_compile(WatchState("lab.lvs"), GOOD), BROKEN)
    assert (state.compiled, state.last_good, state.compile_errors) == (BROKEN, GOOD, 1)
    event = compile_event(state, ("file:/etc/lvscc/lab.lvs",))
    assert event["event"] == "compile_error"
    assert event["time"] == "2027-01-15T08:01:00.250Z"
    assert event["last_good"] == "2027-01-15T08:00:00.250Z"
    assert event["errors"] == 1
    assert [(d["code"], d["file"], d["line"]) for d in event["diagnostics"]] == [("LVS001", "lab.lvs", 3)]


def test_compiled_event_names_files_hosts_and_output() -> None:
    event = compile_event(after_compile(WatchState("lab.lvs"), GOOD), ("start",))
    assert list(event)[:4] == ["time", "event", "config", "trigger"]
    assert (event["event"], event["files"], event["hosts"], event["artifacts"], event["output"]) == (
        "compiled", ["lab.lvs", "pools.lvs"], ["primary"], 4, "out")
    assert [d["code"] for d in event["diagnostics"]] == ["LVS111"]


def test_a_write_failure_is_a_compile_error() -> None:
    failed = CompileOutcome(T0, (), files=("lab.lvs",), failure="cannot write out: read-only file system")
    state = after_compile(WatchState("lab.lvs"), failed)
    event = compile_event(state, ("start",))
    assert (event["event"], event["errors"], event["failure"], event["last_good"]) == (
        "compile_error", 1, "cannot write out: read-only file system", None)


def test_audit_events_only_when_the_result_changes() -> None:
    start = after_compile(WatchState("lab.lvs"), GOOD)
    first = after_audit(start, AuditOutcome(T0, report(MISSING, FOREIGN)))
    event = audit_event(start, first, ("start",))
    assert event is not None
    assert (event["event"], event["host"], event["in_sync"]) == ("drift", "primary", False)
    assert event["counts"]["missing"] == 1 and event["counts"]["foreign"] == 1
    assert [d["object"] for d in event["drifts"]] == ["ipvs service fwmark 80", "ipvs service tcp 203.0.113.5:80"]

    same = after_audit(first, AuditOutcome(T0 + 5, report(MISSING, FOREIGN)))
    assert audit_event(first, same, ("poll",)) is None

    repaired = after_audit(same, AuditOutcome(T0 + 10, report(FOREIGN)))
    event = audit_event(same, repaired, ("poll",))
    assert event is not None and event["event"] == "in_sync" and event["trigger"] == ["poll"]

    failed = after_audit(repaired, AuditOutcome(T0 + 15, failure="cannot read the host: nft: permission denied"))
    event = audit_event(repaired, failed, ("nftables",))
    assert event is not None and (event["event"], event["message"]) == ("audit_error", "cannot read the host: nft: permission denied")
    assert failed.audit_errors == 1


def test_metrics_textfile() -> None:
    state = after_audit(after_compile(after_compile(WatchState("lab.lvs"), GOOD), BROKEN),
                        AuditOutcome(T0 + 61, report(MISSING, MISSING, FOREIGN)))
    text = metrics(state)
    assert text.endswith("\n")
    samples = dict(line.rsplit(" ", 1) for line in text.splitlines() if not line.startswith("#"))
    assert samples['lvscc_compile_ok{config="lab.lvs"}'] == "0.0"
    assert samples['lvscc_compile_errors_total{config="lab.lvs"}'] == "1.0"
    assert samples['lvscc_last_good_compile_timestamp_seconds{config="lab.lvs"}'] == repr(T0)
    assert samples['lvscc_last_audit_timestamp_seconds{config="lab.lvs",host="primary"}'] == repr(T0 + 61)
    assert samples['lvscc_drift_objects{config="lab.lvs",host="primary",kind="missing"}'] == "2.0"
    assert samples['lvscc_drift_objects{config="lab.lvs",host="primary",kind="foreign"}'] == "1.0"
    assert samples['lvscc_in_sync{config="lab.lvs",host="primary"}'] == "0.0"
    assert "# TYPE lvscc_compile_errors_total counter" in text


def test_metrics_labels_are_escaped() -> None:
    state = after_audit(WatchState('/etc/lvs\\"x\n.lvs'), AuditOutcome(T0, report(host="p")))
    line = next(l for l in metrics(state).splitlines() if l.startswith("lvscc_in_sync"))
    assert line == 'lvscc_in_sync{config="/etc/lvs\\\\\\"x\\n.lvs",host="p"} 1.0'


def test_a_burst_is_acted_on_once_it_goes_quiet_or_grows_too_long() -> None:
    pending = Pending().add(["file:/a"], 10.0)
    assert pending.due() == 10.0 + QUIET
    pending = pending.add(["file:/a", "nftables"], 10.05)
    assert pending.reasons == ("file:/a", "nftables")
    assert pending.due() == 10.05 + QUIET
    for step in range(1, 20):  # events that never stop
        pending = pending.add(["nftables"], 10.0 + step * QUIET / 2)
    assert pending.due() == 10.0 + LONGEST
    assert Pending().add([], 3.0).due() is None


def test_only_the_config_files_matter(tmp_path: Path) -> None:
    files = watched_paths([tmp_path / "lab.lvs"])
    events = [
        FileEvent(1, tmp_path, "lab.lvs", IN_MOVED_TO),
        FileEvent(1, tmp_path, ".lab.lvs.swp", IN_CLOSE_WRITE),
        FileEvent(1, tmp_path, "", IN_IGNORED),
        FileEvent(2, tmp_path / "elsewhere", "", IN_IGNORED),
        FileEvent(-1, None, "", IN_Q_OVERFLOW),
    ]
    assert file_reasons(events, files) == [f"file:{tmp_path / 'lab.lvs'}", f"directory:{tmp_path}", "file-events-lost"]
    assert causes_compile(["poll", "file:/x"]) and causes_compile(["start"])
    assert not causes_compile(["poll", "nftables", "addresses"])


def test_a_symlinked_config_is_watched_on_both_sides(tmp_path: Path) -> None:
    (tmp_path / "repo").mkdir()
    (tmp_path / "repo" / "lab.lvs").write_text("")
    (tmp_path / "lab.lvs").symlink_to(tmp_path / "repo" / "lab.lvs")
    assert watched_paths([tmp_path / "lab.lvs"]) == {tmp_path / "lab.lvs", tmp_path / "repo" / "lab.lvs"}


@pytest.mark.parametrize(("text", "seconds"), [("5s", 5.0), ("500ms", 0.5), ("2m", 120.0), ("3", 3.0), ("1.5s", 1.5)])
def test_interval(text: str, seconds: float) -> None:
    assert interval(text) == seconds


@pytest.mark.parametrize("text", ["0s", "-1s", "5x", "", "s"])
def test_interval_rejects(text: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError):
        interval(text)


def test_event_lines_and_live_view_say_what_happened() -> None:
    good = after_compile(WatchState("lab.lvs"), GOOD)
    broken = after_compile(good, BROKEN)
    audited = after_audit(broken, AuditOutcome(T0 + 61, report(MISSING)))
    assert event_line(compile_event(good, ("start",))) == "2027-01-15T08:00:00.250Z compiled lab: 4 files for 1 hosts written to out"
    assert event_line(compile_event(broken, ("start",))) == (
        "2027-01-15T08:01:00.250Z compile_error lab.lvs:3: unexpected end of input; "
        "kept the artifacts of 2027-01-15T08:00:00.250Z")
    drift = audit_event(broken, audited, ("poll",))
    assert drift is not None
    assert event_line(drift).startswith("2027-01-15T08:01:01.250Z drift primary: 1 missing, 0 extra")

    from rich.console import Console

    console = Console(width=120, record=True, force_terminal=False)
    console.print(render(audited, [drift]))
    shown = console.export_text()
    assert "LVS001 lab.lvs:3: unexpected end of input" in shown
    assert "drift  primary  1 missing" in shown
