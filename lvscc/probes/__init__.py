"""Probes read a host's Observed state into the same types as the Intent (HostState).

Every probe goes through text: a live probe first collects the same dump files that
`lvscc snapshot DIR` writes (lvscc/probes/live.py), then both paths parse them here. So a
dump taken on a production director audits exactly like the live machine, and the parsers are
tested on plain text. Whatever dump is absent is not audited, and the observation says so."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Mapping

from lvscc.model.state import HelperRule, HostState, MarkRule, MasqueradeRule, RedirectRule
from lvscc.probes.host import parse_addresses, parse_fou, parse_links, parse_modules, parse_routes, parse_sysctl, parse_timeouts
from lvscc.probes.ipvsadm import IpvsadmSyntaxError, parse_save
from lvscc.probes.netfilter import Rules, parse_arptables_save, parse_iptables_save, parse_nft

IPVS, TIMEOUTS, NFT, IPTABLES, IP6TABLES = "ipvsadm.rules", "ipvs-timeouts.txt", "nft.json", "iptables.rules", "ip6tables.rules"
ARP, SYSCTLS, MODULES, ADDRESSES = "arptables.rules", "sysctl.txt", "modules.txt", "addresses.json"
ROUTES, ROUTES6, LINKS, FOU = "routes.json", "routes6.json", "links.json", "fou.json"
DUMP_FILES = (IPVS, TIMEOUTS, NFT, IPTABLES, IP6TABLES, ARP, SYSCTLS, MODULES, ADDRESSES, ROUTES, ROUTES6, LINKS, FOU)
# Dumps read together: the section is audited only when all of them are there.
ROUTE_DUMPS = (ROUTES, ROUTES6)
ABSENT = {ROUTES: "routes not audited", ROUTES6: "routes not audited", FOU: "GUE receive ports not audited"}
PROFILE = "profile.json"


class ProbeError(Exception):
    """A dump that cannot be read; the audit stops (exit 2) rather than guess."""


@dataclass(frozen=True)
class Observation:
    state: HostState
    sections: frozenset[str]  # lvscc.audit.SECTIONS that the dumps covered
    notes: tuple[str, ...] = ()  # what was not audited, and why


def observe(texts: Mapping[str, str], host: str, role: str, nft_table: str = "lvscc") -> Observation:
    try:
        return _observe(texts, host, role, nft_table)
    except (IpvsadmSyntaxError, ValueError, KeyError, TypeError) as error:
        raise ProbeError(str(error)) from error


def _observe(texts: Mapping[str, str], host: str, role: str, nft_table: str) -> Observation:
    state = HostState(host, role)
    sections: set[str] = set()
    notes: list[str] = []
    if IPVS in texts:
        table = parse_save(texts[IPVS])
        state = _with(state, ipvs=table.services, timeouts=table.timeouts)
        sections |= {"timeouts"} if table.timeouts is not None else set()
        sections |= {"ipvs", "thresholds"} if table.thresholds else {"ipvs"}
        if not table.thresholds:
            notes.append(f"real-server thresholds not audited: {IPVS} has no -x/-y (ipvsadm-save drops them)")
    if TIMEOUTS in texts and (timeouts := parse_timeouts(texts[TIMEOUTS])) is not None:
        state, sections = _with(state, timeouts=timeouts), sections | {"timeouts"}
    rules = Rules()
    for name, parsed in ((NFT, lambda t: parse_nft(t, nft_table)), (IPTABLES, parse_iptables_save),
                         (IP6TABLES, lambda t: parse_iptables_save(t, IP6TABLES))):  # fmt: skip
        if name in texts:
            found = parsed(texts[name])
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
        pairs, others = parse_arptables_save(texts[ARP])
        state, sections, foreign = _with(state, arp=tuple(pairs)), sections | {"arp"}, foreign + others
    if SYSCTLS in texts:
        state, sections = _with(state, sysctls=parse_sysctl(texts[SYSCTLS])), sections | {"sysctls"}
    if MODULES in texts:
        state, sections = _with(state, modules=parse_modules(texts[MODULES])), sections | {"modules"}
    if ADDRESSES in texts:
        state, sections = _with(state, addresses=parse_addresses(texts[ADDRESSES])), sections | {"addresses"}
    if all(name in texts for name in ROUTE_DUMPS):
        routes = parse_routes(texts[ROUTES], 4) + parse_routes(texts[ROUTES6], 6)
        state, sections = _with(state, routes=routes), sections | {"routes"}
    if LINKS in texts:
        state, sections = _with(state, tunnels=parse_links(texts[LINKS])), sections | {"tunnels"}
        if FOU in texts:
            state, sections = _with(state, tunnels=state.tunnels + parse_fou(texts[FOU])), sections | {"fou"}
    notes += [f"{name} absent: {ABSENT.get(name, 'not audited')}" for name in DUMP_FILES
              if name not in texts and name not in (NFT, IPTABLES, IP6TABLES)]
    return Observation(_with(state, foreign=tuple(foreign)), frozenset(sections), tuple(notes))


def _with(state: HostState, **changes: object) -> HostState:
    return replace(state, **changes)  # type: ignore[arg-type]


def read_dumps(directory: Path) -> dict[str, str]:
    try:
        return {name: (directory / name).read_text() for name in DUMP_FILES if (directory / name).is_file()}
    except OSError as error:
        raise ProbeError(str(error)) from error


def from_dumps(directory: Path, host: str, role: str, nft_table: str = "lvscc") -> Observation:
    texts = read_dumps(directory)
    if not texts:
        raise ProbeError(f"{directory}: no dump files (expected any of {', '.join(DUMP_FILES)})")
    return observe(texts, host, role, nft_table)
