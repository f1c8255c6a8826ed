"""Time `lvscc check` against keepalived's own config test (`keepalived -t -f`) on the same
cluster, in the same run, and print the ratio; then the scaling of lvscc from N/10 to N
services. Usage: python benchmarks/compile_vs_keepalived.py [--services 5000] [--servers 20]"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from gen import keepalived, lvs  # noqa: E402


def best_of(command: list[str], runs: int) -> float:
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        elapsed = time.perf_counter() - start
        if done.returncode != 0:
            raise SystemExit(f"{' '.join(command)} exited {done.returncode}:\n{done.stderr[-2000:]}")
        best = min(best, elapsed)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--services", type=int, default=5000)
    parser.add_argument("--servers", type=int, default=20)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    keepalived_bin = shutil.which("keepalived")
    if keepalived_bin is None:
        raise SystemExit("keepalived is not installed (apt: keepalived)")
    lvscc = [sys.executable, "-m", "lvscc", "check"]
    with tempfile.TemporaryDirectory() as tmp:
        big, small, conf = Path(tmp, "big.lvs"), Path(tmp, "small.lvs"), Path(tmp, "keepalived.conf")
        big.write_text(lvs(args.services, args.servers))
        small.write_text(lvs(args.services // 10, args.servers))
        conf.write_text(keepalived(args.services, args.servers))
        ours = best_of(lvscc + [str(big)], args.runs)
        theirs = best_of([keepalived_bin, "-t", "-f", str(conf)], args.runs)
        tenth = best_of(lvscc + [str(small)], args.runs)
    print(f"cluster: {args.services} services x {args.servers} real servers (best of {args.runs})")
    print(f"lvscc check:       {ours:8.3f} s")
    print(f"keepalived -t -f:  {theirs:8.3f} s")
    print(f"ratio lvscc/keepalived: {ours / theirs:.2f}  (goal < 1.0)")
    print(f"scaling: {args.services // 10} -> {args.services} services took {ours / tenth:.1f}x the time (goal <= 11x)")


if __name__ == "__main__":
    main()
