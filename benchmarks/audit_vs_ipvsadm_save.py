"""Time the IPVS audit on a large table: the live probe (lvscc's lean generic-netlink reader,
then diff), the same dump decoded by pyroute2 (then diff), `ipvsadm-save -n` alone, and
`ipvsadm-save -n` parsed and diffed. The issue's figure is the first against save alone.

Needs root and a kernel with IPVS: run it inside the VM harness, e.g.
    vng --run /boot/vmlinuz-... --disable-kvm --memory 2G --exec \
        "cd $PWD && python3 benchmarks/audit_vs_ipvsadm_save.py"
It works in a throwaway network namespace, so it never touches the host's IPVS table.

usage: audit_vs_ipvsadm_save.py [--services 5000] [--dests 20] [--repeat 3] [--pyroute2-repeat 1]
                                [--skip-pyroute2]"""

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
from lvscc.probes.ipvs_netlink import read_ipvs  # noqa: E402
from lvscc.probes.live import ipvs_services_pyroute2  # noqa: E402


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
    parser.add_argument("--pyroute2-repeat", type=int, default=1, help="pyroute2 takes minutes under TCG")
    parser.add_argument("--skip-pyroute2", action="store_true")
    args = parser.parse_args()

    from pyroute2.netns import popns, pushns  # also what the pyroute2 variant needs imported: not timed

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

        def dumped(read: Callable[[], tuple[IpvsService, ...] | None],
                   then: Callable[[tuple[IpvsService, ...]], int] = audit) -> Callable[[], int]:
            def work() -> int:
                pushns(netns)
                try:
                    found = read()
                finally:
                    popns()
                return then(found or ())

            return work

        def save() -> int:
            return audit(parse_save(in_netns(netns, "ipvsadm-save", "-n")).services)

        def save_only() -> int:
            return len(in_netns(netns, "ipvsadm-save", "-n"))

        lean_s, lean_drifts = timed(args.repeat, dumped(read_ipvs))
        lean_dump_s, _ = timed(args.repeat, dumped(read_ipvs, len))
        save_only_s, _ = timed(args.repeat, save_only)
        save_s, save_drifts = timed(args.repeat, save)
        result: dict[str, object] = {
            "services": args.services,
            "dests_per_service": args.dests,
            "repeat": args.repeat,
            "load_with_ipvsadm_restore_s": round(load, 3),
            "lean_netlink_dump_and_diff_s": round(lean_s, 3),
            "lean_netlink_dump_alone_s": round(lean_dump_s, 3),
            "ipvsadm_save_alone_s": round(save_only_s, 3),
            "ipvsadm_save_parse_and_diff_s": round(save_s, 3),
        }
        drifts = [lean_drifts, save_drifts]  # all must be 0: the table is the intent
        if not args.skip_pyroute2:
            pyroute2_s, pyroute2_drifts = timed(args.pyroute2_repeat, dumped(ipvs_services_pyroute2))
            result.update(pyroute2_netlink_dump_and_diff_s=round(pyroute2_s, 3), pyroute2_repeat=args.pyroute2_repeat)
            drifts.append(pyroute2_drifts)
        # the figure: a whole lvscc audit of the table against the save tool alone
        result.update(ratio_audit_to_ipvsadm_save=round(lean_s / save_only_s, 2), drifts=drifts)
        print(json.dumps(result, indent=2))
        return 0 if not any(drifts) else 1
    finally:
        subprocess.run(["ip", "netns", "del", netns], check=False)


if __name__ == "__main__":
    sys.exit(main())
