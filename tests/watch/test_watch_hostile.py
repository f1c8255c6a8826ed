"""`lvscc watch` as a daemon facing hostile files and signals: a config replaced by a FIFO or a
link to /dev/zero is an error event (no hang, no crash), SIGTERM always stops it, SIGHUP makes
it recompile, and an interval too long to poll is a usage error."""

from __future__ import annotations

import os
import signal
from collections.abc import Callable
from pathlib import Path

import pytest

from lvscc.cli import build_parser

from .process import Watch


def _replace_with(path: Path, make: Callable[[Path], None]) -> None:
    temporary = path.with_name(f".{path.name}.new")
    make(temporary)
    os.replace(temporary, path)


@pytest.mark.parametrize("make", [os.mkfifo, lambda p: p.symlink_to("/dev/zero")], ids=["fifo", "dev-zero"])
def test_a_config_replaced_by_a_special_file_is_an_error_event(lab: Path, watch: Callable[..., Watch],
                                                                make: Callable[[Path], None]) -> None:
    process = watch("lab.lvs")
    assert process.next_event()["event"] == "compiled"
    _replace_with(lab / "lab.lvs", make)
    failed = process.next_event()
    assert failed["event"] == "compile_error"
    assert any("not a regular file" in d["message"] for d in failed["diagnostics"])
    assert process.alive
    assert process.stop(signal.SIGTERM, timeout=5) == 0


def test_sighup_recompiles_and_the_watch_lives_on(lab: Path, watch: Callable[..., Watch]) -> None:
    process = watch("lab.lvs")
    assert process.next_event()["event"] == "compiled"
    process.process.send_signal(signal.SIGHUP)
    reloaded = process.next_event()
    assert (reloaded["event"], reloaded["trigger"]) == ("compiled", ["reload"])
    assert process.alive
    assert process.stop() == 0


@pytest.mark.parametrize("interval", ["99999999999999h", "25h", "1e9", "0s"])
def test_an_interval_beyond_a_day_is_a_usage_error(interval: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        build_parser().parse_args(["watch", "lab.lvs", "--interval", interval])
    assert stopped.value.code == 2
    assert "--interval" in capsys.readouterr().err
