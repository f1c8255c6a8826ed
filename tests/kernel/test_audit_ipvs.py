"""The IPVS live probe against a real kernel: what netlink returns, turned into IpvsServices,
must print exactly as `ipvsadm-save -n` prints the same table, audit clean against it, show the
drift ipvsadm made, and be repaired by the plan's commands."""

from __future__ import annotations

from dataclasses import replace
from ipaddress import ip_address
from pathlib import Path

import pytest
from pyroute2.netns import popns, pushns

from lvscc.audit import diff, scope_for
from lvscc.model.config import AuditPolicy, WeightPolicy
from lvscc.model.state import HostState, IpvsService
from lvscc.plan import plan
from lvscc.probes import from_dumps
from lvscc.probes.ipvsadm import format_save, parse_save
from lvscc.probes.live import ipvs_services, write_snapshot

from .lab import in_netns

pytestmark = pytest.mark.kernel

# Every field the probe decodes: persistence with a netmask, the HASHED flag every service has,
# scheduler flags, one-packet scheduling, IPv6, a firewall mark, each forwarding method, a GUE
# tunnel with checksum, and a quiesced server.
TABLE = """\
-A -t 192.0.2.10:80 -s wrr -p 300 -M 255.255.255.0
-a -t 192.0.2.10:80 -r 198.51.100.2:80 -m -w 3
-a -t 192.0.2.10:80 -r 198.51.100.3:8080 -m -w 0
-A -u 192.0.2.10:53 -s sh -o -b sh-fallback,sh-port
-a -u 192.0.2.10:53 -r 198.51.100.2:53 -g -w 1
-A -t [2001:db8::10]:443 -s rr
-a -t [2001:db8::10]:443 -r [2001:db8::2]:443 -m -w 2
-A -f 21 -s rr -p 120
-a -f 21 -r 198.51.100.4:0 -g -w 1
-a -f 21 -r 198.51.100.5:0 -i -w 1 --tun-type gue --tun-port 6080 --tun-csum
"""
THRESHOLDS = ("-e", "-t", "192.0.2.10:80", "-r", "198.51.100.2:80", "-m", "-w", "3", "-x", "100", "-y", "10")
MANAGED = AuditPolicy(weight=WeightPolicy.MANAGED)


def live_table(netns: str) -> tuple[IpvsService, ...]:
    pushns(netns)
    try:
        found = ipvs_services()
    finally:
        popns()
    assert found is not None, "IPVS netlink family missing inside the guest"
    return found


def loaded(netns: str) -> HostState:
    in_netns(netns, "ipvsadm-restore", stdin=TABLE)
    in_netns(netns, "ipvsadm", *THRESHOLDS)
    intent = parse_save(TABLE).services
    web = intent[0]
    dests = (replace(web.dests[0], upper=100, lower=10), web.dests[1])
    return HostState("primary", "director", ipvs=(replace(web, dests=dests), *intent[1:]))


def audit(intent: HostState, observed: tuple[IpvsService, ...], policy: AuditPolicy = MANAGED):
    return diff(intent, replace(intent, ipvs=observed), policy, scope_for(intent, policy, {"ipvs", "thresholds"}))


def test_netlink_table_prints_as_ipvsadm_save(ipvs_netns: str) -> None:
    loaded(ipvs_netns)
    assert format_save(live_table(ipvs_netns), thresholds=False) == in_netns(ipvs_netns, "ipvsadm-save", "-n")


def test_live_table_audits_clean_then_shows_ipvsadm_changes_and_plan_repairs(ipvs_netns: str) -> None:
    intent = loaded(ipvs_netns)
    assert audit(intent, live_table(ipvs_netns)) == []

    in_netns(ipvs_netns, "ipvsadm", "-e", "-t", "192.0.2.10:80", "-r", "198.51.100.2:80", "-m", "-w", "7", "-x", "100", "-y", "10")
    in_netns(ipvs_netns, "ipvsadm", "-E", "-f", "21", "-s", "wlc", "-p", "120")
    in_netns(ipvs_netns, "ipvsadm", "-d", "-u", "192.0.2.10:53", "-r", "198.51.100.2:53")
    in_netns(ipvs_netns, "ipvsadm", "-A", "-t", "203.0.113.5:80", "-s", "rr")  # someone else's service
    drifts = audit(intent, live_table(ipvs_netns))
    assert [(d.kind, d.object, d.field, d.expected, d.observed) for d in drifts] == [
        ("changed", "dest 198.51.100.2:80 of tcp 192.0.2.10:80", "weight", 3, 7),
        ("missing", "dest 198.51.100.2:53 of udp 192.0.2.10:53", None, intent.ipvs[1].dests[0], None),
        ("changed", "ipvs service fwmark 21", "scheduler", "rr", "wlc"),
        ("foreign", "ipvs service tcp 203.0.113.5:80", None, None, live_table(ipvs_netns)[1]),
    ]

    for op in plan(drifts):
        in_netns(ipvs_netns, *op.argv)
    after = audit(intent, live_table(ipvs_netns))
    assert [(d.kind, d.object) for d in after] == [("foreign", "ipvs service tcp 203.0.113.5:80")]


def test_quiesced_server_is_not_drift_under_the_default_policy(ipvs_netns: str) -> None:
    intent = loaded(ipvs_netns)
    in_netns(ipvs_netns, "ipvsadm", "-e", "-t", "192.0.2.10:80", "-r", "198.51.100.2:80", "-m", "-w", "0", "-x", "100", "-y", "10")
    drifts = audit(intent, live_table(ipvs_netns), AuditPolicy())
    assert [(d.kind, d.field, d.observed) for d in drifts] == [("quiesced", "weight", 0)]
    assert plan(drifts) == []


def test_snapshot_in_the_namespace_carries_thresholds(ipvs_netns: str, tmp_path: Path) -> None:
    intent = loaded(ipvs_netns)
    pushns(ipvs_netns)
    try:
        write_snapshot(tmp_path)
    finally:
        popns()
    found = from_dumps(tmp_path, "primary", "director")
    assert {"ipvs", "thresholds"} <= found.sections
    assert found.state.ipvs == intent.ipvs
    assert found.state.ipvs[0].dests[0].upper == 100
    assert ip_address("192.0.2.10") in {s.address for s in found.state.ipvs}
