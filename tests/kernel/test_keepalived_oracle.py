"""keepalived itself as the oracle for the importer (issue 12): for every real keepalived.conf under
../shared/real-world/ that lvscc compiles and `keepalived -t` accepts, keepalived loads a copy with
its checker blocks removed (real servers without a checker stay in the table) with
`keepalived --dont-fork -C` in a namespace holding the file's interfaces, lvscc's ipvsadm.rules
for the import of the same file go into a second namespace, and both kernel tables must be
equal: services with their options, real servers with their methods, weights and thresholds, and
the timeouts. A difference that is keepalived's and not lvscc's to follow is listed, with its
reason, in tests/importers/keepalived_oracle_exceptions.tsv. The counts reach the CI log."""

from __future__ import annotations

import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from prerequisites import unavailable

from .ipvs import restore
from .lab import add_netns, delete_netns, in_netns

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "importers"))

from keepalived_oracle import EXCEPTIONS, TABLE_COMMAND, Table, without_checkers  # noqa: E402
from real_world import CONFIG_ID, CORPUS, corpus_files, keepalived_test, run_one  # noqa: E402

# Guest seconds for the whole oracle: past it no further file starts (the count says how many ran).
BUDGET = 150.0
WORKERS = 3  # keepalived runs wait on the kernel and on process starts, lvscc's imports on the CPU
# keepalived -d dumps its LVS topology once init_services() has loaded the whole table
# (keepalived/check/check_daemon.c): the sign that the table is complete.
LOADED = "< LVS Topology >"
LOAD_DEADLINE = 30.0  # seconds for keepalived to reach that point under a loaded TCG guest
COMPILING = threading.Lock()
_VIRTUAL_SERVER = re.compile(rb"^\s*virtual_server\s", re.M)


@dataclass(frozen=True)
class Comparison:
    file: str
    accepted: bool  # keepalived -t accepts the file
    ours: Table | None = None
    theirs: Table | None = None
    waited: float = 0.0
    note: str = ""

    @property
    def equal(self) -> bool:
        return self.ours == self.theirs

    def difference(self) -> str:
        assert self.ours is not None and self.theirs is not None
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


def table_in(netns: str) -> Table:
    return Table.read(in_netns(netns, "sh", "-c", TABLE_COMMAND))


def keepalived_table(netns: str, conf: Path) -> tuple[Table, float, str]:
    """The table keepalived's checker process loads from CONF in NETNS, read once its topology
    dump says the load is over; the seconds that took; a note when it never said so."""
    run = conf.parent
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
        while LOADED.encode() not in log.read_bytes():
            if daemon.poll() is not None:
                note = f"keepalived exited {daemon.returncode} before loading"
                break
            if time.monotonic() - started > LOAD_DEADLINE:
                note = f"keepalived did not finish loading in {LOAD_DEADLINE:.0f}s"
                break
            time.sleep(0.1)
        return table_in(netns), time.monotonic() - started, note
    finally:
        _stop(daemon, run / "c.pid")


def _stop(daemon: subprocess.Popen[bytes], checker_pid: Path) -> None:
    """SIGKILL for the daemon's group and its checker child (by the pid file it wrote): the
    namespace goes away next, and with it the table."""
    pids = [int(checker_pid.read_text())] if checker_pid.exists() and checker_pid.read_text().strip() else []
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    try:
        os.killpg(daemon.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    daemon.wait(timeout=30)


def compare(path: Path, work: Path) -> Comparison:
    """keepalived -t on the file; if it accepts and lvscc compiles it, keepalived's table and
    lvscc's, side by side."""
    work.mkdir()
    with namespaces(2) as (theirs_ns, ours_ns):
        if not keepalived_test(theirs_ns, path):
            return Comparison(path.name, accepted=False)
        with COMPILING:  # one import at a time: the work is Python's, and the GIL's anyway
            outcome = run_one(path, rendered={"ipvsadm"})
        if not outcome.compiled:
            return Comparison(path.name, accepted=True, note=f"lvscc does not compile it: {outcome.error}")
        conf = work / "keepalived.conf"
        conf.write_bytes(without_checkers(path.read_bytes()))
        theirs, waited, note = keepalived_table(theirs_ns, conf)
        try:  # lvscc writes one ipvsadm.rules per director; a keepalived.conf describes one
            restore(ours_ns, outcome.ipvsadm_rules[0] if outcome.ipvsadm_rules else "")
        except RuntimeError as refused:  # compared all the same: the table shows what is missing
            note = f"{note} ipvsadm-restore: {refused}".strip()
        if note:
            note += ":\n" + (work / "keepalived.log").read_text(errors="replace")[-1500:]
        return Comparison(path.name, True, table_in(ours_ns), theirs, waited, note)


def _within_budget(started: float, path: Path, work: Path) -> Comparison | None:
    return compare(path, work) if time.monotonic() - started < BUDGET else None


def exceptions() -> dict[str, str]:
    rows = [line.split("\t", 1) for line in EXCEPTIONS.read_text().splitlines() if line and not line.startswith("#")]
    return {name: reason for name, reason in rows}


@pytest.mark.kernel
def test_keepalived_loads_the_table_lvscc_compiles(ipvs_kernel: None, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    files = [p for p in corpus_files() if _VIRTUAL_SERVER.search(p.read_bytes())]
    if not files:
        unavailable(f"no real-world corpus at {CORPUS}: the corpus lives beside the repository, not in it")
    if shutil.which("keepalived") is None:
        unavailable("keepalived is not installed (apt: keepalived)")
    started = time.monotonic()
    pending: list[Future[Comparison]] = []
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        for path in files:
            pending.append(pool.submit(_within_budget, started, path, tmp_path / path.name))
        results = [c for c in (f.result() for f in pending) if c is not None]
    elapsed = time.monotonic() - started
    compared = [c for c in results if c.ours is not None]
    not_compiled = [c for c in results if c.accepted and c.ours is None]
    listed = exceptions()
    differing = [c for c in compared if not c.equal]
    unexplained = [c for c in differing if c.file not in listed]
    slowest = max((c.waited for c in compared), default=0.0)
    with capsys.disabled():
        print(f"\nkernel oracle: compared {len(compared)}, equal {len(compared) - len(differing)}, "
              f"exceptions {len(differing) - len(unexplained)} ({len(files)} files with a virtual_server, "
              f"{sum(not c.accepted for c in results)} rejected by keepalived -t, {len(not_compiled)} accepted but "
              f"not compiled by lvscc, {len(files) - len(results)} left for the {BUDGET:.0f}s budget; {elapsed:.0f}s, "
              f"slowest keepalived load {slowest:.1f}s)", flush=True)
        for c in unexplained:
            print(c.difference(), flush=True)
    assert compared, "keepalived accepted no corpus file"
    assert not unexplained, f"{len(unexplained)} table(s) differ from keepalived's:\n" + "\n".join(
        c.difference() for c in unexplained[:3])
    stale = sorted(set(listed) & {c.file for c in compared if c.equal})
    assert not stale, f"listed in {EXCEPTIONS.name} but equal now: {stale}"
