"""Time the IPVS audit on a large table: the live probe (getsockopt for the real servers of IPv4
services, generic netlink for the rest: lvscc/probes/ipvs_sockopt.py), the same probe on netlink
alone, `ipvsadm-save -n` alone, and `ipvsadm-save -n` parsed and diffed; optionally pyroute2's
decoding. The issue's figure is the whole audit (probe + diff) against save alone. Each round runs
every variant once (A B C A B C ...); medians and the median of the per-round ratios are printed.

Needs root and a kernel with IPVS. On a host without (the usual case), one command boots the
kernel-test VM (tests/test_kernel_vm.py: same kernel, same lock) and runs itself inside:
    .venv/bin/python benchmarks/audit_vs_ipvsadm_save.py --vm
It works in a throwaway network namespace, so it never touches the host's IPVS table.

usage: audit_vs_ipvsadm_save.py [--vm] [--services 5000] [--dests 20] [--rounds 3]
                                [--pyroute2-repeat 0]"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import secrets
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from lvscc.audit import diff, scope_for  # noqa: E402
from lvscc.model.config import AuditPolicy  # noqa: E402
from lvscc.model.state import HostState, IpvsService  # noqa: E402
from lvscc.probes.ipvsadm import parse_save  # noqa: E402
from lvscc.probes.ipvs_netlink import IpvsReader, read_ipvs  # noqa: E402
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


def netlink_only() -> tuple[IpvsService, ...]:
    with IpvsReader() as reader:
        return reader.services(sockopt=False)


def rounds(count: int, variants: dict[str, Callable[[], int]]) -> dict[str, list[tuple[float, int]]]:
    """Every variant once per round, in order: (seconds, result) per round."""
    found: dict[str, list[tuple[float, int]]] = {name: [] for name in variants}
    for _ in range(count):
        for name, work in variants.items():
            start = time.perf_counter()
            result = work()
            found[name].append((time.perf_counter() - start, result))
    return found


def in_vm(argv: list[str]) -> int:
    """Run this script inside the kernel-test VM, under the lock that serialises VMs machine-wide."""
    sys.path.insert(0, str(REPO / "tests"))
    import pytest
    from test_kernel_vm import BLACKLIST, VM_LOCK, guest_python, prerequisites

    try:
        kernel, vng = prerequisites()
    except (pytest.skip.Exception, pytest.fail.Exception) as missing:  # what the harness skips on
        print(f"audit_vs_ipvsadm_save.py --vm: {missing}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="lvscc-bench-") as out, open(VM_LOCK, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        script = (f"PYTHONDONTWRITEBYTECODE=1 {guest_python()} {Path(__file__).resolve()} {shlex.join(argv)}"
                  f" > {out}/result 2>&1; echo $? > {out}/rc")
        env = {**os.environ, "PATH": f"{Path(vng).parent}{os.pathsep}{os.environ.get('PATH', os.defpath)}"}
        subprocess.run([vng, "--run", str(kernel), "--disable-kvm", "--cpus", "2", "--memory", "2G",
                        "--append", BLACKLIST, "--rwdir", out, "--cwd", str(REPO), "--exec", script],
                       stdin=subprocess.DEVNULL, capture_output=True, env=env, timeout=3600, check=False)
        result, rc = Path(out, "result"), Path(out, "rc")
        print(result.read_text() if result.exists() else "the guest wrote no result", end="")
        return int(rc.read_text()) if rc.exists() else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vm", action="store_true", help="boot the kernel-test VM and run there")
    parser.add_argument("--services", type=int, default=5000)
    parser.add_argument("--dests", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--pyroute2-repeat", type=int, default=0, help="pyroute2 takes minutes under TCG")
    args = parser.parse_args()
    if args.vm:
        return in_vm([a for a in sys.argv[1:] if a != "--vm"])

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

        variants = {
            "probe_dump_and_diff": dumped(read_ipvs),
            "ipvsadm_save_alone": lambda: len(in_netns(netns, "ipvsadm-save", "-n")),
            "probe_dump_alone": dumped(read_ipvs, len),
            "netlink_only_dump_alone": dumped(netlink_only, len),
            "ipvsadm_save_parse_and_diff": lambda: audit(parse_save(in_netns(netns, "ipvsadm-save", "-n")).services),
        }
        runs = rounds(args.rounds, variants)
        result: dict[str, object] = {
            "services": args.services,
            "dests_per_service": args.dests,
            "rounds": args.rounds,
            "cpus": os.cpu_count(),
            "load_with_ipvsadm_restore_s": round(load, 3),
            **{f"{name}_s": round(statistics.median(t for t, _ in found), 3) for name, found in runs.items()},
        }
        # all must be 0: the table is the intent
        drifts = [runs["probe_dump_and_diff"][-1][1], runs["ipvsadm_save_parse_and_diff"][-1][1]]
        if args.pyroute2_repeat:
            pyroute2 = rounds(args.pyroute2_repeat, {"pyroute2": dumped(ipvs_services_pyroute2)})["pyroute2"]
            result.update(pyroute2_dump_and_diff_s=round(statistics.median(t for t, _ in pyroute2), 3))
            drifts.append(pyroute2[-1][1])
        paired = [a / b for (a, _), (b, _) in zip(runs["probe_dump_and_diff"], runs["ipvsadm_save_alone"])]
        # the figure: a whole lvscc audit of the table against the save tool alone, per round
        result.update(ratio_audit_to_ipvsadm_save=round(statistics.median(paired), 2),
                      ratios_per_round=[round(r, 2) for r in paired], drifts=drifts)
        print(json.dumps(result, indent=2))
        return 0 if not any(drifts) else 1
    finally:
        subprocess.run(["ip", "netns", "del", netns], check=False)


if __name__ == "__main__":
    sys.exit(main())
