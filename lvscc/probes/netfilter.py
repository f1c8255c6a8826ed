"""Readers for netfilter dumps: `nft -j list ruleset`, iptables-save, arptables-save.

Ownership comes from the rule itself: everything in our nft table, and every iptables rule whose
comment starts with "lvscc". Other rules in the chains lvscc writes to, and other nft tables, are
described in `Rules.foreign`. Each owned rule's `origin` says where it was found, which is what
the planner needs to delete exactly that rule:
- nft:      Origin("nft.json", HANDLE, "FAMILY TABLE CHAIN")
- iptables: Origin("iptables.rules" | "ip6tables.rules", LINE, "TABLE -A CHAIN SPEC")

Why `nft -j` and not pyroute2's NFTables: measured in a namespace holding the guide's
multi-port ruleset, `nft -j list ruleset` took 8.9 ms a call and pyroute2's get_rules 0.24 ms,
but pyroute2 costs 279 ms to import and returns the kernel's rule bytecode (meta, cmp, payload,
lookup of an anonymous set, immediate), which lvscc would have to decompile back into rules as
nft itself does. The JSON is the tool's own decoding and the dump format `snapshot` saves."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from ipaddress import ip_network
from typing import Any

from lvscc.model.config import IPNetwork, PortRange, Protocol
from lvscc.model.state import ArpRule, HelperRule, MarkRule, MasqueradeRule, Origin, RedirectRule, merge_ports
from lvscc.syntax import Refused, printable
from lvscc.syntax import arptables, iptables, nft

OWNER_COMMENT = "lvscc"
# The chains lvscc writes to: a foreign rule elsewhere cannot interfere with ours.
WATCHED_CHAINS = {("mangle", "PREROUTING"), ("nat", "PREROUTING"), ("nat", "POSTROUTING")}
# Tables iptables-nft/arptables-nft keep in nft; their rules are read from the *-save dumps.
XTABLES_TABLES = {("ip", t) for t in ("filter", "mangle", "nat", "raw", "security")} | {
    ("ip6", t) for t in ("filter", "mangle", "nat", "raw", "security")
} | {("arp", "filter")}

NetfilterRule = MarkRule | MasqueradeRule | RedirectRule | HelperRule


@dataclass
class Rules:
    owned: list[NetfilterRule] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)


@dataclass
class _Match:
    """What one rule matches and does, gathered from either syntax."""

    daddr: IPNetwork | None = None
    saddr: IPNetwork | None = None
    protocol: Protocol | None = None
    dports: list[PortRange] = field(default_factory=list)
    sports: list[PortRange] = field(default_factory=list)
    mark: int | None = None
    action: str | None = None  # "mark" | "masquerade" | "redirect" | "helper"
    helper: str | None = None  # the conntrack helper a "helper" rule attaches
    unknown: bool = False

    def rule(self, origin: Origin) -> NetfilterRule | None:
        if self.unknown:
            return None
        if self.action == "mark" and self.daddr and self.protocol and self.dports and not self.sports:
            return MarkRule(self.mark or 0, self.daddr, self.protocol, merge_ports(self.dports), origin)
        single = self.daddr is not None and self.daddr.num_addresses == 1
        if self.action == "redirect" and single and self.protocol and len(self.dports) <= 1:
            # no port match: a port-0 (every port) service; a range: a firewall-mark service's
            ports = self.dports[0] if self.dports else PortRange(0, 0)
            last = ports.last if ports.last != ports.first else None
            return RedirectRule(self.daddr.network_address, self.protocol, ports.first, origin, last)  # type: ignore[union-attr]
        one_port = len(self.dports) == 1 and self.dports[0].first == self.dports[0].last
        if self.action == "helper" and self.helper and single and self.protocol and one_port and not self.sports:
            return HelperRule(self.helper, self.daddr.network_address, self.protocol, self.dports[0].first, origin)  # type: ignore[union-attr]
        if self.action == "masquerade" and self.saddr and not self.daddr and not self.dports and len(self.sports) <= 1:
            sport = self.sports[0].first if self.sports and self.sports[0].first == self.sports[0].last else None
            if self.sports and sport is None:
                return None
            return MasqueradeRule(self.saddr, self.protocol, sport, origin)
        return None


# --- nft -j -----------------------------------------------------------------------------


def _nft_ports(right: Any) -> list[PortRange]:
    if isinstance(right, int):
        return [PortRange(right, right)]
    if isinstance(right, dict) and "range" in right:
        return [PortRange(*right["range"])]
    if isinstance(right, dict) and "set" in right:
        return [p for item in right["set"] for p in _nft_ports(item)]
    raise ValueError(f"port {right!r}")


def _nft_network(right: Any) -> IPNetwork:
    if isinstance(right, str):
        return ip_network(right)
    if isinstance(right, dict) and "prefix" in right:
        return ip_network(f"{right['prefix']['addr']}/{right['prefix']['len']}")
    raise ValueError(f"address {right!r}")


def _nft_match(found: _Match, match: dict) -> None:
    left, right = match["left"], match["right"]
    if match.get("op", "==") not in ("==", "in"):
        raise ValueError("negated match")
    payload = left.get("payload") if isinstance(left, dict) else None
    if payload and payload.get("protocol") in ("ip", "ip6") and payload.get("field") in ("daddr", "saddr"):
        setattr(found, payload["field"], _nft_network(right))
    elif payload and payload.get("protocol") in ("tcp", "udp", "sctp") and payload.get("field") in ("dport", "sport"):
        found.protocol = Protocol(payload["protocol"])
        getattr(found, payload["field"] + "s").extend(_nft_ports(right))
    elif isinstance(left, dict) and left.get("meta", {}).get("key") == "l4proto":
        found.protocol = Protocol(right)
    else:
        raise ValueError(f"match {match!r}")


def _nft_rule(exprs: list[dict]) -> _Match:
    found = _Match()
    for expr in exprs:
        try:
            if "match" in expr:
                _nft_match(found, expr["match"])
            elif "mangle" in expr and expr["mangle"]["key"] == {"meta": {"key": "mark"}} and isinstance(expr["mangle"]["value"], int):
                found.action, found.mark = "mark", expr["mangle"]["value"]
            elif "masquerade" in expr and not expr["masquerade"]:
                found.action = "masquerade"
            elif "redirect" in expr and not expr["redirect"]:
                found.action = "redirect"
            elif isinstance(expr.get("ct helper"), str):
                found.action, found.helper = "helper", expr["ct helper"]
            elif "counter" not in expr:
                found.unknown = True
        except (KeyError, TypeError, ValueError):
            found.unknown = True
    return found


def nft_items(text: str) -> list[dict]:
    """The objects of `nft -j list ruleset` output: `{"nftables": [ {...}, ... ]}`."""
    document = json.loads(text)
    items = document.get("nftables") if isinstance(document, dict) else None
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise Refused('not `nft -j list ruleset` output (expected {"nftables": [...]})')
    return items


def parse_nft(text: str, table: str, filename: str = "nft.json", xtables_elsewhere: bool = True) -> Rules:
    """Our table's rules from `nft -j list ruleset`; other tables are foreign (the ones
    iptables-nft keeps are left to the iptables reader when `xtables_elsewhere`). Where an
    owned rule was found is checked against nft's grammar here: the planner writes it back."""
    rules = Rules()
    for item in nft_items(text):
        if isinstance(item.get("table"), dict):
            t = item["table"]
            if t.get("name") != table and not (xtables_elsewhere and (t.get("family"), t.get("name")) in XTABLES_TABLES):
                rules.foreign.append(f"nft table {printable(t.get('family'))} {printable(t.get('name'))}")
        elif isinstance(item.get("rule"), dict) and item["rule"].get("table") == table:
            r = item["rule"]
            family, chain = nft.family(r.get("family")), nft.identifier(r.get("chain"), "chain")
            origin = Origin(filename, nft.handle(r.get("handle")), f"{family} {nft.identifier(table, 'table')} {chain}")
            exprs = r.get("expr", [])
            rule = _nft_rule(exprs).rule(origin) if isinstance(exprs, list) else None
            if rule is None:
                rules.foreign.append(f"unrecognised rule in nft table {family} {table} chain {chain} handle {origin.line}")
            else:
                rules.owned.append(rule)
    return rules


# --- iptables-save ----------------------------------------------------------------------

_IGNORED_MODULES = {"tcp", "udp", "sctp", "multiport", "comment", "mark"}


def _xt_ports(text: str) -> list[PortRange]:
    ports = []
    for item in text.split(","):
        first, _, last = item.partition(":")
        ports.append(PortRange(int(first), int(last or first)))
    return ports


def _xt_mark(value: str) -> int:
    mark, _, mask = value.partition("/")
    if mask and int(mask, 0) != 0xFFFFFFFF:
        raise ValueError("partial mark")
    return int(mark, 0)


def _xt_rule(words: list[str]) -> tuple[_Match, str | None]:
    found, comment = _Match(), None
    i = 0
    while i < len(words):
        option = words[i]
        value = words[i + 1] if i + 1 < len(words) else ""
        i += 2
        match option:
            case "-d" | "--destination":
                found.daddr = ip_network(value)
            case "-s" | "--source":
                found.saddr = ip_network(value)
            case "-p" | "--protocol":
                found.protocol = Protocol(value)
            case "--dport" | "--destination-port" | "--dports" | "--destination-ports":
                found.dports += _xt_ports(value)
            case "--sport" | "--source-port" | "--sports" | "--source-ports":
                found.sports += _xt_ports(value)
            case "-m" | "--match" if value in _IGNORED_MODULES:
                pass
            case "--comment":
                comment = value
            case "-j" | "--jump" if value in ("MARK", "MASQUERADE", "REDIRECT"):
                found.action = {"MARK": "mark", "MASQUERADE": "masquerade", "REDIRECT": "redirect"}[value]
            case "-j" | "--jump" if value == "CT":
                found.action = "helper"
            case "--helper":
                found.helper = value
            case "--set-xmark" | "--set-mark":
                found.mark = _xt_mark(value)
            case _:
                found.unknown = True
                i -= 1  # an unknown option may take no value; keep scanning for the comment
    return found, comment


def parse_iptables_save(text: str, filename: str = "iptables.rules") -> Rules:
    rules = Rules()
    table = ""
    for number, line in enumerate(text.splitlines(), 1):
        if line.startswith("*"):
            table = line[1:].strip()
        if not line.startswith("-A "):
            continue
        words = iptables.split(line, f"{filename}:{number}")
        if len(words) < 2:
            raise Refused(f"{filename}:{number}: -A without a chain")
        chain = words[1]
        try:
            found, comment = _xt_rule(words[2:])
        except ValueError:
            found, comment = _Match(unknown=True), None
        if comment is None or not comment.startswith(OWNER_COMMENT):
            if (table, chain) in WATCHED_CHAINS:
                rules.foreign.append(printable(f"{filename.split('.')[0]} -t {table} {line}"))
            continue
        # The planner deletes an owned rule by these names: only names iptables could print.
        iptables.table(table), iptables.chain(chain)
        rule = found.rule(Origin(filename, number, f"{table} {line}"))
        if rule is None:
            rules.foreign.append(printable(f"unrecognised lvscc rule: {filename.split('.')[0]} -t {table} {line}"))
        else:
            rules.owned.append(rule)
    rules.owned = _join_split_marks(rules.owned)
    return rules


def _join_split_marks(owned: list[NetfilterRule]) -> list[NetfilterRule]:
    """backends/iptables writes a mark rule with more ports than one multiport match takes as
    several rules; read them back as the one rule they came from, remembering every line."""
    joined: dict[tuple, MarkRule] = {}
    others: list[NetfilterRule] = []
    for rule in owned:
        if not isinstance(rule, MarkRule):
            others.append(rule)
            continue
        key = (rule.fwmark, rule.destination, rule.protocol)
        if key in joined:
            first = joined[key]
            assert first.origin is not None and rule.origin is not None
            origin = Origin(first.origin.file, first.origin.line, f"{first.origin.what}\n{rule.origin.what}")
            joined[key] = MarkRule(rule.fwmark, rule.destination, rule.protocol, merge_ports(first.ports + rule.ports), origin)
        else:
            joined[key] = rule
    return list(joined.values()) + others


# --- arptables-save ---------------------------------------------------------------------

_ARP_IN, _ARP_OUT = ("INPUT", "IN"), ("OUTPUT", "OUT")


def parse_arptables_save(text: str) -> tuple[list[ArpRule], list[str]]:
    """The guide's VIP pairs (INPUT `-d VIP -j DROP`, OUTPUT `-s VIP -j mangle --mangle-ip-s
    REAL`) as ArpRules, a half pair as the half it is (ArpRule.part); any other rule is
    described for the report."""
    drops: set = set()
    mangles: dict = {}
    others: list[str] = []
    for number, line in enumerate(text.splitlines(), 1):
        parsed = arptables.parse_line(line, f"arptables.rules:{number}")
        if parsed is None:
            continue
        chain, options = parsed
        if options is not None and chain in _ARP_IN and set(options) == {"-j", "-d"} and options["-j"] == "DROP":
            drops.add(arptables.address(options["-d"]))
        elif options is not None and chain in _ARP_OUT and set(options) == {"-j", "-s", "--mangle-ip-s"} and options["-j"] == "mangle":
            mangles[arptables.address(options["-s"])] = arptables.address(options["--mangle-ip-s"])
        else:
            others.append(printable(f"arptables {line}"))
    rules = [ArpRule(vip, real, part="pair" if vip in drops else "mangle") for vip, real in sorted(mangles.items())]
    rules += [ArpRule(vip, vip, part="drop") for vip in sorted(drops - set(mangles))]
    return rules, others
