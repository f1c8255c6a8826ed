"""nftables' text syntax (`nft -f`): identifiers, strings, our rules' statements and the
commands the repair plan feeds to `nft -f -`. Names read from `nft -j list ruleset` are checked
here before anything is written with them."""

from __future__ import annotations

import re
from ipaddress import IPv4Network, IPv6Network, ip_network
from typing import TYPE_CHECKING

from lvscc.model.config import PortRange
from lvscc.syntax import Refused

if TYPE_CHECKING:  # a check asks only for `identifier`: it never loads the kernel-state model
    from lvscc.model.state import MarkRule, MasqueradeRule, RedirectRule

FAMILIES = frozenset({"ip", "ip6", "inet", "arp", "bridge", "netdev"})
# nft's scanner: a name starts with a letter, `_` or `.`, then letters, digits and `/-_.`;
# NFT_NAME_MAXLEN is 256 bytes with the NUL.
_IDENTIFIER = re.compile(r"[A-Za-z_.][A-Za-z0-9/_.-]{0,254}")
# Words nft 1.0.6 reads as keywords where a table or chain name goes (`nft -c 'add table inet
# WORD'` fails for each; tests/syntax/test_nft.py checks that with the real nft).
KEYWORDS = frozenset("""
table chain rule set map element flowtable add create insert replace delete list flush reset
rename describe import export monitor include define redefine undefine handle position index
comment hook priority policy type accept drop reject return jump goto continue queue counter log
limit meta mark ip ip6 inet arp bridge netdev tcp udp sctp masquerade redirect snat dnat ct iif
oif iifname oifname elements flags timeout size ruleset quota secmark synproxy dup fwd notrack
vlan ether icmp icmpv6 th ah esp comp dccp udplite rt fib socket osf tproxy xt numgen jhash
symhash random and or xor not exists missing interval constant dynamic all
""".split())

# Our table's chains, as lvscc/backends/nftables names them: kind -> (name, base-chain spec).
CHAINS = {
    "mark": ("prerouting", "type filter hook prerouting priority mangle; policy accept;"),
    "redirect": ("nat_prerouting", "type nat hook prerouting priority dstnat; policy accept;"),
    "masquerade": ("nat_postrouting", "type nat hook postrouting priority srcnat; policy accept;"),
}


def identifier(value: object, what: str = "name") -> str:
    """A table, chain or set name nft reads bare; anything else is refused."""
    text = value if isinstance(value, str) else None
    if text is None or not _IDENTIFIER.fullmatch(text) or text in KEYWORDS:
        shown = repr(value)[:60]
        reason = "an nft keyword" if text in KEYWORDS else "not an nft identifier"
        raise Refused(f"nft {what} {shown} is {reason}")
    return text


def family(value: object) -> str:
    if value not in FAMILIES:
        raise Refused(f"nft family {repr(value)[:40]} is not one of {', '.join(sorted(FAMILIES))}")
    return str(value)


def handle(value: object) -> int:
    if type(value) is not int or not 0 < value < 2**64:
        raise Refused(f"nft rule handle {repr(value)[:40]} is not a positive number")
    return value


def table_spec(table_family: object, table: object) -> str:
    return f"{family(table_family)} {identifier(table, 'table')}"


def string(text: object) -> str:
    """A double-quoted nft string: printable ASCII without quotes or backslashes, which nft
    has no escape for."""
    value = str(text)
    if not re.fullmatch(r"[\x20-\x7e]*", value) or '"' in value or "\\" in value:
        raise Refused(f"cannot quote {value[:60]!r} for nft")
    return f'"{value}"'


def network(net: IPv4Network | IPv6Network, direction: str) -> str:
    version = "ip" if net.version == 4 else "ip6"
    value = str(net.network_address) if net.num_addresses == 1 else str(net)
    return f"{version} {direction} {value}"


def ports(ranges: tuple[PortRange, ...]) -> str:
    items = [str(int(p.first)) if p.first == p.last else f"{int(p.first)}-{int(p.last)}" for p in ranges]
    return items[0] if len(items) == 1 else "{ " + ", ".join(items) + " }"


def rule(rule: MarkRule | MasqueradeRule | RedirectRule) -> tuple[str, str]:
    """(chain kind, rule statement) of one of our rules in nft syntax."""
    from lvscc.model.state import MarkRule, MasqueradeRule, RedirectRule

    match rule:
        case MarkRule():
            match = f"{network(rule.destination, 'daddr')} {rule.protocol.value} dport {ports(rule.ports)}"
            return "mark", f"{match} meta mark set {int(rule.fwmark)}"
        case RedirectRule():
            dest = network(ip_network(rule.destination), "daddr")
            l4 = f"{rule.protocol.value} dport {ports((rule.ports,))}" if rule.ports else f"meta l4proto {rule.protocol.value}"
            return "redirect", f"{dest} {l4} redirect"
        case MasqueradeRule():
            match = network(rule.source, "saddr")
            if rule.protocol is not None:
                match += f" {rule.protocol.value} sport {int(rule.sport)}" if rule.sport else f" meta l4proto {rule.protocol.value}"
            return "masquerade", f"{match} masquerade"
    raise TypeError(rule)


def add_rules(table_family: str, table: str, rules: list[MarkRule | MasqueradeRule | RedirectRule]) -> list[str]:
    """`nft -f` commands adding our rules, with our table and the chains they need."""
    spec = table_spec(table_family, table)
    statements = [rule(r) for r in rules]
    lines = [f"add table {spec}"]
    lines += [f"add chain {spec} {CHAINS[k][0]} {{ {CHAINS[k][1]} }}" for k in dict.fromkeys(k for k, _ in statements)]
    lines += [f"add rule {spec} {CHAINS[kind][0]} {statement}" for kind, statement in statements]
    return lines


def delete_rule(table_family: object, table: object, chain: object, rule_handle: object) -> str:
    return f"delete rule {table_spec(table_family, table)} {identifier(chain, 'chain')} handle {handle(rule_handle)}"
