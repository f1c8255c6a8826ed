"""Live probes against real nft, iptables, arptables, sysctls and addresses in a throwaway
namespace: apply a known state, snapshot it, audit it clean; break it in three ways and see
exactly those drifts; apply the plan; audit clean again. IPVS itself needs the VM
(tests/kernel/test_audit_ipvs.py)."""

from __future__ import annotations

import sys
from ipaddress import ip_address, ip_interface, ip_network
from pathlib import Path

import pytest

from lvscc.audit import diff, scope_for
from lvscc.drift import Drift
from lvscc.model.config import AuditPolicy, PortRange, Protocol
from lvscc.model.state import Address, ArpRule, HostState, MarkRule, MasqueradeRule, RedirectRule, Sysctl
from lvscc.plan import Command, PlanOptions, plan
from lvscc.probes import Observation, from_dumps

from .lab import in_ns

pytestmark = pytest.mark.netns
REPO = Path(__file__).resolve().parents[2]
POLICY = AuditPolicy()

NFT_TABLE = """\
table inet lvscc {
  chain prerouting {
    type filter hook prerouting priority mangle; policy accept;
    ip daddr 192.0.2.10 tcp dport { 80, 443 } meta mark set 80 comment "lvscc: service web"
    ip daddr 192.0.2.10 tcp dport 21 meta mark set 21 comment "lvscc: service ftp"
  }
  chain nat_postrouting {
    type nat hook postrouting priority srcnat; policy accept;
    ip saddr 198.51.100.0/24 masquerade comment "lvscc: forwarding nat"
  }
}
"""
IPTABLES = """\
*nat
-A PREROUTING -d 192.0.2.20/32 -p tcp -m tcp --dport 80 -m comment --comment "lvscc: service web" -j REDIRECT
COMMIT
"""
ARPTABLES = [
    ("-A", "INPUT", "-d", "192.0.2.30", "-j", "DROP"),
    ("-A", "OUTPUT", "-s", "192.0.2.30", "-j", "mangle", "--mangle-ip-s", "198.51.100.5"),
]
SYSCTLS = {"net.ipv4.ip_forward": "1", "net.ipv4.conf.all.arp_ignore": "1"}

WEB_MARK = MarkRule(80, ip_network("192.0.2.10/32"), Protocol.TCP, (PortRange(80, 80), PortRange(443, 443)))
INTENT = HostState(
    "primary",
    "director",
    marks=(WEB_MARK, MarkRule(21, ip_network("192.0.2.10/32"), Protocol.TCP, (PortRange(21, 21),))),
    masquerades=(MasqueradeRule(ip_network("198.51.100.0/24")),),
    redirects=(RedirectRule(ip_address("192.0.2.20"), Protocol.TCP, 80),),
    arp=(ArpRule(ip_address("192.0.2.30"), ip_address("198.51.100.5")),),
    sysctls=tuple(Sysctl(k, v) for k, v in SYSCTLS.items()),
    addresses=(Address(ip_interface("192.0.2.10/32"), "lo"),),
)


def apply_known_state(ns: str) -> None:
    in_ns(ns, "nft", "-f", "-", stdin=NFT_TABLE)
    in_ns(ns, "iptables-restore", "--noflush", stdin=IPTABLES)
    for rule in ARPTABLES:
        in_ns(ns, "arptables", *rule)
    for key, value in SYSCTLS.items():
        in_ns(ns, "sysctl", "-qw", f"{key}={value}")
    in_ns(ns, "ip", "addr", "add", "192.0.2.10/32", "dev", "lo")


def snapshot(ns: str, directory: Path) -> Observation:
    in_ns(ns, sys.executable, "-m", "lvscc", "snapshot", str(directory))
    return from_dumps(directory, "primary", "director")


def audit(found: Observation) -> list[Drift]:
    return diff(INTENT, found.state, POLICY, scope_for(INTENT, POLICY, found.sections))


def apply_plan(ns: str, commands: list[Command]) -> None:
    for command in commands:
        in_ns(ns, *command.argv, stdin=command.stdin)


STABLE_DUMPS = ("nft.json", "iptables.rules", "ip6tables.rules", "arptables.rules", "addresses.json", "ipvsadm.rules",
                "routes.json", "routes6.json", "links.json", "fou.json")


def stable(directory: Path) -> dict[str, list[str]]:
    """The dumps minus the save tools' date comments."""
    return {n: [ln for ln in (directory / n).read_text().splitlines() if not ln.startswith("#")] for n in STABLE_DUMPS}


def test_live_audit_finds_exactly_what_was_broken_and_the_plan_repairs_it(netns: str, tmp_path: Path) -> None:
    ns = netns
    apply_known_state(ns)
    clean = snapshot(ns, tmp_path / "clean")
    assert {"netfilter", "arp", "sysctls", "addresses"} <= clean.sections
    assert audit(clean) == []

    # Auditing is read-only: a live probe between two snapshots changes nothing.
    in_ns(ns, sys.executable, "-c", "from lvscc.probes.live import collect; collect()")
    snapshot(ns, tmp_path / "after-probe")
    assert stable(tmp_path / "clean") == stable(tmp_path / "after-probe")

    # Break it: delete a mark rule, flip a sysctl, add a foreign rule.
    handle = next(m.origin.line for m in clean.state.marks if m.fwmark == 80)
    in_ns(ns, "nft", "delete", "rule", "inet", "lvscc", "prerouting", "handle", str(handle))
    in_ns(ns, "sysctl", "-qw", "net.ipv4.ip_forward=0")
    in_ns(ns, "iptables", "-t", "mangle", "-A", "PREROUTING", "-d", "203.0.113.9/32", "-j", "MARK", "--set-mark", "9")
    broken = snapshot(ns, tmp_path / "broken")
    drifts = audit(broken)
    assert [(d.kind, d.object, d.field, d.expected, d.observed) for d in drifts] == [
        ("missing", "mark rule fwmark 80 tcp to 192.0.2.10/32 ports 80,443", None, WEB_MARK, None),
        ("changed", "sysctl net.ipv4.ip_forward", "value", "1", "0"),
        ("foreign", "iptables -t mangle -A PREROUTING -d 203.0.113.9/32 -j MARK --set-xmark 0x9/0xffffffff", None, None, None),
    ]

    commands = plan(drifts, PlanOptions())
    assert [command.argv[0] for command in commands] == ["sysctl", "nft"]
    apply_plan(ns, commands)
    repaired = snapshot(ns, tmp_path / "repaired")
    assert [d.kind for d in audit(repaired)] == ["foreign"]


def test_extra_rules_are_deleted_exactly_where_they_were_found(netns: str, tmp_path: Path) -> None:
    ns = netns
    apply_known_state(ns)
    in_ns(ns, "nft", "add", "rule", "inet", "lvscc", "prerouting", "ip", "daddr", "192.0.2.10", "udp", "dport", "53",
          "meta", "mark", "set", "77")
    in_ns(ns, "iptables", "-t", "nat", "-A", "POSTROUTING", "-s", "203.0.113.0/24", "-m", "comment", "--comment",
          "lvscc: removed service", "-j", "MASQUERADE")
    in_ns(ns, "arptables", "-D", *ARPTABLES[1][1:])
    drifts = audit(snapshot(ns, tmp_path / "extra"))
    assert sorted((d.kind, d.object) for d in drifts if d.is_drift) == [
        ("extra", "mark rule fwmark 77 udp to 192.0.2.10/32 ports 53"),
        ("extra", "masquerade from 203.0.113.0/24"),
        ("missing", "arp mangle rule vip 192.0.2.30 real 198.51.100.5"),
    ]
    commands = plan(drifts)
    # The surviving drop rule of the half pair is left alone: only its mangle rule is added.
    assert [command.argv for command in commands if command.argv[0] == "arptables"] == [("arptables", "-A", *ARPTABLES[1][1:])]
    apply_plan(ns, commands)
    assert audit(snapshot(ns, tmp_path / "after")) == []
    saved = [ln for ln in in_ns(ns, "arptables-save").splitlines() if ln.startswith("-A")]
    assert len(saved) == 2, saved


def test_snapshot_writes_every_dump_and_a_profile(netns: str, tmp_path: Path) -> None:
    import json

    snapshot(netns, tmp_path)
    written = {p.name for p in tmp_path.iterdir()}
    assert {"ipvsadm.rules", "nft.json", "iptables.rules", "arptables.rules", "sysctl.txt", "addresses.json",
            "routes.json", "routes6.json", "links.json", "fou.json", "profile.json"} <= written
    assert not any(name.startswith(".") for name in written)  # no temporary file left behind
    profile = json.loads((tmp_path / "profile.json").read_text())
    assert set(profile) >= {"kernel", "ipvs_modules", "ipvsadm_weight_max", "nft_version"}
