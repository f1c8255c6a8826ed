"""The iptables, ip6tables and nftables backends, loaded for real into a fresh namespace and read
back with the tools' own dump commands; what the kernel holds is compared, rule for rule, with
what the host state meant (and, for the guide's scenarios, with the guide's own commands)."""

from __future__ import annotations

import json
import shlex
from collections import Counter
from ipaddress import IPv4Address, IPv6Address, ip_network
from pathlib import Path

import pytest

import guide_hosts
from lvscc.model.config import PortRange
from lvscc.model.state import HostState

pytestmark = pytest.mark.netns

Ports = tuple[tuple[int, int], ...]

# --- what the host state means, in one shape both readers below produce ------------------------


def _pairs(ports: tuple[PortRange, ...]) -> Ports:
    return tuple(sorted((p.first, p.last) for p in ports))


def _family(address: IPv4Address | IPv6Address | object) -> str:
    return "ip" if getattr(address, "version") == 4 else "ip6"


def meant(host: HostState, family: int | None = None) -> Counter:
    """(chain, daddr, saddr, protocol, dports, sport, action) for every rule, in one address family
    or all; ports are (first, last) pairs so a multiport rule and one rule per port compare equal
    once both are split per port."""
    rules: Counter = Counter()
    for m in host.marks:
        if family in (None, m.destination.version):
            for pair in _pairs(m.ports):
                rules[("mark", str(m.destination), None, str(m.protocol), pair, None, m.fwmark)] += 1
    for r in host.redirects:
        if family in (None, r.destination.version):
            net = ip_network(r.destination)
            rules[("redirect", str(net), None, str(r.protocol), (r.port, r.port), None, None)] += 1
    for q in host.masquerades:
        if family in (None, q.source.version):
            proto = str(q.protocol) if q.protocol else None
            rules[("masquerade", None, str(q.source), proto, None, q.sport, None)] += 1
    return rules


# --- nftables -----------------------------------------------------------------------------------

CHAIN_ACTION = {"prerouting": "mark", "nat_prerouting": "redirect", "nat_postrouting": "masquerade"}


def _nft_ports(right: object) -> list[tuple[int, int]]:
    if isinstance(right, int):
        return [(right, right)]
    if isinstance(right, dict) and "range" in right:
        return [tuple(right["range"])]  # type: ignore[list-item]
    assert isinstance(right, dict) and "set" in right, right
    return [pair for item in right["set"] for pair in _nft_ports(item)]


def _nft_address(right: object) -> str:
    if isinstance(right, dict):
        return str(ip_network(f"{right['prefix']['addr']}/{right['prefix']['len']}"))
    return str(ip_network(str(right)))


def nft_rules(ruleset: dict, table: str) -> Counter:
    """Read `nft -j list ruleset` back into meant()'s shape; every rule must carry our comment."""
    rules: Counter = Counter()
    for item in ruleset["nftables"]:
        rule = item.get("rule")
        if not rule or rule["table"] != table:
            continue
        assert rule.get("comment", "").startswith("lvscc"), rule
        fields: dict[str, object] = {"daddr": None, "saddr": None, "proto": None, "dports": [None], "sport": None}
        mark = None
        for expr in rule["expr"]:
            if "match" in expr:
                left, right = expr["match"]["left"], expr["match"]["right"]
                if "meta" in left:
                    fields["proto"] = right
                    continue
                protocol, field = left["payload"]["protocol"], left["payload"]["field"]
                if field in ("daddr", "saddr"):
                    fields[field] = _nft_address(right)
                else:
                    fields["proto"] = protocol
                    ports = _nft_ports(right)
                    if field == "dport":
                        fields["dports"] = ports
                    else:
                        fields["sport"] = ports[0][0]
            elif "mangle" in expr:
                mark = expr["mangle"]["value"]
        for pair in fields["dports"]:  # type: ignore[union-attr]
            rules[(CHAIN_ACTION[rule["chain"]], fields["daddr"], fields["saddr"], fields["proto"], pair,
                   fields["sport"], mark)] += 1
    return rules


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

def _split_ports(text: str) -> list[tuple[int, int]]:
    pairs = []
    for item in text.split(","):
        first, _, last = item.partition(":")
        pairs.append((int(first), int(last or first)))
    return pairs


def appended(save_output: str, tables: tuple[str, ...] = ("mangle", "nat")) -> list[list[str]]:
    """The -A lines of the given tables in iptables-save output, split into words."""
    lines, table = [], ""
    for line in save_output.splitlines():
        if line.startswith("*"):
            table = line[1:]
        elif line.startswith("-A ") and table in tables:
            lines.append(shlex.split(line))
    return lines


def saved_rules(save_output: str) -> Counter:
    """Read the mangle and nat tables of iptables-save back into meant()'s shape (a multiport rule
    counts once per port)."""
    rules: Counter = Counter()
    for words in appended(save_output):
        options = {words[i]: words[i + 1] for i in range(len(words) - 1) if words[i].startswith("-")}
        target = options["-j"]
        action = {"MARK": "mark", "REDIRECT": "redirect", "MASQUERADE": "masquerade"}[target]
        mark = int(options["--set-xmark"].split("/")[0], 16) if target == "MARK" else None
        dports = options.get("--dport") or options.get("--dports")
        sport = int(options["--sport"]) if "--sport" in options else None
        daddr = str(ip_network(options["-d"])) if "-d" in options else None
        saddr = str(ip_network(options["-s"])) if "-s" in options else None
        for pair in _split_ports(dports) if dports else [None]:
            rules[(action, daddr, saddr, options.get("-p"), pair, sport, mark)] += 1
    return rules


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
