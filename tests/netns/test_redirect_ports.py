"""Direct routing by iptables REDIRECT (guide §3.2.2) for services that are not one port: a
firewall-mark service redirects each marked range, a port-0 service every port of its protocol.
Loaded by the real tools, then read back by the auditor's probes as exactly what was meant."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from lvscc.load import load_text
from lvscc.lower import lower
from lvscc.probes.netfilter import parse_iptables_save, parse_nft
from lvscc.render import registry, render

pytestmark = pytest.mark.netns

CONFIG = """lvs r {
  forwarding direct { arp redirect }
  service web { vip 192.0.2.10 fwmark 80 { tcp 80, 8000-8100 } persistence 300s server rs1 192.0.2.21 }
  service all { vip 192.0.2.11 udp 0 persistence 300s server rs1 192.0.2.21 }
}"""


def ns(netns: str, *argv: str, stdin: str | None = None) -> str:
    done = subprocess.run(["ip", "netns", "exec", netns, *argv], input=stdin, capture_output=True, text=True)
    assert done.returncode == 0, f"{' '.join(argv)}: {done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def compiled() -> tuple[object, dict[str, str]]:
    config, diagnostics = load_text(CONFIG, "r.lvs")
    assert config is not None, diagnostics
    intent = lower(config).host("rs1")
    files = {a.path.split("/")[-1]: a.content
             for a in render(config, lower(config), [registry()[n] for n in ("iptables", "nftables", "rs-kit")])
             if a.host == "rs1"}
    return intent, files


def test_iptables_redirects_ranges_and_every_port(netns: str, compiled: tuple, tmp_path: Path) -> None:
    intent, files = compiled
    ns(netns, "iptables-restore", "--test", stdin=files["rules.v4"])
    ns(netns, "iptables-restore", stdin=files["rules.v4"])
    saved = ns(netns, "iptables-save", "-t", "nat")
    assert "--dport 8000:8100" in saved and "-p udp -m comment" in saved
    assert sorted(parse_iptables_save(saved).owned, key=repr) == sorted(intent.redirects, key=repr)


def test_nft_redirects_ranges_and_every_port(netns: str, compiled: tuple) -> None:
    intent, files = compiled
    ns(netns, "nft", "-c", "-f", "-", stdin=files["lvscc.nft"])
    ns(netns, "nft", "-f", "-", stdin=files["lvscc.nft"])
    found = parse_nft(ns(netns, "nft", "-j", "list", "ruleset"), "lvscc")
    assert sorted(found.owned, key=repr) == sorted(intent.redirects, key=repr)


def test_the_kit_installs_the_same_rules_twice_over(netns: str, compiled: tuple, tmp_path: Path) -> None:
    intent, files = compiled
    kit = tmp_path / "kit.sh"
    kit.write_text(files["lvscc-realserver.sh"])
    for _ in range(2):
        ns(netns, "sh", str(kit))
    assert sorted(parse_iptables_save(ns(netns, "iptables-save", "-t", "nat")).owned, key=repr) == \
        sorted(intent.redirects, key=repr)
