"""One `lvscc watch --format jsonl` subprocess, its JSON lines read with deadlines so that a
test can never hang. Shared by tests/watch and tests/kernel/test_watch_ipvs.py."""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


class Watch:
    """One `lvscc watch ... --format jsonl` process."""

    def __init__(self, argv: Sequence[str], cwd: Path, prefix: Sequence[str] = ()) -> None:
        self.stderr = tempfile.TemporaryFile()  # not in cwd: that directory is watched
        self.process = subprocess.Popen(
            [*prefix, sys.executable, "-m", "lvscc", "watch", *argv, "--format", "jsonl"],
            cwd=cwd, stdout=subprocess.PIPE, stderr=self.stderr,
            env={**os.environ, "PYTHONPATH": str(REPO)},
        )
        self.buffer = b""

    def _said(self) -> str:
        self.stderr.seek(0)
        return self.stderr.read().decode(errors="replace")

    def next_event(self, timeout: float = 15.0) -> dict[str, object]:
        assert self.process.stdout is not None
        deadline = time.monotonic() + timeout
        while b"\n" not in self.buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no event within {timeout}s; stderr:\n{self._said()}")
            readable, _, _ = select.select([self.process.stdout], [], [], left)
            if readable:
                chunk = os.read(self.process.stdout.fileno(), 65536)
                if not chunk:
                    raise AssertionError(f"lvscc watch exited ({self.process.wait(5)}); stderr:\n{self._said()}")
                self.buffer += chunk
        line, _, self.buffer = self.buffer.partition(b"\n")
        return json.loads(line)

    def events_within(self, seconds: float) -> list[dict[str, object]]:
        """Every event in the next `seconds` (to prove that something stays silent)."""
        found: list[dict[str, object]] = []
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            try:
                found.append(self.next_event(left))
            except AssertionError as nothing:
                if "no event within" not in str(nothing):
                    raise
        return found

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime

    def stop(self, signum: int = signal.SIGTERM, timeout: float = 10.0) -> int:
        self.process.send_signal(signum)
        try:
            return self.process.wait(timeout)
        finally:
            self.kill()

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)
        if self.process.stdout is not None:
            self.process.stdout.close()
        self.stderr.close()
