"""The iptables, ip6tables and nftables backends, loaded for real into a fresh namespace and read
back with the tools' own dump commands; what the kernel holds is compared, rule for rule, with
what the host state meant (and, for the guide's scenarios, with the guide's own commands)."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import pytest

import guide_hosts
from netfilter_readback import appended, meant, nft_rules, saved_rules

pytestmark = pytest.mark.netns

NFT_CASES = [c for c in guide_hosts.CASES if any(meant(h) for h in guide_hosts.CASES[c]().hosts)]


def _write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


@pytest.mark.parametrize("notation", ["lvscc.nft", "lvscc.json"])
@pytest.mark.parametrize("case", NFT_CASES)
def test_nft_loads_twice_keeps_foreign_tables_and_means_the_host_state(case, notation, in_netns, tmp_path):
    intent = guide_hosts.CASES[case]()
    rendered = guide_hosts.artifacts(case, "nftables")
    in_netns("nft", "-f", "-", input="table ip foreign { chain c { type filter hook input priority 0; tcp dport 22 accept; }; }")
    for host in intent.hosts:
        if not meant(host):
            continue
        path = _write(tmp_path, notation, rendered[f"{host.host}/{notation}"].content)
        json_flag = ["-j"] if notation.endswith(".json") else []
        in_netns("nft", *json_flag, "-c", "-f", path)
        in_netns("nft", *json_flag, "-f", path)
        in_netns("nft", *json_flag, "-f", path)  # the add + delete idiom makes a reload a replace
        ruleset = json.loads(in_netns("nft", "-j", "list", "ruleset").stdout)
        assert nft_rules(ruleset, "lvscc") == meant(host)
        foreign = in_netns("nft", "list", "table", "ip", "foreign").stdout
        assert "tcp dport 22 accept" in foreign


def test_nft_table_name_comes_from_the_audit_policy(in_netns, tmp_path):
    text = guide_hosts.artifacts("guide-ftp", "nftables", nft_table="lb_marks")["primary/lvscc.nft"].content
    in_netns("nft", "-f", _write(tmp_path, "lvscc.nft", text))
    tables = in_netns("nft", "list", "tables").stdout.split("\n")
    assert "table inet lb_marks" in tables and "table inet lvscc" not in tables


def test_nft_text_and_json_load_to_the_same_ruleset(in_netns, tmp_path):
    rendered = guide_hosts.artifacts("ipv6-marks", "nftables")
    listings = []
    for notation, flag in (("lvscc.nft", []), ("lvscc.json", ["-j"])):
        in_netns("nft", *flag, "-f", _write(tmp_path, notation, rendered[f"primary/{notation}"].content))
        listings.append(in_netns("nft", "list", "table", "inet", "lvscc").stdout)
    assert listings[0] == listings[1]


# --- iptables / ip6tables -------------------------------------------------------------------------

TOOLS = {4: ("iptables", "rules.v4"), 6: ("ip6tables", "rules.v6")}
IPT_CASES = [(c, family) for c in guide_hosts.CASES for family in (4, 6)
             if any(meant(h, family) for h in guide_hosts.CASES[c]().hosts)]


@pytest.mark.parametrize("case,family", IPT_CASES)
def test_iptables_restore_means_the_host_state_and_leaves_the_filter_table_alone(case, family, in_netns, tmp_path):
    tool, file = TOOLS[family]
    rendered = guide_hosts.artifacts(case, "iptables", "ip6tables")
    in_netns(tool, "-A", "INPUT", "-p", "tcp", "--dport", "22", "-j", "ACCEPT")  # an operator's own rule
    for host in guide_hosts.CASES[case]().hosts:
        if not meant(host, family):
            continue
        path = _write(tmp_path, file, rendered[f"{host.host}/{file}"].content)
        in_netns(f"{tool}-restore", "--test", path)
        in_netns(f"{tool}-restore", path)
        in_netns(f"{tool}-restore", path)  # whole-table replace: a second load changes nothing
        saved = in_netns(f"{tool}-save").stdout
        assert saved_rules(saved) == meant(host, family)
        assert all(words[words.index("--comment") + 1].startswith("lvscc") for words in appended(saved))
        assert "-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT" in saved


VIP = guide_hosts.VIP
GUIDE_COMMANDS = {
    # guide §3.4 (n.n.n.n = the VIP)
    "guide-multiport": [
        f"iptables -t mangle -A PREROUTING -p tcp -d {VIP}/32 --dport 80 -j MARK --set-mark 80",
        f"iptables -t mangle -A PREROUTING -p tcp -d {VIP}/32 --dport 443 -j MARK --set-mark 80",
    ],
    # guide §3.5 (n.n.n.0/24 = the NAT side's network)
    "guide-ftp": [
        "iptables -t nat -A POSTROUTING -p tcp -s 10.11.12.0/24 --sport 20 -j MASQUERADE",
        f"iptables -t mangle -A PREROUTING -p tcp -d {VIP}/32 --dport 21 -j MARK --set-mark 21",
        f"iptables -t mangle -A PREROUTING -p tcp -d {VIP}/32 --dport 10000:20000 -j MARK --set-mark 21",
    ],
    # guide §3.2.2, once per VIP, port and protocol
    "guide-dr-redirect": [
        f"iptables -t nat -A PREROUTING -p tcp -d {VIP} --dport 80 -j REDIRECT",
        f"iptables -t nat -A PREROUTING -p tcp -d {VIP} --dport 443 -j REDIRECT",
    ],
}


@pytest.mark.parametrize("case", sorted(GUIDE_COMMANDS))
def test_iptables_file_holds_the_guides_rules(case, in_netns, tmp_path):
    (path,) = [a for a in guide_hosts.artifacts(case, "iptables").values()]
    in_netns("iptables-restore", _write(tmp_path, "rules.v4", path.content))
    ours = saved_rules(in_netns("iptables-save").stdout)
    for table in ("mangle", "nat"):
        in_netns("iptables", "-t", table, "-F")
    for command in GUIDE_COMMANDS[case]:
        in_netns(*shlex.split(command))
    guides = saved_rules(in_netns("iptables-save").stdout)
    assert ours == guides and ours
