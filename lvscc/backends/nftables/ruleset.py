"""lvscc's nftables rules as data, read by both notations (lvscc.nft for `nft -f`, lvscc.json for
`nft -j -f`) so the two cannot say different things. A rule is a list of matches plus one
statement; a match is {"left": [protocol, field], "kind": "addr"|"ports"|"name", "right": ...}
where ports are [first, last] pairs."""

from __future__ import annotations

from ipaddress import IPv4Network, IPv6Network
from typing import Any

from lvscc.model.config import Protocol
from lvscc.model.state import HelperRule, HostState, MarkRule, MasqueradeRule, RedirectRule

Match = dict[str, Any]
Rule = dict[str, Any]

# The kernel's numbers behind nft's priority names (mangle -150, dstnat -100, srcnat 100): the
# JSON parser of nftables 1.0.6 takes only numbers. The helper chain must run after conntrack
# (priority -200) has made the connection, so it sits at filter priority, still before IPVS.
HELPER_CHAIN = {"name": "helpers", "type": "filter", "hook": "prerouting", "priority": "filter", "prio": 0}


def _address(network: IPv4Network | IPv6Network, field: str) -> Match:
    return {"left": ["ip" if network.version == 4 else "ip6", field], "kind": "addr", "right": network}


def _ports(protocol: Protocol, field: str, pairs: list[list[int]]) -> Match:
    return {"left": [str(protocol), field], "kind": "ports", "right": pairs}


def _any_port(protocol: Protocol) -> Match:
    return {"left": ["meta", "l4proto"], "kind": "name", "right": str(protocol)}


def _mark(rule: MarkRule) -> Rule:
    pairs = [[r.first, r.last] for r in rule.ports]
    return {"matches": [_address(rule.destination, "daddr"), _ports(rule.protocol, "dport", pairs)],
            "statement": ["mark", rule.fwmark], "origin": rule.origin}


def _redirect(rule: RedirectRule) -> Rule:
    # a port-0 service takes every port: the protocol alone is matched
    l4 = _ports(rule.protocol, "dport", [[rule.ports.first, rule.ports.last]]) if rule.ports else _any_port(rule.protocol)
    return {"matches": [_address(rule.destination, "daddr"), l4], "statement": ["redirect"], "origin": rule.origin}


def _masquerade(rule: MasqueradeRule) -> Rule:
    l4 = ([_ports(rule.protocol, "sport", [[rule.sport, rule.sport]])] if rule.sport and rule.protocol
          else [_any_port(rule.protocol)] if rule.protocol else [])
    return {"matches": [_address(rule.source, "saddr"), *l4], "statement": ["masquerade"], "origin": rule.origin}


def _helper(rule: HelperRule) -> Rule:
    return {"matches": [_address(rule.destination, "daddr"), _ports(rule.protocol, "dport", [[rule.port, rule.port]])],
            "helper": rule.helper, "origin": rule.origin}


def ruleset(host: HostState) -> dict[str, Any]:
    """The chains with rules, every chain lvscc replaces on a load, and the conntrack helpers."""
    every = [
        {"name": "prerouting", "type": "filter", "hook": "prerouting", "priority": "mangle", "prio": -150,
         "rules": [_mark(rule) for rule in host.marks]},
        {"name": "nat_prerouting", "type": "nat", "hook": "prerouting", "priority": "dstnat", "prio": -100,
         "rules": [_redirect(rule) for rule in host.redirects]},
        {"name": "nat_postrouting", "type": "nat", "hook": "postrouting", "priority": "srcnat", "prio": 100,
         "rules": [_masquerade(rule) for rule in host.masquerades]},
    ]
    return {
        "chains": [chain for chain in every if chain["rules"]],
        # Every chain lvscc writes is declared and deleted on each load, the helper chain too even
        # when no service needs it: a config that drops its FTP service must not leave its rules.
        "replaced_chains": [*every, HELPER_CHAIN],
        "helper_chain": HELPER_CHAIN,
        "helper_rules": [_helper(rule) for rule in host.helpers],
        "helpers": list(dict.fromkeys(rule.helper for rule in host.helpers)),
    }
