"""arptables: the guide's two rules per VIP on a direct-routing real server (drop ARP
requests for the VIP; never announce it as our sender address), written and read here."""

from __future__ import annotations

import re
from ipaddress import IPv4Address, ip_address

from lvscc.model.state import ArpRule
from lvscc.syntax import Refused, checked_line

_CHAIN = re.compile(r"[A-Za-z0-9_.][A-Za-z0-9_.-]{0,27}")


def chain(value: str) -> str:
    if not _CHAIN.fullmatch(value):
        raise Refused(f"arptables chain {value[:40]!r} is not a chain name")
    return value


def specs(rule: ArpRule, chains: tuple[str, str]) -> list[list[str]]:
    """The rules for a VIP, chain first; only the one of them a half pair stands for."""
    drop = [chain(chains[0]), "-d", str(rule.vip), "-j", "DROP"]
    mangle = [chain(chains[1]), "-s", str(rule.vip), "-j", "mangle", "--mangle-ip-s", str(rule.real)]
    found = {"drop": drop, "mangle": mangle}
    return [drop, mangle] if rule.part == "pair" else [found[rule.part]]


def parse_line(line: str, where: str = "arptables") -> tuple[str, dict[str, str] | None] | None:
    """(chain, options) of an `-A CHAIN OPT VALUE...` line; options None when the words do
    not pair up; None for any other line."""
    text = checked_line(line, where)
    if not text.startswith("-A "):
        return None
    words = text.split()
    if len(words) < 2:
        raise Refused(f"{where}: -A without a chain")
    options = words[2:]
    return words[1], dict(zip(options[::2], options[1::2])) if len(options) % 2 == 0 else None


def address(text: str) -> IPv4Address:
    """An address of an arptables rule (`-d 192.0.2.10` or `192.0.2.10/32`)."""
    try:
        found = ip_address(text.split("/")[0])
    except ValueError as error:
        raise Refused(str(error)) from None
    if not isinstance(found, IPv4Address):
        raise Refused(f"arptables address {text[:40]!r} is not IPv4")
    return found
