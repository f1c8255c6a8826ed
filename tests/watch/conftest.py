"""`lvscc watch` runs as a real subprocess (signals, select, inotify and netlink are the point);
every process a test starts and every namespace it makes is gone at teardown."""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest

from .process import Watch

LAB = """\
lvs lab {
  director primary { public 192.0.2.1 dev eth0  private 198.51.100.1 dev eth1 }
  forwarding nat { gateway 198.51.100.254/24 dev eth1 }
  include "pools.lvs"
  service web {
    vip 192.0.2.10 dev eth0:1
    fwmark 80 { tcp 80, 443 }
    scheduler wlc
    persistence 300s
    servers web
  }
}
"""
POOLS = "pool web {\n  server web1 198.51.100.11 weight 1\n}\n"


@pytest.fixture
def lab(tmp_path: Path) -> Path:
    (tmp_path / "lab.lvs").write_text(LAB)
    (tmp_path / "pools.lvs").write_text(POOLS)
    return tmp_path


@pytest.fixture
def watch(lab: Path) -> Iterator[Callable[..., Watch]]:
    started: list[Watch] = []

    def start(*argv: str, prefix: Sequence[str] = ()) -> Watch:
        process = Watch(argv, lab, prefix)
        started.append(process)
        return process

    yield start
    for process in started:
        process.kill()


def in_netns(netns: str, *argv: str) -> str:
    done = subprocess.run(["ip", "netns", "exec", netns, *argv], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, f"{' '.join(argv)} exited {done.returncode}: {done.stderr}"
    return done.stdout
