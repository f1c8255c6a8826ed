"""Rendering of the host-side backends (iptables, ip6tables, nftables, arptables, sysctl, modules,
rs-kit): golden files for the guide's scenarios, plus the properties that goldens would only show
by accident (which hosts get which files, quoting, ordering, chunking)."""

from __future__ import annotations

import re
import shlex
import subprocess
from dataclasses import replace
from ipaddress import ip_network
from pathlib import Path

import pytest

import guide_hosts
from goldenfile import expect_tree
from lvscc.model.config import PortRange, Protocol
from lvscc.model.state import HostState, Intent, MarkRule, Origin, RedirectRule
from lvscc.render import registry, render

BACKENDS = ("iptables", "ip6tables", "nftables", "arptables", "sysctl", "modules", "rs-kit")
GOLDEN = Path(__file__).resolve().parents[1] / "golden"


def _golden_dir(case: str) -> Path:
    # "backend-" keeps these apart from the compiled samples' goldens of the same scenario.
    return GOLDEN / f"backend-{case}"


@pytest.mark.parametrize("case", sorted(guide_hosts.CASES))
def test_golden(case: str) -> None:
    rendered = {path: a.content for path, a in guide_hosts.artifacts(case, *BACKENDS).items()}
    expect_tree(_golden_dir(case), rendered, whole_directory=True)


@pytest.mark.parametrize("path", guide_hosts.SAMPLES, ids=lambda p: p.stem)
def test_golden_samples(path: Path) -> None:
    """The samples compiled end to end (other backends share these golden directories)."""
    rendered = {name: a.content for name, a in guide_hosts.sample_artifacts(path, *BACKENDS).items()}
    expect_tree(GOLDEN / path.stem, rendered, whole_directory=False)


def _files(case: str) -> set[str]:
    return set(guide_hosts.artifacts(case, *BACKENDS))


def test_each_host_gets_only_the_files_it_needs() -> None:
    assert _files("guide-multiport") == {"primary/rules.v4", "primary/lvscc.nft", "primary/lvscc.json",
                                         "primary/lvscc-sysctl.conf", "primary/lvscc-modules.conf"}
    assert _files("ipv6-marks") == {"primary/rules.v4", "primary/rules.v6", "primary/lvscc.nft", "primary/lvscc.json"}
    assert _files("guide-ftp") >= {"ftp1/lvscc-realserver.sh"} and not any(
        f.startswith("ftp1/") and not f.endswith(".sh") for f in _files("guide-ftp"))
    assert _files("guide-dr-arptables") == {"web1/arptables.rules", "web1/lvscc-realserver.sh"}


def test_directors_get_no_real_server_kit() -> None:
    director = HostState("primary", "director", addresses=guide_hosts.dr_sysctl().hosts[0].addresses,
                         arp=guide_hosts.dr_arptables().hosts[0].arp)
    produced = render(guide_hosts.config(), Intent("example", (director,)), [registry()["rs-kit"], registry()["arptables"]])
    assert produced == []


def test_layouts_place_files_where_the_distributions_load_them() -> None:
    rhel = set(guide_hosts.artifacts("ipv6-marks", *BACKENDS, layout="rhel"))
    debian = set(guide_hosts.artifacts("ipv6-marks", *BACKENDS, layout="debian"))
    assert {"primary/etc/sysconfig/iptables", "primary/etc/sysconfig/ip6tables", "primary/etc/nftables/lvscc.nft"} <= rhel
    assert {"primary/etc/iptables/rules.v4", "primary/etc/iptables/rules.v6", "primary/etc/nftables.d/lvscc.nft"} <= debian
    kit = guide_hosts.artifacts("dr-sysctl", *BACKENDS, layout="rhel")
    assert kit["web1/usr/local/sbin/lvscc-realserver.sh"].mode == 0o755
    assert "web1/etc/sysctl.d/90-lvscc.conf" in kit


def _mark_lines(ports: tuple[PortRange, ...]) -> list[str]:
    rule = MarkRule(7, ip_network("192.0.2.10/32"), Protocol.UDP, ports)
    host = HostState("primary", "director", marks=(rule,))
    (artifact,) = render(guide_hosts.config(), Intent("example", (host,)), [registry()["iptables"]])
    return [line for line in artifact.content.splitlines() if line.startswith("-A")]


def test_port_lists_longer_than_multiport_takes_are_split() -> None:
    singles = tuple(PortRange(p, p) for p in range(1000, 1020))
    lines = _mark_lines(singles)
    assert len(lines) == 2 and "--dports " + ",".join(map(str, range(1000, 1015))) + " " in lines[0]
    ranges = tuple(PortRange(p, p + 5) for p in range(2000, 2080, 10))  # 8 ranges = 16 slots > 15
    assert [line.count(":") for line in _mark_lines(ranges)] == [7, 1]
    assert "--dport 2070:2075 " in _mark_lines(ranges)[1]


HOSTILE = Origin("x.lvs", 1, 'service "web" \\ $(reboot)\n-A INPUT -j DROP')


def test_rule_comments_cannot_break_out_of_their_quotes() -> None:
    host = HostState("web1", "real-server", redirects=(RedirectRule(guide_hosts.VIP, Protocol.TCP, 80, HOSTILE),))
    produced = {a.path: a.content for a in render(guide_hosts.config(), Intent("example", (host,)),
                                                     [registry()[n] for n in ("iptables", "nftables", "rs-kit")])}
    rules = [line for line in produced["web1/rules.v4"].splitlines() if line.startswith("-A")]
    assert len(rules) == 1 and len(shlex.split(rules[0])) == len(shlex.split(_plain_redirect_line()))
    assert len(re.findall(r'comment "[^"]*"', produced["web1/lvscc.nft"])) == 1
    kit_line = next(line for line in produced["web1/lvscc-realserver.sh"].splitlines() if line.startswith("redirect_rule "))
    comment = shlex.split(kit_line)[shlex.split(kit_line).index("--comment") + 1]
    assert "$(reboot)" in comment and "\n" not in comment


def _plain_redirect_line() -> str:
    host = HostState("web1", "real-server", redirects=(RedirectRule(guide_hosts.VIP, Protocol.TCP, 80, HOSTILE),))
    host = replace(host, redirects=(replace(host.redirects[0], origin=Origin("x.lvs", 1, "service web")),))
    (artifact,) = render(guide_hosts.config(), Intent("example", (host,)), [registry()["iptables"]])
    return next(line for line in artifact.content.splitlines() if line.startswith("-A"))


def test_arptables_out_rule_matches_the_sender_not_the_guides_misprint() -> None:
    for case, (chain_in, chain_out) in (("guide-dr-arptables", ("INPUT", "OUTPUT")), ("guide-dr-arptables-jf", ("IN", "OUT"))):
        text = guide_hosts.artifacts(case, "arptables")["web1/arptables.rules"].content
        rules = [line for line in text.splitlines() if line.startswith("-A")]
        assert rules == [f"-A {chain_in} -d {guide_hosts.VIP} -j DROP",
                         f"-A {chain_out} -s {guide_hosts.VIP} -j mangle --mangle-ip-s 192.168.26.11"]
        assert "misprint" in text


@pytest.mark.parametrize("case", ["dr-sysctl", "guide-dr-arptables", "guide-dr-arptables-jf", "tunnel"])
def test_kit_hides_the_vip_from_arp_before_adding_it(case: str) -> None:
    lines = guide_hosts.artifacts(case, "rs-kit")["web1/lvscc-realserver.sh"].content.splitlines()
    first_vip = next(i for i, line in enumerate(lines) if line.startswith("ip addr replace"))
    arp_work = [i for i, line in enumerate(lines) if line.startswith(("sysctl ", "arp_rule "))]
    assert arp_work and max(arp_work) < first_vip


@pytest.mark.parametrize("case", sorted(guide_hosts.CASES))
def test_kit_is_posix_shell(case: str) -> None:
    for path, artifact in guide_hosts.artifacts(case, "rs-kit").items():
        checked = subprocess.run(["sh", "-n"], input=artifact.content, capture_output=True, text=True)
        assert checked.returncode == 0, f"{path}: {checked.stderr}"
        assert artifact.content.startswith("#!/bin/sh\n") and "\nset -eu\n" in artifact.content


@pytest.mark.parametrize("outer,vip,kind,fou", [
    ("203.0.113.21", "2001:db8::80", "sit", "gue\n"),
    ("2001:db8:2::21", "2001:db8::80", "ip6tnl", "gue -6\n"),
    ("203.0.113.21", "198.51.100.10", "ipip", "gue\n"),
])
def test_kit_creates_the_fallback_tunnel_of_the_right_kind(outer: str, vip: str, kind: str, fou: str) -> None:
    """sit0 and ip6tnl0 are not ipip devices, and an IPv6 GUE port needs -6: the kit must say so
    as the auditor's plan does."""
    from lvscc.load import load_text
    from lvscc.lower import lower

    config, diagnostics = load_text(f"""lvs t {{
      forwarding tunnel {{ type gue port 6080 }}
      service s {{ vip {vip} tcp 80 server edge {outer} }}
    }}""", "t.lvs")
    assert config is not None, diagnostics
    kit = render(config, lower(config), [registry()["rs-kit"]])[0].content
    assert f"type {kind}\n" in kit and f"ip fou add port 6080 {fou}" in kit
