"""`lvscc serve`'s monitoring counters (lvscc/serve/stats.py) against a real IPVS director
carrying traffic: the same ActiveConn, InActConn and Conns as `ipvsadm -Ln` prints. Conns is
summed from per-CPU counters by the kernel's rate estimator every two seconds, so it is read
once the estimator has seen all the traffic; the connection counts are live."""

from __future__ import annotations

import re
import time
from ipaddress import IPv4Address
from pathlib import Path

import pytest

from lvscc.serve.stats import StatsReader

from .ipvs import load_case
from .lab import VIP, NameServers, RealServer, connect, entered, get, in_netns

pytestmark = pytest.mark.kernel

SERVERS = [RealServer("rs1", IPv4Address("198.51.100.11"), "nat"),
           RealServer("rs2", IPv4Address("198.51.100.12"), "nat")]
DEST = re.compile(r"^\s+->\s+(\S+):(\d+)\s+\S+\s+\d+\s+(\d+)\s+(\d+)\s*$", re.M)  # -> addr:port Masq w act inact
TOTAL = re.compile(r"^\s+->\s+(\S+):(\d+)\s+(\d+)\s", re.M)  # --stats: -> addr:port Conns ...


def test_counters_match_ipvsadm(lab_factory, name_servers: NameServers, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    lab = lab_factory(SERVERS)
    load_case(lab.director, "nat", tmp_path)
    for rs in SERVERS:
        name_servers.listen(lab.netns_of[rs.name], rs.name, 80)
    answers = [get(lab.client, VIP) for _ in range(4)]  # closed: inactive until they expire
    held = connect(lab.client, VIP, 80)  # open: active
    try:
        deadline = time.monotonic() + 30
        with entered(lab.director):
            stats = StatsReader().stats()
            while sum(s.connections for s in stats.values()) < 5 and time.monotonic() < deadline:
                time.sleep(0.5)
                stats = StatsReader().stats()
        table = in_netns(lab.director, "ipvsadm", "-Ln")
        totals = in_netns(lab.director, "ipvsadm", "-Ln", "--stats")
    finally:
        held.close()
    assert sorted(answers) == ["rs1", "rs1", "rs2", "rs2"]
    ours = {(str(address), port): s for (_key, address, port), s in stats.items()}
    theirs = {(a, int(p)): (int(act), int(inact)) for a, p, act, inact in DEST.findall(table)}
    assert {k: (s.active, s.inactive) for k, s in ours.items()} == theirs, table
    assert {k: s.connections for k, s in ours.items()} == {(a, int(p)): int(n) for a, p, n in TOTAL.findall(totals)}
    assert sum(s.connections for s in ours.values()) == 5 and sum(s.active for s in ours.values()) == 1
