"""Every row of lvscc's performance table in one run, each beside the peer it is judged against:
whole processes, paired A B A B ... in one loop so that a noisy machine slows both sides alike,
median wall time and peak memory (maxrss of that process alone) over N pairs.

    python benchmarks/run.py [--runs 5] [--services 5000] [--servers 20]

The IPVS audit row needs a kernel with IPVS: benchmarks/audit_vs_ipvsadm_save.py runs it inside
the VM (see that script). No test asserts on these figures; benchmarks/README.md keeps the latest."""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

from gen import keepalived, lvs  # noqa: E402

SMALL_KEEPALIVED = """\
virtual_server 192.168.0.100 80 {
  lvs_sched wlc
  lvs_method NAT
  protocol TCP
  real_server 10.11.12.2 80 {
    weight 1
    TCP_CHECK { connect_timeout 3 }
  }
}
"""


# As an installed lvscc runs: from byte-compiled modules (a shell that sets
# PYTHONDONTWRITEBYTECODE would make every run compile lvscc from source again).
ENVIRONMENT = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


@dataclass(frozen=True)
class Sample:
    seconds: float
    max_rss_kib: int
    cpu_seconds: float = 0.0  # user + system of that process: less disturbed by other load than wall time
    stderr: str = ""

    def phases(self) -> dict[str, float]:
        """The seconds of each phase a `-v` run printed (lvscc: rendering 5/5 in 0.12s)."""
        return {name: float(seconds) for name, seconds in PHASE.findall(self.stderr)}


# Linux carries a process's peak RSS across exec, so a child spawned straight from this (large)
# process reports at least this process's size. GNU time forks from its own small image: its
# %M is the measured program's peak alone (apt: time). Without it, memory is an upper bound.
GNU_TIME = "/usr/bin/time" if os.access("/usr/bin/time", os.X_OK) else None
PHASE = re.compile(r"^lvscc: (\w+) (?:\S+ )?in ([\d.]+)s$", re.M)


def forget_loaded_configs(cache: Path) -> None:
    """A first check again: the IR cache's entries (lvscc/ir_cache.py) under XDG_CACHE_HOME=cache
    go; lark's parse tables stay, as on any machine lvscc ran on before."""
    for entry in (cache / "lvscc").glob("ir-*.pickle"):
        entry.unlink()


def run_once(argv: Sequence[str], cwd: Path, env: Mapping[str, str] = ENVIRONMENT) -> Sample:
    """One process, timed from spawn to reap; its own peak RSS (through GNU time when installed)."""
    with tempfile.NamedTemporaryFile("r") as peak:
        wrapper = [GNU_TIME, "-f", "%M", "-o", peak.name] if GNU_TIME else []
        start = time.perf_counter()
        process = subprocess.Popen([*wrapper, *argv], cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                   env=env)
        assert process.stderr is not None
        error = process.stderr.read()
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode not in (0, 1):  # 1: findings (keepalived -t and lvscc check both say so)
            raise SystemExit(f"{' '.join(argv)} exited {process.returncode}:\n{error.decode(errors='replace')[-2000:]}")
        max_rss = int(peak.read().split()[-1]) if GNU_TIME else usage.ru_maxrss
    return Sample(elapsed, max_rss, usage.ru_utime + usage.ru_stime, error.decode(errors="replace"))


@dataclass(frozen=True)
class Row:
    work: str
    ours: list[Sample]
    peer_name: str
    peer: list[Sample]
    goal: str

    def line(self) -> str:
        ours = statistics.median(s.seconds for s in self.ours)
        theirs = statistics.median(s.seconds for s in self.peer)
        mem = max(s.max_rss_kib for s in self.ours) / 1024
        peer_mem = max(s.max_rss_kib for s in self.peer) / 1024
        return (f"| {self.work} | {ours:.3f} s, {mem:.0f} MiB | {self.peer_name}: {theirs:.3f} s, {peer_mem:.0f} MiB "
                f"| {ours / theirs:.2f}x time, {mem / peer_mem:.2f}x memory | {self.goal} |")


def paired(work: str, ours: Sequence[str], peer_name: str, peer: Sequence[str], goal: str, runs: int,
           cwd: Path, env: Mapping[str, str], before: object = None) -> Row:
    mine: list[Sample] = []
    theirs: list[Sample] = []
    for _ in range(runs):
        if callable(before):
            before()
        mine.append(run_once(ours, cwd, env))
        if callable(before):
            before()
        theirs.append(run_once(peer, cwd, env))
    return Row(work, mine, peer_name, theirs, goal)


def tree_files(path: Path) -> tuple[int, float]:
    """How many files a compile wrote and their megabytes (contents, not directory blocks)."""
    sizes = [f.stat().st_size for f in path.rglob("*") if f.is_file()]
    return len(sizes), sum(sizes) / 1e6


def where_the_time_went(work: str, sample: Sample) -> str:
    """A `-v` compile's phases, and what is left: start-up and printing the findings."""
    phases = sample.phases()
    rest = sample.seconds - sum(phases.values())
    shown = ", ".join(f"{name} {seconds:.2f} s" for name, seconds in phases.items())
    return f"{work}: {sample.seconds:.2f} s = {shown}, start-up and findings {rest:.2f} s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--services", type=int, default=5000)
    parser.add_argument("--servers", type=int, default=20)
    args = parser.parse_args()
    keepalived_bin = shutil.which("keepalived")
    if keepalived_bin is None:
        raise SystemExit("keepalived is not installed (apt: keepalived)")
    lvscc = [sys.executable, "-m", "lvscc"]
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        # lvscc's caches live in a directory of this run's own: a "first check" row forgets the
        # loaded configs before each run (the parse tables stay, as on any machine lvscc ran on
        # before); a "re-check" row keeps them, as an editor or watch re-checking an unchanged
        # file does.
        env = {**ENVIRONMENT, "XDG_CACHE_HOME": str(work / "cache")}

        def first() -> None:
            forget_loaded_configs(work / "cache")

        (work / "small.conf").write_text(SMALL_KEEPALIVED)
        (work / "big.lvs").write_text(lvs(args.services, args.servers))
        (work / "big.conf").write_text(keepalived(args.services, args.servers))
        sample = str(REPO / "samples" / "guide-nat.lvs")
        run_once([*lvscc, "check", sample], work, env)  # writes the parse tables, uncounted
        small = [*lvscc, "check", sample]
        rows.append(paired("check samples/guide-nat.lvs, first check", small, "python3 -c pass",
                           [sys.executable, "-c", "pass"], "<= 6x", args.runs, work, env,
                           before=first))
        run_once(small, work, env)  # the entry every re-check below finds
        rows.append(paired("check samples/guide-nat.lvs, re-check", small, "python3 -c pass",
                           [sys.executable, "-c", "pass"], "<= 6x", args.runs, work, env))
        rows.append(paired("check samples/guide-nat.lvs, first check", small, "keepalived -t (small file)",
                           [keepalived_bin, "-t", "-f", "small.conf"], "(reference)", args.runs, work, env,
                           before=first))
        size = f"{args.services}x{args.servers}"
        big = [*lvscc, "check", "big.lvs"]
        peer = [keepalived_bin, "-t", "-f", "big.conf"]
        goal = "< 1.0x time, <= 1.5x memory"
        rows.append(paired(f"check {size}, first check", big, "keepalived -t -f", peer, goal, args.runs, work, env,
                           before=first))
        run_once(big, work, env)
        rows.append(paired(f"check {size}, re-check", big, "keepalived -t -f", peer, goal, args.runs, work, env))

        def clear() -> None:
            shutil.rmtree(work / "out", ignore_errors=True)
            first()

        rows.append(paired(f"compile --backend ipvsadm {size}",
                           [*lvscc, "compile", "big.lvs", "-o", "out", "--backend", "ipvsadm", "-v"],
                           "its own check (both first checks)", big, "<= 1.2x", max(1, args.runs // 2), work,
                           env, before=clear))
        clear()
        full = run_once([*lvscc, "compile", "big.lvs", "-o", "out", "-v"], work, env)
        files, megabytes = tree_files(work / "out")
    print(f"machine: {os.cpu_count()} cores, {os.uname().sysname} {os.uname().release}, "
          f"load average {os.getloadavg()[0]:.1f} at the end; memory {'by GNU time' if GNU_TIME else 'an upper bound'}; "
          f"median of {args.runs} paired runs (compile rows: {max(1, args.runs // 2)})")
    print("| work | lvscc | peer | ratio | goal |\n|---|---|---|---|---|")
    for row in rows:
        print(row.line())
    writing = full.phases().get("writing", 0.0)
    print(f"| full compile {size} | {full.seconds:.1f} s, {full.max_rss_kib / 1024:.0f} MiB | {files} files, "
          f"{megabytes:.1f} MB | {megabytes / full.seconds:.1f} MB/s overall, {megabytes / writing:.1f} MB/s "
          f"writing | bounded by disk |")
    print("| audit of a 5000x20 IPVS table | run benchmarks/audit_vs_ipvsadm_save.py in the VM | "
          "ipvsadm-save -n | | <= 0.5x |")
    print()
    print(f"- {where_the_time_went(f'compile --backend ipvsadm {size}', rows[-1].ours[-1])}")
    print(f"- {where_the_time_went(f'full compile {size}', full)}")


if __name__ == "__main__":
    main()
