"""A fresh network namespace per test for the live-probe proofs; the root namespace's rulesets
are never touched."""

from __future__ import annotations

import os
import secrets
import subprocess
from collections.abc import Iterator

import pytest

SKIP_REASON = "needs root + network namespaces"


@pytest.fixture
def audit_netns() -> Iterator[str]:
    if os.geteuid() != 0:
        pytest.skip(SKIP_REASON)
    name = f"lvscc-a-{secrets.token_hex(4)}"
    made = subprocess.run(["ip", "netns", "add", name], capture_output=True, text=True, timeout=30)
    if made.returncode != 0:
        pytest.skip(f"{SKIP_REASON}: ip netns add failed: {made.stderr.strip()}")
    try:
        subprocess.run(["ip", "-n", name, "link", "set", "lo", "up"], check=True, timeout=30)
        yield name
    finally:
        subprocess.run(["ip", "netns", "del", name], capture_output=True, timeout=30)
