"""Rendering and writing alone, in one process: the config is checked and lowered once, then each
backend renders it N times (CPU time, min and median: the machine is shared) and the full set of
artifacts is written N times the way `compile -o` writes it.

    python benchmarks/render.py [--runs 5] [--services 5000] [--servers 20] [BACKEND ...]"""

from __future__ import annotations

import argparse
import gc
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from gen import lvs  # noqa: E402

from lvscc.lower import lower  # noqa: E402
from lvscc.output import manifest, write  # noqa: E402
from lvscc.pipeline import check_file  # noqa: E402
from lvscc.render import registry, render, select  # noqa: E402


def timed(work, runs: int, clock=time.process_time) -> list[float]:
    times = []
    for _ in range(runs):
        start = clock()
        work()
        times.append(clock() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--services", type=int, default=5000)
    parser.add_argument("--servers", type=int, default=20)
    parser.add_argument("backends", nargs="*", default=["ipvsadm", "rs-kit", "director-kit", "sysctl", "modules"])
    args = parser.parse_args()
    gc.disable()  # as compile runs (lvscc/pipeline.py)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        (work / "big.lvs").write_text(lvs(args.services, args.servers))
        checked = check_file(work / "big.lvs")
        assert checked.config is not None
        intent = lower(checked.config)
        print(f"{args.services}x{args.servers}: CPU seconds of rendering, min and median of {args.runs}")
        print("| backend | files | lines | MB | min | median | MB/s (min) |\n|---|---|---|---|---|---|---|")
        for name in args.backends:
            chosen = [registry()[name]]
            artifacts = render(checked.config, intent, chosen)
            megabytes = sum(len(a.content) for a in artifacts) / 1e6
            lines = sum(a.content.count("\n") for a in artifacts)
            times = timed(lambda: render(checked.config, intent, chosen), args.runs)
            print(f"| {name} | {len(artifacts)} | {lines} | {megabytes:.1f} | {min(times):.3f} s "
                  f"| {statistics.median(times):.3f} s | {megabytes / min(times):.0f} |")
        artifacts = render(checked.config, intent, select(None))
        text = manifest(artifacts, checked.config.name, "big.lvs", "flat")
        megabytes = sum(len(a.content) for a in artifacts) / 1e6

        times = []
        for _ in range(args.runs):
            times += timed(lambda: write(work / "out", artifacts, text), 1, time.perf_counter)
            shutil.rmtree(work / "out")  # not timed: deleting 100,000 files takes as long again
        print(f"\nwriting the default backends' {len(artifacts)} files, {megabytes:.1f} MB: wall min "
              f"{min(times):.2f} s, median {statistics.median(times):.2f} s ({megabytes / statistics.median(times):.1f} MB/s)")


if __name__ == "__main__":
    main()
