"""The repair planner: a pure function from drifts to the fewest commands that remove them.

Safety rules, each because the obvious alternative breaks live traffic:
- never `ipvsadm -C` or `ipvsadm-restore` (it flushes every service, ours and foreign's);
- a changed field is an edit (`ipvsadm -E` / `-e`), never delete+add, which would drop the
  service's connection table;
- everything is added before anything is deleted, so a moved real server is never missing;
- nft changes to our table go in one `nft -f -` transaction, which the kernel applies atomically;
- foreign objects and quiesced servers are never touched;
- a wrong default route is replaced (`ip route replace`), never deleted first: a real server
  without one cannot answer anyone in between;
- arptables rules are repaired one rule at a time, so the surviving half of a pair is never
  added twice.
Extra netfilter rules are deleted where the probe found them (their `origin`, see
lvscc/probes); missing ones are written with the tool named in `PlanOptions.netfilter`.
Every word of a command comes from lvscc/syntax, which refuses (`Refused`) a value its tool
could not read as meant, such as a chain name from a dump that ends a here-document: then no
plan is printed at all."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable, Literal

from lvscc.drift import Drift
from lvscc.model.config import TunnelType
from lvscc.model.state import (
    Address,
    ArpRule,
    IpvsDest,
    IpvsService,
    IpvsTimeouts,
    Origin,
    Route,
    Sysctl,
    TunnelDevice,
)
from lvscc.probes import IP6TABLES, IPTABLES, NFT
from lvscc.syntax import Refused, arptables, iproute, iptables, ipvsadm, nft, printable, shell
from lvscc.syntax import sysctl as sysctl_syntax

# Where the probes found an extra rule (its origin.file) says which tool deletes it.
IPTABLES_DUMPS = {IPTABLES: "iptables", IP6TABLES: "ip6tables"}


@dataclass(frozen=True)
class PlanOptions:
    netfilter: Literal["nft", "iptables"] = "nft"  # where missing netfilter rules are written
    nft_table: str = "lvscc"
    nft_family: str = "inet"
    arp_chains: tuple[str, str] = ("INPUT", "OUTPUT")


@dataclass(frozen=True)
class Command:
    """One shell command of a repair plan, with the text it reads on stdin."""

    argv: tuple[str, ...]
    stdin: str | None = None
    repairs: tuple[str, ...] = ()  # the drifts' objects, for the plan's comments

    def shell(self) -> str:
        if self.stdin is None:
            return shell.join(self.argv)
        return shell.heredoc(self.argv, self.stdin)


def plan(drifts: Iterable[Drift], options: PlanOptions = PlanOptions()) -> list[Command]:
    todo = [d for d in drifts if d.is_drift]
    adds = [d for d in todo if d.kind != "extra"]
    extras = [d for d in todo if d.kind == "extra"]
    commands: list[Command] = []
    commands += [_modprobe(d) for d in adds if d.section == "modules"]
    # Tunnel devices before the addresses on them and the sysctls named after them.
    commands += [command for d in adds if d.section in ("fou", "tunnels") for command in _tunnel(d)]
    commands += [_address("add", d.want, d) for d in adds if d.section == "addresses"]
    commands += [_route(d) for d in adds if d.section == "routes"]
    commands += [_sysctl(d) for d in adds if d.section == "sysctls"]
    commands += _ipvs_adds(adds)
    commands += _nft_transaction(todo, options)
    if options.netfilter == "iptables":
        commands += [command for d in adds if d.section == "netfilter" for command in _iptables_add(d)]
    commands += [command for d in adds if d.section == "arp" for command in _arp("-A", d.want, d, options)]
    # Deletes last, real servers before their services.
    commands += [_ipvs_delete_dest(d) for d in extras if isinstance(d.have, IpvsDest)]
    commands += [_ipvs_delete_service(d) for d in extras if isinstance(d.have, IpvsService)]
    commands += [command for d in extras if _dump_of(d) in IPTABLES_DUMPS for command in _iptables_delete(d)]
    commands += [command for d in extras if d.section == "arp" for command in _arp("-D", d.have, d, options)]
    commands += [_address("del", d.have, d) for d in extras if d.section == "addresses"]
    return commands


def render(commands: list[Command]) -> str:
    """The plan as a POSIX shell script that stops at the first failing command."""
    lines = ["#!/bin/sh", "# lvscc plan: apply in this order", "set -eu"]
    for command in commands:
        lines += [f"# {printable(why)}" for why in command.repairs]
        lines.append(command.shell())
    return "\n".join(lines) + "\n"


def _command(argv: Iterable[str], drifts: Iterable[Drift], stdin: str | None = None) -> Command:
    return Command(tuple(argv), stdin, tuple(dict.fromkeys(d.object for d in drifts)))


# --- ipvs -------------------------------------------------------------------------------


def _grouped(drifts: list[Drift], key: Callable[[Drift], object]) -> list[list[Drift]]:
    groups: dict[object, list[Drift]] = {}
    for d in drifts:
        groups.setdefault(key(d), []).append(d)
    return list(groups.values())


def _ipvs_adds(adds: list[Drift]) -> list[Command]:
    commands: list[Command] = []
    services = [d for d in adds if isinstance(d.want, IpvsService)]
    for d in (d for d in services if d.kind == "missing"):
        commands.append(_command(["ipvsadm", "-A", *ipvsadm.service_args(d.want), *ipvsadm.service_options(d.want)], [d]))
        commands += [_command(["ipvsadm", "-a", *ipvsadm.service_args(d.want), *ipvsadm.dest_options(r, False)], [d]) for r in d.want.dests]
    for group in _grouped([d for d in services if d.kind == "changed"], lambda d: d.want.key):
        want = group[0].want
        commands.append(_command(["ipvsadm", "-E", *ipvsadm.service_args(want), *ipvsadm.service_options(want)], group))
    dests = [d for d in adds if isinstance(d.want, IpvsDest)]
    for d in (d for d in dests if d.kind == "missing"):
        commands.append(_command(["ipvsadm", "-a", *ipvsadm.service_args(d.parent), *ipvsadm.dest_options(d.want, False)], [d]))
    for group in _grouped([d for d in dests if d.kind == "changed"], lambda d: (d.parent.key, d.want.sort_key)):
        first = group[0]
        thresholds = any(d.field in ("upper", "lower") for d in group)
        commands.append(_command(["ipvsadm", "-e", *ipvsadm.service_args(first.parent), *ipvsadm.dest_options(first.want, thresholds)], group))
    timeouts = [d for d in adds if isinstance(d.want, IpvsTimeouts)]
    if timeouts:
        # --set takes all three; 0 keeps the kernel's current value of the ones not drifting.
        values = {d.field: d.expected for d in timeouts}
        commands.append(_command(["ipvsadm", "--set", *(str(values.get(f, 0)) for f in ("tcp", "tcpfin", "udp"))], timeouts))
    return commands


def _ipvs_delete_dest(d: Drift) -> Command:
    return _command(["ipvsadm", "-d", *ipvsadm.service_args(d.parent), "-r", ipvsadm.endpoint(d.have.address, d.have.port)], [d])


def _ipvs_delete_service(d: Drift) -> Command:
    return _command(["ipvsadm", "-D", *ipvsadm.service_args(d.have)], [d])


# --- netfilter: nft ---------------------------------------------------------------------


def _dump_of(d: Drift) -> str | None:
    origin: Origin | None = getattr(d.have, "origin", None)
    return origin.file if origin is not None else None


def _nft_transaction(todo: list[Drift], options: PlanOptions) -> list[Command]:
    netfilter = [d for d in todo if d.section == "netfilter"]
    adds = [d for d in netfilter if d.kind == "missing"] if options.netfilter == "nft" else []
    deletes = [d for d in netfilter if d.kind == "extra" and _dump_of(d) == NFT]
    if not adds and not deletes:
        return []
    lines = nft.add_rules(options.nft_family, options.nft_table, [d.want for d in adds]) if adds else []
    for d in deletes:
        # The probe records where it found the rule: origin.what = "FAMILY TABLE CHAIN",
        # origin.line = the rule's handle; each is checked again before it is written.
        where = d.have.origin.what.split(" ")
        if len(where) != 3:
            raise Refused(f"nft rule location {d.have.origin.what[:60]!r} is not FAMILY TABLE CHAIN")
        lines.append(nft.delete_rule(*where, d.have.origin.line))
    return [_command(["nft", "-f", "-"], adds + deletes, "\n".join(lines) + "\n")]


# --- netfilter: iptables ----------------------------------------------------------------


def _iptables_add(d: Drift) -> list[Command]:
    return [_command([tool, *spec[:2], "-A", *spec[2:]], [d]) for tool, spec in iptables.rules(d.want)]


def _iptables_delete(d: Drift) -> list[Command]:
    # The probe keeps each saved rule verbatim (origin.what = "TABLE -A CHAIN SPEC", one line
    # per rule the backend split), and -D needs the exact spec, comment included, to find it.
    tool = IPTABLES_DUMPS[d.have.origin.file]
    return [_command([tool, *iptables.delete_args(saved)], [d]) for saved in d.have.origin.what.splitlines()]


# --- arp, sysctl, modules, addresses ----------------------------------------------------


def _arp(action: str, rule: ArpRule, d: Drift, options: PlanOptions) -> list[Command]:
    return [_command(["arptables", action, *spec], [d]) for spec in arptables.specs(rule, options.arp_chains)]


def _sysctl(d: Drift) -> Command:
    sysctl: Sysctl = d.want
    return _command(["sysctl", "-w", sysctl_syntax.assignment(sysctl.key, sysctl.value)], [d])


def _modprobe(d: Drift) -> Command:
    return _command(["modprobe", shell.module(d.want)], [d])


def _address(action: str, address: Address, d: Drift) -> Command:
    label = ["label", iproute.label(address.device)] if address.device != address.link else []
    return _command(["ip", "addr", action, str(address.interface), "dev", iproute.device(address.link), *label], [d])


def _route(d: Drift) -> Command:
    # What the real-server kit runs: replace also corrects a default route via another gateway.
    route: Route = d.want
    return _command(["ip", f"-{route.gateway.version}", "route", "replace", route.destination, "via", str(route.gateway)], [d])


# Creates the device unless it exists: a `modprobe` earlier in the plan makes it appear.
_LINK_ADD = 'ip link show dev "$1" >/dev/null 2>&1 || ip link add name "$1" type "$2"'


def _tunnel(d: Drift) -> list[Command]:
    """The real-server kit's commands for one tunnel device or GUE port."""
    tunnel: TunnelDevice = d.want
    kind, family = tunnel.fallback.kind, tunnel.fallback.outer
    if tunnel.type is TunnelType.GUE:
        return [_command(["ip", "fou", "add", "port", str(tunnel.port), "gue", *(["-6"] if family == 6 else [])], [d])]
    up = _command(["ip", "link", "set", "dev", iproute.device(tunnel.name), "up"], [d])
    if d.kind == "changed":
        return [up]
    return [_command(["sh", "-c", _LINK_ADD, "sh", tunnel.name, kind], [d]), up]
