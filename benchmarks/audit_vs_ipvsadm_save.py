"""Time the IPVS audit two ways on a large table: the live probe (generic netlink dump through
pyroute2, then diff) against `ipvsadm-save -n` (parse its text, then diff).

Needs root and a kernel with IPVS: run it inside the VM harness, e.g.
    vng --run /boot/vmlinuz-... --disable-kvm --memory 2G --exec \
        "cd $PWD && python3 benchmarks/audit_vs_ipvsadm_save.py"
It works in a throwaway network namespace, so it never touches the host's IPVS table.

usage: audit_vs_ipvsadm_save.py [--services 5000] [--dests 20] [--repeat 3]"""

from __future__ import annotations

import argparse
import json
import secrets
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lvscc.audit import diff, scope_for  # noqa: E402
from lvscc.model.config import AuditPolicy  # noqa: E402
from lvscc.model.state import HostState, IpvsService  # noqa: E402
from lvscc.probes.ipvsadm import parse_save  # noqa: E402
from lvscc.probes.live import ipvs_services  # noqa: E402


def table(services: int, dests: int) -> str:
    """`services` TCP services on 192.0.2.1-250 (20 ports each), each with `dests` NAT real servers."""
    lines = []
    for n in range(services):
        vip = f"192.0.2.{n % 250 + 1}:{8000 + n // 250}"
        lines.append(f"-A -t {vip} -s wlc")
        lines += [f"-a -t {vip} -r 198.51.100.{d + 1}:80 -m -w 1" for d in range(dests)]
    return "".join(line + "\n" for line in lines)


def in_netns(netns: str, *argv: str, stdin: str | None = None) -> str:
    return subprocess.run(["ip", "netns", "exec", netns, *argv], input=stdin, capture_output=True, text=True,
                          check=True).stdout


def timed(repeat: int, work: Callable[[], int]) -> tuple[float, int]:
    runs, drifts = [], 0
    for _ in range(repeat):
        start = time.perf_counter()
        drifts = work()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs), drifts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=5000)
    parser.add_argument("--dests", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    from pyroute2.netns import popns, pushns

    netns = f"lvscc-bench-{secrets.token_hex(3)}"
    subprocess.run(["ip", "netns", "add", netns], check=True)
    try:
        subprocess.run(["ip", "-n", netns, "link", "set", "lo", "up"], check=True)
        rules = table(args.services, args.dests)
        start = time.perf_counter()
        in_netns(netns, "ipvsadm-restore", stdin=rules)
        load = time.perf_counter() - start
        intent = HostState("primary", "director", ipvs=parse_save(rules).services)
        policy = AuditPolicy()
        scope = scope_for(intent, policy, {"ipvs"})

        def audit(observed: tuple[IpvsService, ...]) -> int:
            return len(diff(intent, HostState("primary", "director", ipvs=observed), policy, scope))

        def netlink() -> int:
            pushns(netns)
            try:
                found = ipvs_services()
            finally:
                popns()
            return audit(found or ())

        def save() -> int:
            return audit(parse_save(in_netns(netns, "ipvsadm-save", "-n")).services)

        def save_only() -> int:
            return len(in_netns(netns, "ipvsadm-save", "-n"))

        netlink_s, netlink_drifts = timed(args.repeat, netlink)
        save_s, save_drifts = timed(args.repeat, save)
        save_only_s, _ = timed(args.repeat, save_only)
        result = {
            "services": args.services,
            "dests_per_service": args.dests,
            "load_with_ipvsadm_restore_s": round(load, 3),
            "netlink_dump_and_diff_s": round(netlink_s, 3),
            "ipvsadm_save_parse_and_diff_s": round(save_s, 3),
            "ipvsadm_save_alone_s": round(save_only_s, 3),
            # the figure: a whole lvscc audit of the table against the save tool alone
            "ratio_audit_to_ipvsadm_save": round(netlink_s / save_only_s, 2),
            "drifts": [netlink_drifts, save_drifts],  # both must be 0: the table is the intent
        }
        print(json.dumps(result, indent=2))
        return 0 if netlink_drifts == save_drifts == 0 else 1
    finally:
        subprocess.run(["ip", "netns", "del", netns], check=False)


if __name__ == "__main__":
    sys.exit(main())
