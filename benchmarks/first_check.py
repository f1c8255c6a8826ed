"""`check` of a 5000x20 file, first check, against another checkout of lvscc (before/after a
change) and keepalived -t -f: whole processes, paired in one loop, median CPU and wall, peak
memory by GNU time. A "first check" finds no IR cache entry (it is removed before each run) but
lark's parse tables cached; "no IR cache" runs with LVSCC_NO_IR_CACHE=1 (no store either).

    python benchmarks/first_check.py --before /tmp/main-checkout [--runs 3]

(`git archive main | tar -x -C /tmp/main-checkout` makes the other checkout.)"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from gen import keepalived, lvs  # noqa: E402
from run import ENVIRONMENT, GNU_TIME, Sample, forget_loaded_configs, run_once  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", type=Path, required=True, help="a checkout of lvscc to compare with")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--services", type=int, default=5000)
    parser.add_argument("--servers", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        cache = work / "cache"
        (work / "big.lvs").write_text(lvs(args.services, args.servers))
        (work / "big.conf").write_text(keepalived(args.services, args.servers))
        check = [sys.executable, "-m", "lvscc", "check", str(work / "big.lvs")]
        before = {"PYTHONPATH": str(args.before.resolve())}
        variants = {
            "before, first check": (check, before),
            "after, first check": (check, {}),
            "before, no IR cache": (check, {**before, "LVSCC_NO_IR_CACHE": "1"}),
            "after, no IR cache": (check, {"LVSCC_NO_IR_CACHE": "1"}),
            "keepalived -t -f": (["keepalived", "-t", "-f", str(work / "big.conf")], {}),
        }
        samples: dict[str, list[Sample]] = {name: [] for name in variants}

        def one(name: str) -> Sample:
            argv, env = variants[name]
            forget_loaded_configs(cache)
            return run_once(argv, work, {**ENVIRONMENT, "XDG_CACHE_HOME": str(cache), **env})

        for name in variants:  # uncounted: lark's tables, byte code
            if name != "keepalived -t -f":
                one(name)
        for _ in range(args.runs):
            for name in variants:
                samples[name].append(one(name))
    peer = samples["keepalived -t -f"]
    peer_cpu = statistics.median(s.cpu_seconds for s in peer)
    peer_mem = max(s.max_rss_kib for s in peer)
    print(f"median of {args.runs} paired runs; memory {'by GNU time' if GNU_TIME else 'an upper bound'}")
    print("| run | CPU | wall | peak memory | CPU ratio to keepalived | memory ratio |")
    print("|---|---|---|---|---|---|")
    for name, runs in samples.items():
        cpu = statistics.median(s.cpu_seconds for s in runs)
        wall = statistics.median(s.seconds for s in runs)
        mem = max(s.max_rss_kib for s in runs)
        print(f"| {name} | {cpu:.2f} s | {wall:.2f} s | {mem / 1024:.0f} MiB | {cpu / peer_cpu:.2f}x "
              f"| {mem / peer_mem:.2f}x |")


if __name__ == "__main__":
    main()
