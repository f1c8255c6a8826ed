"""What a small `lvscc check` costs against a bare `python -c pass` of the same interpreter: the
ratio (goal: <= 6x), paired A B A B ... in one loop, median wall and CPU time of N pairs; where
the time goes (`-X importtime`, median over the runs, top modules and packages); and with
--callgrind, valgrind's instruction counts, which repeat to the instruction where wall time
on a shared machine does not.

    python benchmarks/startup.py [--runs 11] [--top 20] [--callgrind] [FILE]

The first run (not counted) writes the byte code, lark's cached parse tables and the IR cache
(lvscc/ir_cache.py), as any first run of an installed lvscc does: the runs counted are
re-checks of an unchanged file. --no-ir-cache measures a check of a file lvscc has not seen. No test asserts on these figures; benchmarks/README.md keeps
the latest."""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
from collections import defaultdict
from collections.abc import Mapping
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

from run import ENVIRONMENT, Sample, run_once  # noqa: E402

IMPORT_LINE = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)")
CALLGRIND_TOTAL = re.compile(r"Collected : (\d+)")


def paired(check: list[str], bare: list[str], runs: int,
           env: Mapping[str, str]) -> tuple[list[Sample], list[Sample]]:
    ours: list[Sample] = []
    theirs: list[Sample] = []
    for _ in range(runs):
        ours.append(run_once(check, REPO, env))
        theirs.append(run_once(bare, REPO, env))
    return ours, theirs


def print_ratio(ours: list[Sample], theirs: list[Sample]) -> None:
    print(f"| measure | lvscc check | python -c pass | ratio (goal <= 6x) |\n|---|---|---|---|")
    for name, value in (("wall", lambda s: s.seconds), ("cpu (user+sys)", lambda s: s.cpu_seconds)):
        mine, bare = statistics.median(map(value, ours)), statistics.median(map(value, theirs))
        print(f"| {name} | {mine * 1000:.1f} ms | {bare * 1000:.1f} ms | {mine / bare:.1f}x |")
    mem, bare_mem = max(s.max_rss_kib for s in ours) / 1024, max(s.max_rss_kib for s in theirs) / 1024
    print(f"| peak memory | {mem:.1f} MiB | {bare_mem:.1f} MiB | {mem / bare_mem:.1f}x |")


def import_times(check: list[str], runs: int, env: Mapping[str, str]) -> dict[str, tuple[float, float, int]]:
    """module → (median self µs, median cumulative µs, nesting depth) over `runs` runs."""
    seen: dict[str, list[tuple[int, int, int]]] = defaultdict(list)
    for _ in range(runs):
        done = subprocess.run([check[0], "-X", "importtime", *check[1:]], cwd=REPO, env=env,
                              capture_output=True, text=True)
        for match in IMPORT_LINE.finditer(done.stderr):
            seen[match[4]].append((int(match[1]), int(match[2]), len(match[3]) // 2))
    return {name: (statistics.median(s for s, _, _ in rows), statistics.median(c for _, c, _ in rows), rows[0][2])
            for name, rows in seen.items()}


def _package(module: str) -> str:
    parts = module.split(".")
    return ".".join(parts[:2]) if parts[0] == "lvscc" else parts[0]


def print_imports(times: dict[str, tuple[float, float, int]], top: int) -> None:
    total = sum(s for s, _, _ in times.values())
    print(f"\nimports: {len(times)} modules, {total / 1000:.1f} ms (median self times, -X importtime adds its own)")
    packages: dict[str, float] = defaultdict(float)
    for name, (own, _, _) in times.items():
        packages[_package(name)] += own
    print(f"\n| package | self ms |\n|---|---|")
    for name, own in sorted(packages.items(), key=lambda kv: -kv[1])[:top]:
        print(f"| {name} | {own / 1000:.1f} |")
    print(f"\n| module | self ms | with its imports ms |\n|---|---|---|")
    for name, (own, cumulative, _) in sorted(times.items(), key=lambda kv: -kv[1][0])[:top]:
        print(f"| {name} | {own / 1000:.1f} | {cumulative / 1000:.1f} |")


def instructions(argv: list[str], env: Mapping[str, str]) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        done = subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={tmp}/out", *argv],
                              cwd=REPO, env=env, capture_output=True, text=True)
        found = CALLGRIND_TOTAL.search(done.stderr)
        if done.returncode not in (0, 1) or found is None:
            raise SystemExit(f"valgrind {' '.join(argv)} failed:\n{done.stderr[-2000:]}")
        return int(found[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", nargs="?", default=str(REPO / "samples" / "guide-nat.lvs"))
    parser.add_argument("--runs", type=int, default=11)
    parser.add_argument("--top", type=int, default=20, help="rows of the import tables")
    parser.add_argument("--callgrind", action="store_true", help="also count instructions under valgrind (slow)")
    parser.add_argument("--no-ir-cache", action="store_true", help="every check parses (LVSCC_NO_IR_CACHE=1)")
    args = parser.parse_args()
    env = {**ENVIRONMENT, "LVSCC_NO_IR_CACHE": "1"} if args.no_ir_cache else ENVIRONMENT
    check = [sys.executable, "-m", "lvscc", "check", args.file]
    bare = [sys.executable, "-c", "pass"]
    run_once(check, REPO, env)  # writes byte code, the parse-table cache and the IR cache
    ours, theirs = paired(check, bare, args.runs, env)
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}; "
          f"`lvscc check {Path(args.file).name}` and `python -c pass`, median of {args.runs} paired runs\n")
    print_ratio(ours, theirs)
    if args.callgrind:
        mine, base = instructions(check, env), instructions(bare, env)
        print(f"| instructions (callgrind) | {mine / 1e6:.1f} M | {base / 1e6:.1f} M | {mine / base:.1f}x |")
    print_imports(import_times(check, max(3, args.runs // 2), env), args.top)


if __name__ == "__main__":
    main()
