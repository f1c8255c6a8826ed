"""iptables/ip6tables: the words of our rules (for iptables-restore files and `iptables -A/-D`
in the repair plan) and the reading of `iptables-save` lines."""

from __future__ import annotations

import re

from lvscc.model.config import PortRange
from lvscc.model.state import MarkRule, MasqueradeRule, RedirectRule, rule_comment
from lvscc.syntax import Refused, checked_line

# xt_multiport takes at most 15 ports, a range counting as two (XT_MULTI_PORTS).
MULTIPORT_SLOTS = 15
TABLES = frozenset({"filter", "nat", "mangle", "raw", "security"})
# XT_EXTENSION_MAXNAMELEN is 29 bytes with the NUL; iptables refuses a chain name with
# whitespace or one starting with `!` or `-`.
_CHAIN = re.compile(r"[A-Za-z0-9_.][A-Za-z0-9_.:+@-]{0,27}")
# A word of an iptables-save line: bare, or double-quoted with \" and \\ escapes (what
# iptables-save prints for a comment). Read in one linear pass.
_WORD = re.compile(r'\s*(?:"((?:[^"\\]|\\.)*)"|([^\s"]+))')
_UNESCAPE = re.compile(r"\\(.)")


def table(value: str) -> str:
    if value not in TABLES:
        raise Refused(f"iptables table {value[:40]!r} is not one of {', '.join(sorted(TABLES))}")
    return value


def chain(value: str) -> str:
    if not _CHAIN.fullmatch(value):
        raise Refused(f"iptables chain {value[:40]!r} is not a chain name")
    return value


def split(line: str, where: str = "iptables") -> list[str]:
    """The words of one iptables-save line."""
    text = checked_line(line, where).strip()
    words, position = [], 0
    while position < len(text):
        found = _WORD.match(text, position)
        if found is None or found.end() == position:
            raise Refused(f"{where}: unbalanced quote")
        quoted, bare = found.groups()
        words.append(_UNESCAPE.sub(r"\1", quoted) if quoted is not None else bare)
        position = found.end()
        if bare is not None and position < len(text) and text[position] == '"':
            raise Refused(f"{where}: a quote inside a word")
    return words


def port(p: PortRange) -> str:
    return str(int(p.first)) if p.first == p.last else f"{int(p.first)}:{int(p.last)}"


def port_groups(ports: tuple[PortRange, ...]) -> list[list[PortRange]]:
    """Ports split into groups one multiport match holds."""
    groups: list[list[PortRange]] = [[]]
    used = 0
    for p in ports:
        cost = 1 if p.first == p.last else 2
        if used + cost > MULTIPORT_SLOTS:
            groups.append([])
            used = 0
        groups[-1].append(p)
        used += cost
    return groups


def port_match(ports: list[PortRange], flag: str) -> list[str]:
    if len(ports) == 1:
        return [f"--{flag}", port(ports[0])]
    return ["-m", "multiport", f"--{flag}s", ",".join(port(p) for p in ports)]


def port_matches(ports: tuple[PortRange, ...], flag: str = "dport") -> list[str]:
    """The port match of each rule a port list needs, as text (`--dport 80`, `-m multiport
    --dports 80,443`)."""
    return [" ".join(port_match(group, flag)) for group in port_groups(ports)]


def comment(rule: MarkRule | MasqueradeRule | RedirectRule) -> str:
    """The comment lvscc/backends/iptables writes, so a repaired rule equals a compiled one."""
    return rule_comment(rule.origin, 200)


def rules(rule: MarkRule | MasqueradeRule | RedirectRule) -> list[tuple[str, list[str]]]:
    """(tool, arguments with the chain in place of the command) of one of our rules; a mark
    rule with more ports than one multiport match holds becomes several rules."""
    marker = ["-m", "comment", "--comment", comment(rule)]
    match rule:
        case MarkRule():
            head = ["-t", "mangle", "PREROUTING", "-d", str(rule.destination), "-p", rule.protocol.value]
            tail = marker + ["-j", "MARK", "--set-mark", str(int(rule.fwmark))]
            specs = [head + port_match(group, "dport") + tail for group in port_groups(rule.ports)]
            version = rule.destination.version
        case RedirectRule():
            spec = ["-t", "nat", "PREROUTING", "-d", f"{rule.destination}/{rule.destination.max_prefixlen}"]
            matched = port_match([rule.ports], "dport") if rule.ports else []
            specs = [spec + ["-p", rule.protocol.value, *matched] + marker + ["-j", "REDIRECT"]]
            version = rule.destination.version
        case MasqueradeRule():
            spec = ["-t", "nat", "POSTROUTING", "-s", str(rule.source)]
            if rule.protocol is not None:
                spec += ["-p", rule.protocol.value] + (["--sport", str(int(rule.sport))] if rule.sport else [])
            specs = [spec + marker + ["-j", "MASQUERADE"]]
            version = rule.source.version
        case _:
            raise TypeError(rule)
    tool = "iptables" if version == 4 else "ip6tables"
    return [(tool, spec) for spec in specs]


def delete_args(saved: str) -> list[str]:
    """`-t TABLE -D CHAIN SPEC...` for a rule the probe kept as "TABLE -A CHAIN SPEC", checked
    word by word so that only a rule iptables-save could have printed reaches a plan."""
    name, _, line = saved.partition(" ")
    words = split(line)
    if len(words) < 2 or words[0] != "-A":
        raise Refused(f"not a saved rule: {saved[:60]!r}")
    return ["-t", table(name), "-D", chain(words[1]), *words[2:]]
