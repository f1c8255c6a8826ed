"""Fixtures shared by every real-tool test folder, and the start-up guard on golden updates."""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import tempfile
from collections.abc import Iterator

import pytest

from goldenfile import UpdateRefused, updating
from prerequisites import unavailable

NETNS_NEEDS = "needs root + network namespaces"
CACHE_HOME = pytest.StashKey[str]()


def pytest_configure(config: pytest.Config) -> None:
    try:
        updating()
    except UpdateRefused as refused:
        raise pytest.UsageError(str(refused)) from None
    # lvscc caches parse tables and loaded configs in the user's cache directory: a test run
    # (and every lvscc it starts) uses its own, so it neither fills the home of whoever runs it
    # nor passes only because an earlier run left an entry behind.
    config.stash[CACHE_HOME] = tempfile.mkdtemp(prefix="lvscc-test-cache-")
    os.environ["XDG_CACHE_HOME"] = config.stash[CACHE_HOME]


def pytest_unconfigure(config: pytest.Config) -> None:
    if CACHE_HOME in config.stash:
        shutil.rmtree(config.stash[CACHE_HOME], ignore_errors=True)


@pytest.fixture
def netns() -> Iterator[str]:
    """A fresh network namespace with `lo` up, deleted afterwards: the tools run for real and the
    root namespace's rulesets, addresses and sysctls are never touched."""
    if os.geteuid() != 0:
        unavailable(NETNS_NEEDS)
    name = f"lvscc-t-{secrets.token_hex(4)}"
    made = subprocess.run(["ip", "netns", "add", name], capture_output=True, text=True, timeout=30)
    if made.returncode != 0:
        unavailable(f"{NETNS_NEEDS}: ip netns add failed: {made.stderr.strip()}")
    try:
        subprocess.run(["ip", "-n", name, "link", "set", "lo", "up"], check=True, timeout=30)
        yield name
    finally:
        subprocess.run(["ip", "netns", "del", name], capture_output=True, timeout=30)
