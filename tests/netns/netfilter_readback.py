"""Netfilter state read back from the tools' own dumps (`nft -j list ruleset`, iptables-save,
arptables-save) into one shape, and what a host state means in that shape: the netns tests
compare what the kernel holds with what lowering meant, never just a loader's exit status."""

from __future__ import annotations

import shlex
from collections import Counter
from ipaddress import ip_network

from lvscc.model.config import PortRange
from lvscc.model.state import HostState

Ports = tuple[tuple[int, int], ...]

# --- what the host state means, in one shape both readers below produce ------------------------


def _pairs(ports: tuple[PortRange, ...]) -> Ports:
    return tuple(sorted((p.first, p.last) for p in ports))


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
    for h in host.helpers:
        if family in (None, h.destination.version):
            rules[("helper", str(ip_network(h.destination)), None, str(h.protocol), (h.port, h.port), None,
                   h.helper)] += 1
    return rules


# --- nftables -----------------------------------------------------------------------------------

CHAIN_ACTION = {"prerouting": "mark", "nat_prerouting": "redirect", "nat_postrouting": "masquerade",
                "helpers": "helper"}


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
            elif "ct helper" in expr:
                mark = expr["ct helper"]
        for pair in fields["dports"]:  # type: ignore[union-attr]
            rules[(CHAIN_ACTION[rule["chain"]], fields["daddr"], fields["saddr"], fields["proto"], pair,
                   fields["sport"], mark)] += 1
    return rules


def _split_ports(text: str) -> list[tuple[int, int]]:
    pairs = []
    for item in text.split(","):
        first, _, last = item.partition(":")
        pairs.append((int(first), int(last or first)))
    return pairs


def appended(save_output: str, tables: tuple[str, ...] = ("raw", "mangle", "nat")) -> list[list[str]]:
    """The -A lines of the given tables in iptables-save output, split into words."""
    lines, table = [], ""
    for line in save_output.splitlines():
        if line.startswith("*"):
            table = line[1:]
        elif line.startswith("-A ") and table in tables:
            lines.append(shlex.split(line))
    return lines


def saved_rules(save_output: str) -> Counter:
    """Read the raw, mangle and nat tables of iptables-save back into meant()'s shape (a multiport
    rule counts once per port)."""
    rules: Counter = Counter()
    for words in appended(save_output):
        options = {words[i]: words[i + 1] for i in range(len(words) - 1) if words[i].startswith("-")}
        target = options["-j"]
        action = {"MARK": "mark", "REDIRECT": "redirect", "MASQUERADE": "masquerade", "CT": "helper"}[target]
        mark = int(options["--set-xmark"].split("/")[0], 16) if target == "MARK" else options.get("--helper")
        dports = options.get("--dport") or options.get("--dports")
        sport = int(options["--sport"]) if "--sport" in options else None
        daddr = str(ip_network(options["-d"])) if "-d" in options else None
        saddr = str(ip_network(options["-s"])) if "-s" in options else None
        for pair in _split_ports(dports) if dports else [None]:
            rules[(action, daddr, saddr, options.get("-p"), pair, sport, mark)] += 1
    return rules


def meant_arp(host: HostState) -> Counter:
    """(chain, vip, mangled sender) of every arptables rule an ArpRule stands for."""
    rules: Counter = Counter()
    for rule in host.arp:
        if rule.part in ("pair", "drop"):
            rules[(host.arp_chains[0], str(rule.vip), None)] += 1
        if rule.part in ("pair", "mangle"):
            rules[(host.arp_chains[1], str(rule.vip), str(rule.real))] += 1
    return rules


def saved_arp(save_output: str) -> Counter:
    """arptables-save's rules in meant_arp()'s shape (it prints -j before the match)."""
    rules: Counter = Counter()
    for line in save_output.splitlines():
        if not line.startswith("-A "):
            continue
        words = shlex.split(line)
        options = {words[i]: words[i + 1] for i in range(len(words) - 1) if words[i].startswith("-")}
        vip = options.get("-d") if options["-j"] == "DROP" else options.get("-s")
        rules[(words[1], vip, options.get("--mangle-ip-s"))] += 1
    return rules
