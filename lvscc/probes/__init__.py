"""Probes read a host's Observed state into the same types as the Intent (HostState).

Every probe goes through text: a live probe first collects the same dump files that
`lvscc snapshot DIR` writes (lvscc/probes/live.py), then both paths parse them here. So a
dump taken on a production director audits exactly like the live machine, and the parsers are
tested on plain text. Whatever dump is absent is not audited, and the observation says so."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable, Mapping, TypeVar

from lvscc.model.state import HelperRule, HostState, MarkRule, MasqueradeRule, RedirectRule
from lvscc.probes.host import parse_addresses, parse_fou, parse_links, parse_modules, parse_routes, parse_sysctl, parse_timeouts
from lvscc.probes.ipvsadm import parse_save
from lvscc.probes.netfilter import Rules, parse_arptables_save, parse_iptables_save, parse_nft
from lvscc.syntax import Refused, printable

IPVS, TIMEOUTS, NFT, IPTABLES, IP6TABLES = "ipvsadm.rules", "ipvs-timeouts.txt", "nft.json", "iptables.rules", "ip6tables.rules"
ARP, SYSCTLS, MODULES, ADDRESSES = "arptables.rules", "sysctl.txt", "modules.txt", "addresses.json"
ROUTES, ROUTES6, LINKS, FOU = "routes.json", "routes6.json", "links.json", "fou.json"
DUMP_FILES = (IPVS, TIMEOUTS, NFT, IPTABLES, IP6TABLES, ARP, SYSCTLS, MODULES, ADDRESSES, ROUTES, ROUTES6, LINKS, FOU)
# Dumps read together: the section is audited only when all of them are there.
ROUTE_DUMPS = (ROUTES, ROUTES6)
ABSENT = {ROUTES: "routes not audited", ROUTES6: "routes not audited", FOU: "GUE receive ports not audited"}
PROFILE = "profile.json"
# A dump larger than this is not one host's state: refused before it is read whole.
MAX_DUMP = 256 * 1024 * 1024
# What a parser raises on text that is not its tool's output.
_UNREADABLE = (ValueError, KeyError, TypeError, AttributeError, IndexError)
T = TypeVar("T")


class ProbeError(Exception):
    """A dump that cannot be read; the audit stops (exit 2) rather than guess."""


@dataclass(frozen=True)
class Observation:
    state: HostState
    sections: frozenset[str]  # lvscc.audit.SECTIONS that the dumps covered
    notes: tuple[str, ...] = ()  # what was not audited, and why


def _reading(name: str, parse: Callable[[str], T], text: str) -> T:
    """parse(text), with any complaint about the text named after its dump file."""
    try:
        return parse(text)
    except Refused as error:
        message = str(error)
        raise ProbeError(printable(message if message.startswith(name) else f"{name}: {message}")) from error
    except RecursionError:
        raise ProbeError(f"{name}: nests too deeply to be the tool's output") from None
    except _UNREADABLE as error:
        raise ProbeError(printable(f"{name}: {_reason(error)}")) from error


def _reason(error: Exception) -> str:
    if isinstance(error, json.JSONDecodeError):
        return f"not JSON ({error.msg} at line {error.lineno} column {error.colno})"
    if isinstance(error, (KeyError, TypeError, AttributeError, IndexError)):
        return f"not the tool's output format ({type(error).__name__}: {error})"
    return str(error)


def observe(texts: Mapping[str, str], host: str, role: str, nft_table: str = "lvscc") -> Observation:
    """The host state the dumps show; ProbeError (one line, naming the dump) for one that is
    not its tool's output."""
    state = HostState(host, role)
    sections: set[str] = set()
    notes: list[str] = []
    if IPVS in texts:
        table = _reading(IPVS, parse_save, texts[IPVS])
        state = _with(state, ipvs=table.services, timeouts=table.timeouts)
        sections |= {"timeouts"} if table.timeouts is not None else set()
        sections |= {"ipvs", "thresholds"} if table.thresholds else {"ipvs"}
        if not table.thresholds:
            notes.append(f"real-server thresholds not audited: {IPVS} has no -x/-y (ipvsadm-save drops them)")
    if TIMEOUTS in texts and (timeouts := _reading(TIMEOUTS, parse_timeouts, texts[TIMEOUTS])) is not None:
        state, sections = _with(state, timeouts=timeouts), sections | {"timeouts"}
    rules = Rules()
    for name, parsed in ((NFT, lambda t: parse_nft(t, nft_table)), (IPTABLES, parse_iptables_save),
                         (IP6TABLES, lambda t: parse_iptables_save(t, IP6TABLES))):  # fmt: skip
        if name in texts:
            found = _reading(name, parsed, texts[name])
            rules.owned += found.owned
            rules.foreign += found.foreign
    if texts.keys() & {NFT, IPTABLES, IP6TABLES}:
        sections.add("netfilter")
        notes += [f"{name} absent: rules there were not seen" for name in (NFT, IPTABLES) if name not in texts]
        state = _with(
            state,
            marks=tuple(r for r in rules.owned if isinstance(r, MarkRule)),
            masquerades=tuple(r for r in rules.owned if isinstance(r, MasqueradeRule)),
            redirects=tuple(r for r in rules.owned if isinstance(r, RedirectRule)),
            helpers=tuple(r for r in rules.owned if isinstance(r, HelperRule)),
        )
    foreign = list(rules.foreign)
    if ARP in texts:
        pairs, others = _reading(ARP, parse_arptables_save, texts[ARP])
        state, sections, foreign = _with(state, arp=tuple(pairs)), sections | {"arp"}, foreign + others
    if SYSCTLS in texts:
        state, sections = _with(state, sysctls=_reading(SYSCTLS, parse_sysctl, texts[SYSCTLS])), sections | {"sysctls"}
    if MODULES in texts:
        state, sections = _with(state, modules=_reading(MODULES, parse_modules, texts[MODULES])), sections | {"modules"}
    if ADDRESSES in texts:
        state, sections = _with(state, addresses=_reading(ADDRESSES, parse_addresses, texts[ADDRESSES])), sections | {"addresses"}
    if all(name in texts for name in ROUTE_DUMPS):
        routes = _reading(ROUTES, lambda t: parse_routes(t, 4), texts[ROUTES]) + _reading(ROUTES6, lambda t: parse_routes(t, 6), texts[ROUTES6])
        state, sections = _with(state, routes=routes), sections | {"routes"}
    if LINKS in texts:
        state, sections = _with(state, tunnels=_reading(LINKS, parse_links, texts[LINKS])), sections | {"tunnels"}
        if FOU in texts:
            state, sections = _with(state, tunnels=state.tunnels + _reading(FOU, parse_fou, texts[FOU])), sections | {"fou"}
    notes += [f"{name} absent: {ABSENT.get(name, 'not audited')}" for name in DUMP_FILES
              if name not in texts and name not in (NFT, IPTABLES, IP6TABLES)]
    return Observation(_with(state, foreign=tuple(foreign)), frozenset(sections), tuple(notes))


def _with(state: HostState, **changes: object) -> HostState:
    return replace(state, **changes)  # type: ignore[arg-type]


def read_dumps(directory: Path) -> dict[str, str]:
    return {name: read_dump(directory / name) for name in DUMP_FILES if (directory / name).is_file()}


def read_dump(path: Path) -> str:
    """A dump file's text: a regular file, at most MAX_DUMP bytes, UTF-8 (every tool lvscc reads
    writes UTF-8 or ASCII)."""
    try:
        with path.open("rb") as file:
            data = file.read(MAX_DUMP + 1)
    except OSError as error:
        raise ProbeError(printable(f"{path}: {error.strerror or error}")) from error
    if len(data) > MAX_DUMP:
        raise ProbeError(printable(f"{path}: larger than {MAX_DUMP // 2**20} MiB; not a dump"))
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ProbeError(printable(f"{path}: not UTF-8 text (byte {error.start})")) from None


def from_dumps(directory: Path, host: str, role: str, nft_table: str = "lvscc") -> Observation:
    texts = read_dumps(directory)
    if not texts:
        raise ProbeError(f"{directory}: no dump files (expected any of {', '.join(DUMP_FILES)})")
    return observe(texts, host, role, nft_table)
