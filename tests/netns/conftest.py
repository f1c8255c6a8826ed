"""Fixtures for the host-side real-tool tests: each test gets its own freshly made network
namespace, so nft/iptables/arptables/sysctl run for real without touching the root namespace."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Protocol

import pytest

# The guide's scenarios as host states live with the rendering tests; these tests load the same.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "backends"))


class InNetns(Protocol):
    def __call__(self, *argv: str, input: str | None = None, check: bool = True) -> subprocess.CompletedProcess[str]: ...


@pytest.fixture
def in_netns(netns: str) -> InNetns:
    """Run a command inside the test's namespace; a failure shows the tool's own stderr."""

    def run(*argv: str, input: str | None = None, check: bool = True) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(["ip", "netns", "exec", netns, *argv], input=input, capture_output=True,
                              text=True, timeout=60)
        if check:
            assert done.returncode == 0, f"{' '.join(argv)} exited {done.returncode}: {done.stderr}{done.stdout}"
        return done

    return run
