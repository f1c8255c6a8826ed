"""`lvscc watch` against real file events in a temp directory: edits in place, editor-style
saves by rename, an include deleted and recreated, a syntax error and its fix; the last good
artifacts stay in place through every error and the process lives on."""

from __future__ import annotations

import os
import pty
import select
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from .conftest import POOLS
from .process import REPO, Watch

BROKEN = "lvs lab {\n  service web {\n"


def save_by_rename(path: Path, text: str) -> None:
    """What vim (backupcopy=no), VS Code and most editors do: write a temp file, rename it over."""
    temporary = path.with_name(f".{path.name}.swp")
    temporary.write_text(text)
    os.replace(temporary, path)


def manifest(lab: Path) -> bytes:
    return (lab / "out" / "manifest.json").read_bytes()


def test_edits_saves_errors_and_fixes_each_give_one_event(lab: Path, watch: Callable[..., Watch]) -> None:
    process = watch("lab.lvs", "-o", "out", "--metrics-file", "lvscc.prom")
    first = process.next_event()
    assert (first["event"], first["trigger"], first["files"]) == ("compiled", ["start"], ["lab.lvs", "pools.lvs"])
    assert (lab / "out" / "primary" / "ipvsadm.rules").is_file()

    (lab / "pools.lvs").write_text(POOLS.replace("weight 1", "weight 5"))  # in place: one IN_CLOSE_WRITE
    edited = process.next_event()
    assert (edited["event"], edited["trigger"]) == ("compiled", [f"file:{lab / 'pools.lvs'}"])
    assert "-w 5" in (lab / "out" / "primary" / "ipvsadm.rules").read_text()

    original = (lab / "lab.lvs").read_text()
    save_by_rename(lab / "lab.lvs", original.replace("scheduler wlc", "scheduler rr"))
    renamed = process.next_event()
    assert (renamed["event"], renamed["trigger"]) == ("compiled", [f"file:{lab / 'lab.lvs'}"])
    good = manifest(lab)

    save_by_rename(lab / "lab.lvs", BROKEN)
    broken = process.next_event()
    assert broken["event"] == "compile_error"
    assert broken["last_good"] == renamed["time"]
    assert [d["file"] for d in broken["diagnostics"] if d["severity"] == "error"] == ["lab.lvs"]
    assert manifest(lab) == good, "a failed compile must leave the last good artifacts"
    assert process.alive

    save_by_rename(lab / "lab.lvs", original)
    fixed = process.next_event()
    assert fixed["event"] == "compiled"
    assert "-s wlc" in (lab / "out" / "primary" / "ipvsadm.rules").read_text()

    metrics = (lab / "lvscc.prom").read_text()
    assert 'lvscc_compile_errors_total{config="lab.lvs"} 1.0' in metrics
    assert 'lvscc_compile_ok{config="lab.lvs"} 1.0' in metrics
    assert process.stop() == 0


def test_an_include_deleted_and_recreated(lab: Path, watch: Callable[..., Watch]) -> None:
    process = watch("lab.lvs")
    assert process.next_event()["event"] == "compiled"
    (lab / "pools.lvs").unlink()
    gone = process.next_event()
    assert gone["event"] == "compile_error"
    assert any("pools.lvs" in d["message"] for d in gone["diagnostics"])
    (lab / "pools.lvs").write_text(POOLS)
    assert process.next_event()["event"] == "compiled"
    assert process.stop() == 0


def test_other_files_in_the_directory_are_ignored(lab: Path, watch: Callable[..., Watch]) -> None:
    process = watch("lab.lvs")
    assert process.next_event()["event"] == "compiled"
    save_by_rename(lab / "notes.txt", "not part of the config\n")
    (lab / "scratch.lvs").write_text(POOLS)
    assert process.events_within(1.0) == []
    assert process.stop() == 0


def test_a_burst_of_saves_is_one_compile(lab: Path, watch: Callable[..., Watch]) -> None:
    process = watch("lab.lvs")
    assert process.next_event()["event"] == "compiled"
    for weight in range(2, 7):
        (lab / "pools.lvs").write_text(POOLS.replace("weight 1", f"weight {weight}"))
    events = process.events_within(1.5)
    assert [e["event"] for e in events] == ["compiled"]
    assert process.stop() == 0


def test_idle_watch_sleeps_and_sigint_stops_it(lab: Path, watch: Callable[..., Watch]) -> None:
    process = watch("lab.lvs", "--interval", "100ms")  # no --audit: the interval sets no timer
    assert process.next_event()["event"] == "compiled"
    before = process.cpu_seconds()
    time.sleep(2.0)
    assert process.cpu_seconds() - before <= 0.02, "an idle watch must sleep in select(), not spin"
    assert process.stop(signal.SIGINT) == 0


def test_an_unreadable_config_directory_is_reported_and_survived(tmp_path: Path, watch: Callable[..., Watch]) -> None:
    process = watch(str(tmp_path / "missing" / "lab.lvs"))
    events = [process.next_event(), process.next_event()]
    assert {e["event"] for e in events} == {"compile_error", "source_error"}
    assert process.alive
    assert process.stop() == 0


def test_the_live_view_on_a_terminal(lab: Path) -> None:
    """--format live draws on a terminal (a pseudo-terminal here) and still stops cleanly."""
    leader, follower = pty.openpty()
    process = subprocess.Popen([sys.executable, "-m", "lvscc", "watch", "lab.lvs"], cwd=lab, stdin=follower,
                               stdout=follower, stderr=follower, env={**os.environ, "PYTHONPATH": str(REPO), "COLUMNS": "120"})
    os.close(follower)
    shown = b""
    try:
        deadline = time.monotonic() + 15
        while b"6 files for 2 hosts" not in shown and time.monotonic() < deadline:
            if select.select([leader], [], [], 0.5)[0]:
                shown += os.read(leader, 65536)
        assert b"compiled" in shown and b"6 files for 2 hosts" in shown, shown.decode(errors="replace")
        process.send_signal(signal.SIGTERM)
        assert process.wait(10) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(10)
        os.close(leader)
