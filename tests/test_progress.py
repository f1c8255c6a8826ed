"""`lvscc compile` shows its progress as a bar on a terminal, says nothing extra when piped,
one line per phase with --verbose and nothing but findings with --quiet."""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).parents[1]
SAMPLE = REPO / "samples" / "guide-nat.lvs"
# keepalived carries the sample's heartbeat and checks, so the run has no finding to print
BACKENDS = ("--backend", "+keepalived")
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def compile_on_a_terminal(out: Path, *options: str) -> str:
    """Everything the command writes to a real terminal (a pseudo-terminal here)."""
    leader, follower = pty.openpty()
    env = {**os.environ, "TERM": "xterm", "COLUMNS": "100"}
    env.pop("NO_COLOR", None)
    done = subprocess.run([sys.executable, "-m", "lvscc", "compile", str(SAMPLE), "-o", str(out), *BACKENDS, *options],
                          stdin=follower, stdout=follower, stderr=follower, env=env, timeout=120)
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal is closed and drained
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    assert done.returncode == 0
    return b"".join(chunks).decode(errors="replace")


def compile_piped(out: Path, *options: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "lvscc", "compile", str(SAMPLE), "-o", str(out), *BACKENDS, *options],
                          capture_output=True, text=True, timeout=120)


def test_a_terminal_shows_a_progress_bar(tmp_path: Path) -> None:
    shown = compile_on_a_terminal(tmp_path / "out")
    plain = ANSI.sub("", shown)
    assert ANSI.search(shown)  # drawn and cleared as a live display
    assert "rendering" in plain and "4/4" in plain
    assert "writing" in plain and "10/10" in plain
    assert plain.rstrip().endswith(f"wrote 10 files for 4 hosts to {tmp_path / 'out'}")


def test_quiet_prints_nothing_on_a_terminal(tmp_path: Path) -> None:
    assert compile_on_a_terminal(tmp_path / "out", "--quiet") == ""
    assert (tmp_path / "out" / "manifest.json").is_file()


def test_piped_output_has_no_progress(tmp_path: Path) -> None:
    done = compile_piped(tmp_path / "out")
    assert done.returncode == 0 and done.stdout == ""
    assert done.stderr == f"wrote 10 files for 4 hosts to {tmp_path / 'out'}\n"


def test_verbose_prints_each_phase(tmp_path: Path) -> None:
    done = compile_piped(tmp_path / "out", "--verbose")
    phases = [line.split()[1] for line in done.stderr.splitlines() if line.startswith("lvscc: ")]
    assert phases == ["checking", "lowering", "rendering", "writing"]
    assert re.search(r"^lvscc: writing 10/10 in \d+\.\d\ds$", done.stderr, re.M)
