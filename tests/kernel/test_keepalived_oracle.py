"""keepalived itself as the oracle for the importer (issue 12): for every real keepalived.conf under
../shared/real-world/ that lvscc compiles and `keepalived -t` accepts, keepalived loads a copy with
its checker blocks removed (real servers without a checker stay in the table) with
`keepalived --dont-fork -C` in a namespace holding the file's interfaces, lvscc's ipvsadm.rules
for the import of the same file go into a second namespace, and both kernel tables must be
equal: services with their options, real servers with their methods, weights and thresholds, and
the timeouts. A difference that is keepalived's and not lvscc's to follow is listed, with its
reason, in tests/importers/keepalived_oracle_exceptions.tsv. The counts reach the CI log.

The part that needs no IPVS (keepalived -t, lvscc's import and compile, the copies) costs a TCG
guest minutes, so tests/test_kernel_vm.py does it on the host before the guest boots and names
the folder in LVS_ORACLE_INPUT; without it (a host whose kernel has IPVS) this test does it."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from prerequisites import unavailable

from .ipvs import restore
from .lab import add_netns, delete_netns, in_netns

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "importers"))

from keepalived_oracle import EXCEPTIONS, MANIFEST, TABLE_COMMAND, Table, prepare  # noqa: E402
from real_world import CONFIG_ID, CORPUS, add_links  # noqa: E402

# Guest seconds for the whole oracle: past it no further file starts (the count says how many ran).
# A clean-clone run on an idle 2-core host compared 85 of the 99 files in 300 s once the
# net_namespace files took their turns, so 480 s leaves room for all; a loaded host compares
# fewer (LVS_ORACLE_BUDGET gives an iteration on a busy host more, through tests/test_kernel_vm.py)
BUDGET = float(os.environ.get("LVS_ORACLE_BUDGET") or 480.0)
WORKERS = 3  # each file waits on keepalived's start and on process starts; two vCPUs do the work
# keepalived -d dumps its LVS topology once init_services() has loaded the whole table
# (keepalived/check/check_daemon.c): the sign that the table is complete.
LOADED = b"< LVS Topology >"
LOAD_DEADLINE = 30.0  # seconds for keepalived to reach that point under a loaded TCG guest
SETTLE_DEADLINE = 10.0  # seconds for two reads of its table in a row to agree
# Files that name their namespace share names (`low`, an undefined `$NAME`): one at a time per name.
_NAMED_NETNS: dict[str, threading.Lock] = {}
_NAMED_GUARD = threading.Lock()


@dataclass(frozen=True)
class Comparison:
    file: str
    ours: Table
    theirs: Table
    waited: float = 0.0
    note: str = ""

    @property
    def equal(self) -> bool:
        return self.ours == self.theirs

    def difference(self) -> str:
        return (f"{self.file}{' (' + self.note + ')' if self.note else ''}:\n--- lvscc\n{self.ours.text}"
                f"--- keepalived\n{self.theirs.text}")


@contextmanager
def namespaces(count: int) -> Iterator[list[str]]:
    names = [f"lvso-{secrets.token_hex(4)}" for _ in range(count)]
    add_netns(names)
    try:
        yield names
    finally:
        delete_netns(names)


@contextmanager
def keepalived_namespace(entry: dict[str, Any]) -> Iterator[str]:
    """Where keepalived loads the file: a fresh namespace, or the one the file names with
    `net_namespace` (keepalived switches to /run/netns/NAME itself and exits when it is
    missing), made for it and deleted after, which also flushes its table."""
    name = entry.get("netns")
    if not name:
        with namespaces(1) as (fresh,):
            yield fresh
        return
    with _NAMED_GUARD:
        turn = _NAMED_NETNS.setdefault(name, threading.Lock())
    with turn:
        add_netns([name])
        try:
            yield name
        finally:
            delete_netns([name])


def table_in(netns: str) -> Table:
    return Table.read(in_netns(netns, "sh", "-c", TABLE_COMMAND))


def settled_table(netns: str) -> Table:
    """The table once two reads in a row agree: the one guard against a torn dump, on both sides.
    A netlink dump resumes by position, so servers added while ipvsadm-save reads can be listed
    twice (seen: one service's ten servers twice, the load's last additions still arriving after
    keepalived's topology dump), and under load lvscc's side too (configs_1809)."""
    deadline = time.monotonic() + SETTLE_DEADLINE
    table = table_in(netns)
    while time.monotonic() < deadline:
        again = table_in(netns)
        if again == table:
            break
        table = again
    return table


def keepalived_table(netns: str, conf: Path, run: Path) -> tuple[Table, float, str]:
    """The table keepalived's checker process loads from CONF in NETNS, read once its topology
    dump says the load is over; the seconds that took; a note when it never said so."""
    log = run / "keepalived.log"
    started = time.monotonic()
    with open(log, "wb") as out:
        daemon = subprocess.Popen(
            ["ip", "netns", "exec", netns, "keepalived", "--dont-fork", "--dont-respawn", "-C", "-d", "-l", "-G",
             "-i", CONFIG_ID, "-f", str(conf), "-p", str(run / "k.pid"), "-c", str(run / "c.pid"),
             "-r", str(run / "v.pid"), "-b", str(run / "b.pid")],
            stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=run, start_new_session=True)
    note = ""
    try:
        while LOADED not in log.read_bytes():
            if daemon.poll() is not None:
                note = f"keepalived exited {daemon.returncode} before loading"
                break
            if time.monotonic() - started > LOAD_DEADLINE:
                note = f"keepalived did not finish loading in {LOAD_DEADLINE:.0f}s"
                break
            time.sleep(0.1)
        return settled_table(netns), time.monotonic() - started, note
    finally:
        _stop(daemon, run / "c.pid")


def _stop(daemon: subprocess.Popen[bytes], checker_pid: Path) -> None:
    """SIGKILL for the daemon's group and its checker child (by the pid file it wrote): the
    namespace goes away next, and with it the table."""
    text = checker_pid.read_text().strip() if checker_pid.exists() else ""
    if text:
        with suppress(ProcessLookupError):
            os.kill(int(text), signal.SIGKILL)
    with suppress(ProcessLookupError):
        os.killpg(daemon.pid, signal.SIGKILL)
    daemon.wait(timeout=30)


def compare(entry: dict[str, Any], folder: Path, work: Path) -> Comparison:
    """keepalived's table for one prepared file and lvscc's, each in its own namespace."""
    work.mkdir()
    with keepalived_namespace(entry) as theirs_ns, namespaces(1) as (ours_ns,):
        add_links(theirs_ns, entry["links"])
        theirs, waited, note = keepalived_table(theirs_ns, folder / entry["file"], work)
        try:
            restore(ours_ns, entry["rules"])
        except RuntimeError as refused:  # compared all the same: the table shows what is missing
            note = f"{note} ipvsadm-restore: {refused}".strip()
        if note:
            note += ":\n" + (work / "keepalived.log").read_text(errors="replace")[-1500:]
        return Comparison(entry["file"], settled_table(ours_ns), theirs, waited, note)


def prepared(tmp_path: Path) -> Path:
    given = os.environ.get("LVS_ORACLE_INPUT")
    if given and (Path(given) / MANIFEST).exists():
        return Path(given)
    if shutil.which("keepalived") is None:
        unavailable("keepalived is not installed (apt: keepalived)")
    if not prepare(tmp_path / "oracle"):
        unavailable(f"no real-world corpus at {CORPUS}: the corpus lives beside the repository, not in it")
    return tmp_path / "oracle"


def _within_budget(started: float, entry: dict[str, Any], folder: Path, work: Path) -> Comparison | None:
    return compare(entry, folder, work) if time.monotonic() - started < BUDGET else None


def exceptions() -> dict[str, str]:
    rows = [line.split("\t", 1) for line in EXCEPTIONS.read_text().splitlines() if line and not line.startswith("#")]
    return {name: reason for name, reason in rows}


@pytest.mark.kernel
def test_keepalived_loads_the_table_lvscc_compiles(ipvs_kernel: None, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    folder = prepared(tmp_path)
    manifest = json.loads((folder / MANIFEST).read_text())
    # files that take turns on a shared namespace name start first, so the budget never leaves them out
    entries = sorted(manifest["entries"], key=lambda e: not e.get("netns"))
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        pending = [pool.submit(_within_budget, started, e, folder, tmp_path / e["file"]) for e in entries]
        compared = [c for c in (f.result() for f in pending) if c is not None]
    elapsed = time.monotonic() - started
    listed = exceptions()
    differing = [c for c in compared if not c.equal]
    unexplained = [c for c in differing if c.file not in listed]
    waits = sorted(c.waited for c in compared)
    with capsys.disabled():
        print(f"\nkernel oracle: compared {len(compared)}, equal {len(compared) - len(differing)}, "
              f"exceptions {len(differing) - len(unexplained)} (of {manifest['files']} files keepalived -t accepts "
              f"{manifest['accepted']}, of which lvscc compiles {len(entries)}; "
              f"{len(entries) - len(compared)} left for the {BUDGET:.0f}s budget; {elapsed:.0f}s, keepalived's load "
              f"median {waits[len(waits) // 2] if waits else 0:.1f}s, slowest {waits[-1] if waits else 0:.1f}s)",
              flush=True)
        left = sorted({e["file"] for e in entries} - {c.file for c in compared})
        if left:
            print(f"kernel oracle: left for the budget: {' '.join(left)}", flush=True)
        for c in unexplained:
            print(c.difference(), flush=True)
    assert compared, "keepalived accepted no corpus file that lvscc compiles"
    assert not unexplained, f"{len(unexplained)} table(s) differ from keepalived's:\n" + "\n".join(
        c.difference() for c in unexplained[:3])
    stale = sorted(set(listed) & {c.file for c in compared if c.equal})
    assert not stale, f"listed in {EXCEPTIONS.name} but equal now: {stale}"
