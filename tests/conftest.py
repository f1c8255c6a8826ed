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
# `make mutate MUTATE_TESTS='tests/test_lower.py tests/lower'` (docs/testing.md): mutmut reads
# its test list from pyproject.toml only, so a run narrowed to one module's fast tests deselects
# the rest here; mutmut then maps each mutated function to the kept tests alone.
MUTATE_TESTS_VARIABLE = "LVSCC_MUTATE_TESTS"


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


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    prefixes = tuple(os.environ.get(MUTATE_TESTS_VARIABLE, "").split())
    if not prefixes:
        return
    dropped = [item for item in items if not _selected(item.nodeid, prefixes)]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = [item for item in items if _selected(item.nodeid, prefixes)]


def _selected(nodeid: str, prefixes: tuple[str, ...]) -> bool:
    """A prefix names a folder, a file or a test: `tests/lower` keeps tests/lower/*, not
    tests/lower_x.py."""
    return any(nodeid == p or nodeid.startswith((f"{p.rstrip('/')}/", f"{p}::", f"{p}[")) for p in prefixes)


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
