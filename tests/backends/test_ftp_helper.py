"""The FTP conntrack helper: kernels >= 6.0 attach none by themselves, so the director's compiled
rules must (LVS135). Every FTP service, NAT or direct routing, gets it in iptables' raw table and
in the nft table; the real tools accept both, and the probes read them back as the intent."""

from __future__ import annotations

import subprocess
from dataclasses import replace
from ipaddress import ip_address
from pathlib import Path

import pytest

from lvscc.load import load_text
from lvscc.lower import lower
from lvscc.model.config import Protocol
from lvscc.model.state import HelperRule
from lvscc.probes.netfilter import parse_iptables_save, parse_nft
from lvscc.render import registry, render

FTP = """
lvs files {{
  director primary {{ public 192.0.2.9 dev eth0  private 198.51.100.9 dev eth1 }}
  forwarding {forwarding}
  service ftp {{
    vip {vip} dev eth0:1
    ftp
    persistence 600s
    server ftp1 {server}
  }}
  service web {{
    vip {vip} dev eth0:1
    tcp 80
    server web1 {server}
  }}
}}
"""
CASES = {
    "nat": dict(forwarding="nat { gateway 198.51.100.1/24 dev eth1:1 }", vip="192.0.2.21", server="198.51.100.5"),
    "direct": dict(forwarding="direct { arp sysctl }", vip="192.0.2.21", server="192.0.2.5"),
    "nat6": dict(forwarding="nat { gateway 2001:db8:1::1/64 dev eth1:1 }", vip="2001:db8::21", server="2001:db8:1::5"),
}


def _director(case: str):
    config, diagnostics = load_text(FTP.format(**CASES[case]), f"{case}.lvs")
    assert config is not None, diagnostics
    return config, lower(config)


def _files(case: str) -> dict[str, str]:
    config, intent = _director(case)
    backends = [registry()[name] for name in ("iptables", "ip6tables", "nftables")]
    return {a.path: a.content for a in render(config, intent, backends) if a.host == "primary"}


@pytest.mark.parametrize("case", CASES)
def test_only_the_ftp_control_port_gets_the_helper(case: str) -> None:
    _, intent = _director(case)
    vip = ip_address(CASES[case]["vip"])
    assert intent.host("primary").helpers == (HelperRule("ftp", vip, Protocol.TCP, 21),)
    assert all(not h.helpers for h in intent.hosts if h.role == "real-server")


@pytest.mark.parametrize("case", CASES)
def test_iptables_raw_table_assigns_the_helper(case: str, netns: str) -> None:
    files = _files(case)
    tool, name = ("ip6tables", "primary/rules.v6") if case == "nat6" else ("iptables", "primary/rules.v4")
    text = files[name]
    assert "*raw\n" in text and "-j CT --helper ftp" in text
    run = ["ip", "netns", "exec", netns]
    subprocess.run([*run, f"{tool}-restore", "--test"], input=text, check=True, text=True, timeout=60)
    subprocess.run([*run, f"{tool}-restore"], input=text, check=True, text=True, timeout=60)
    saved = subprocess.run([*run, f"{tool}-save"], check=True, capture_output=True, text=True, timeout=60).stdout
    _, intent = _director(case)
    assert tuple(r for r in parse_iptables_save(saved).owned if isinstance(r, HelperRule)) == intent.host("primary").helpers


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("notation", ["lvscc.nft", "lvscc.json"])
def test_nft_table_assigns_the_helper(case: str, notation: str, netns: str, tmp_path: Path) -> None:
    script = tmp_path / notation  # from a file: nft 1.0.6 reads JSON from stdin unreliably
    script.write_text(_files(case)[f"primary/{notation}"])
    run = ["ip", "netns", "exec", netns, "nft", *(["-j"] if notation.endswith("json") else [])]
    subprocess.run([*run, "-c", "-f", str(script)], check=True, text=True, timeout=60)
    for _ in range(2):  # replaces its table: loads twice in a row
        subprocess.run([*run, "-f", str(script)], check=True, text=True, timeout=60)
    listed = subprocess.run(["ip", "netns", "exec", netns, "nft", "-j", "list", "ruleset"],
                            check=True, capture_output=True, text=True, timeout=60).stdout
    found = parse_nft(listed, "lvscc")
    _, intent = _director(case)
    assert tuple(r for r in found.owned if isinstance(r, HelperRule)) == intent.host("primary").helpers
    assert not found.foreign


def test_audit_reports_a_missing_helper_and_the_plan_leaves_it_to_a_reload() -> None:
    from lvscc.audit import diff, scope_for
    from lvscc.model.config import AuditPolicy
    from lvscc.plan import PlanOptions, plan

    _, intent = _director("nat")
    wanted = intent.host("primary")
    observed = replace(wanted, helpers=())
    drifts = diff(wanted, observed, AuditPolicy(), scope_for(wanted, AuditPolicy(), frozenset({"netfilter"})))
    assert [(d.kind, d.object) for d in drifts] == [("missing", "conntrack helper ftp for tcp 192.0.2.21:21")]
    assert plan(drifts, PlanOptions()) == []  # no single command re-attaches it: reload the compiled rules
