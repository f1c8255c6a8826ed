"""A NAT real server, for real, in a throwaway namespace: the compiled kit sets its default route
via the director's NAT gateway and `lvscc audit --host web1` run inside the namespace finds it
in sync; without that route (the classic LVS-NAT failure, V15: replies bypass the director) or
with one via another gateway it reports drift; `lvscc plan`'s script puts it back.

The NIC is a veth pair: this host's kernel has no dummy driver (nor ipip, gre or fou, so the
tunnel devices are tested on text in test_probes.py)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from lvscc.load import load_file
from lvscc.lower import lower
from lvscc.model.state import HostState

from .lab import in_ns

pytestmark = pytest.mark.netns
REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "samples" / "guide-nat.lvs"
HOST = "web1"


def lvscc(ns: str, *argv: str) -> tuple[int, str]:
    done = subprocess.run(["ip", "netns", "exec", ns, sys.executable, "-m", "lvscc", *argv],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode in (0, 1), f"lvscc {' '.join(argv)} exited {done.returncode}: {done.stderr}"
    return done.returncode, done.stdout


def audit(ns: str) -> tuple[int, dict]:
    code, out = lvscc(ns, "audit", str(SAMPLE), "--host", HOST, "--format", "json")
    return code, json.loads(out)


def cable(ns: str, host: HostState) -> None:
    """What the kit expects of its machine: a NIC with the server's address and the NAT
    gateway reachable on it (the kit sets the route, not the cabling)."""
    assert host.address is not None and host.routes
    in_ns(ns, "ip", "link", "add", "nic0", "type", "veth", "peer", "name", "nic0p")
    for link in ("nic0", "nic0p"):
        in_ns(ns, "ip", "link", "set", link, "up")
    in_ns(ns, "ip", "addr", "add", f"{host.address}/{host.address.max_prefixlen}", "dev", "nic0")
    for route in host.routes:
        in_ns(ns, "ip", "route", "add", str(route.gateway), "dev", "nic0")


def test_nat_real_server_route_audit_drift_and_repair(netns: str, tmp_path: Path) -> None:
    ns = netns
    config, _ = load_file(SAMPLE)
    assert config is not None
    host = lower(config).host(HOST)
    cable(ns, host)
    code, _ = lvscc(ns, "compile", str(SAMPLE), "-o", str(tmp_path), "--backend", "rs-kit")
    assert code == 0
    in_ns(ns, "sh", str(tmp_path / HOST / "lvscc-realserver.sh"))

    code, report = audit(ns)
    assert (code, report["in_sync"], report["drifts"]) == (0, True, [])
    assert "routes" in report["audited"] and not any("route" in n for n in report["notes"])

    # The default route gone: replies to clients would leave by no route at all.
    in_ns(ns, "ip", "route", "del", "default")
    code, report = audit(ns)
    assert code == 1
    assert [(d["kind"], d["object"], d["section"]) for d in report["drifts"]] == [
        ("missing", "ipv4 route default via 10.11.12.10", "routes")]
    repair(ns, tmp_path / "missing.sh", ["ip -4 route replace default via 10.11.12.10"])
    code, report = audit(ns)
    assert (code, report["drifts"]) == (0, [])

    # A default route via another router on the wire: replies bypass the director.
    in_ns(ns, "ip", "route", "add", "10.11.12.254", "dev", "nic0")
    in_ns(ns, "ip", "route", "replace", "default", "via", "10.11.12.254")
    code, report = audit(ns)
    assert code == 1
    assert [(d["kind"], d["field"], d["expected"], d["observed"]) for d in report["drifts"]] == [
        ("changed", "gateway", "10.11.12.10", "10.11.12.254")]
    repair(ns, tmp_path / "changed.sh", ["ip -4 route replace default via 10.11.12.10"])
    code, report = audit(ns)
    assert (code, report["drifts"]) == (0, [])
    assert [r["gateway"] for r in json.loads(in_ns(ns, "ip", "-j", "route", "show", "default"))] == ["10.11.12.10"]


def repair(ns: str, script: Path, expected: list[str]) -> None:
    """`lvscc plan` for the host, checked for exactly the expected commands, run in the namespace."""
    code, text = lvscc(ns, "plan", str(SAMPLE), "--host", HOST)
    assert code == 1
    assert [ln for ln in text.splitlines() if ln and not ln.startswith(("#", "set "))] == expected
    script.write_text(text)
    in_ns(ns, "sh", str(script))
