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
lvscc/probes); missing ones are written with the tool named in `PlanOptions.netfilter`."""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from ipaddress import IPv4Network, IPv6Network, ip_network
from typing import Callable, Iterable, Literal

from lvscc.audit import Drift, endpoint
from lvscc.model.config import Method, PortRange, TunnelType
from lvscc.model.state import (
    Address,
    ArpRule,
    IpvsDest,
    IpvsService,
    IpvsTimeouts,
    MarkRule,
    MasqueradeRule,
    Origin,
    RedirectRule,
    rule_comment,
    Route,
    Sysctl,
    TunnelDevice,
)

# Our nft table's chains, as backends/nftables names them: kind -> (name, base-chain spec).
NFT_CHAINS = {
    "mark": ("prerouting", "type filter hook prerouting priority mangle; policy accept;"),
    "redirect": ("nat_prerouting", "type nat hook prerouting priority dstnat; policy accept;"),
    "masquerade": ("nat_postrouting", "type nat hook postrouting priority srcnat; policy accept;"),
}
# xt_multiport takes at most 15 ports, a range counting as two (XT_MULTI_PORTS).
MULTIPORT_SLOTS = 15
IPTABLES_DUMPS = {"iptables.rules": "iptables", "ip6tables.rules": "ip6tables"}
NFT_DUMP = "nft.json"


@dataclass(frozen=True)
class PlanOptions:
    netfilter: Literal["nft", "iptables"] = "nft"  # where missing netfilter rules are written
    nft_table: str = "lvscc"
    nft_family: str = "inet"
    arp_chains: tuple[str, str] = ("INPUT", "OUTPUT")


@dataclass(frozen=True)
class Op:
    argv: tuple[str, ...]
    stdin: str | None = None
    repairs: tuple[str, ...] = ()  # the drifts' objects, for the plan's comments

    def shell(self) -> str:
        command = shlex.join(self.argv)
        if self.stdin is None:
            return command
        return f"{command} <<'LVSCC_EOF'\n{self.stdin}LVSCC_EOF"


def plan(drifts: Iterable[Drift], options: PlanOptions = PlanOptions()) -> list[Op]:
    todo = [d for d in drifts if d.is_drift]
    adds = [d for d in todo if d.kind != "extra"]
    extras = [d for d in todo if d.kind == "extra"]
    ops: list[Op] = []
    ops += [_modprobe(d) for d in adds if d.section == "modules"]
    # Tunnel devices before the addresses on them and the sysctls named after them.
    ops += [op for d in adds if d.section in ("fou", "tunnels") for op in _tunnel(d)]
    ops += [_address("add", d.want, d) for d in adds if d.section == "addresses"]
    ops += [_route(d) for d in adds if d.section == "routes"]
    ops += [_sysctl(d) for d in adds if d.section == "sysctls"]
    ops += _ipvs_adds(adds)
    ops += _nft_transaction(todo, options)
    if options.netfilter == "iptables":
        ops += [op for d in adds if d.section == "netfilter" for op in _iptables_add(d)]
    ops += [op for d in adds if d.section == "arp" for op in _arp("-A", d.want, d, options)]
    # Deletes last, real servers before their services.
    ops += [_ipvs_delete_dest(d) for d in extras if isinstance(d.have, IpvsDest)]
    ops += [_ipvs_delete_service(d) for d in extras if isinstance(d.have, IpvsService)]
    ops += [op for d in extras if _dump_of(d) in IPTABLES_DUMPS for op in _iptables_delete(d)]
    ops += [op for d in extras if d.section == "arp" for op in _arp("-D", d.have, d, options)]
    ops += [_address("del", d.have, d) for d in extras if d.section == "addresses"]
    return ops


def render(ops: list[Op]) -> str:
    """The plan as a POSIX shell script that stops at the first failing command."""
    lines = ["#!/bin/sh", "# lvscc plan: apply in this order", "set -eu"]
    for op in ops:
        lines += [f"# {_one_line(why)}" for why in op.repairs]
        lines.append(op.shell())
    return "\n".join(lines) + "\n"


def _one_line(text: str) -> str:
    return "".join(c if c.isprintable() else "?" for c in text)


def _op(argv: Iterable[str], drifts: Iterable[Drift], stdin: str | None = None) -> Op:
    return Op(tuple(argv), stdin, tuple(dict.fromkeys(d.object for d in drifts)))


# --- ipvs -------------------------------------------------------------------------------

_METHOD_FLAG = {Method.NAT: "-m", Method.DIRECT: "-g", Method.TUNNEL: "-i"}
_PROTOCOL_FLAG = {"tcp": "-t", "udp": "-u", "sctp": "--sctp-service"}


def service_args(service: IpvsService) -> list[str]:
    if service.fwmark:
        return ["-f", str(service.fwmark)] + (["-6"] if service.family == 6 else [])
    assert service.protocol is not None
    return [_PROTOCOL_FLAG[service.protocol.value], endpoint(service.address, service.port)]


def service_options(service: IpvsService) -> list[str]:
    args = ["-s", service.scheduler]
    if service.persistence is not None:
        args += ["-p", str(service.persistence)]
        if service.netmask is not None:
            args += ["-M", service.netmask]
    if service.pe:
        args += ["--pe", service.pe]
    if service.ops:
        args.append("-o")
    if service.flags:
        args += ["-b", ",".join(service.flags)]
    return args


def dest_options(dest: IpvsDest, thresholds: bool) -> list[str]:
    args = ["-r", endpoint(dest.address, dest.port), _METHOD_FLAG[dest.method], "-w", str(dest.weight)]
    if thresholds or dest.upper or dest.lower:
        args += ["-x", str(dest.upper), "-y", str(dest.lower)]
    if dest.tun_type is not None:
        args += ["--tun-type", dest.tun_type.value]
        if dest.tun_port is not None:
            args += ["--tun-port", str(dest.tun_port)]
        if dest.tun_csum is not None:
            args.append(f"--tun-{dest.tun_csum}")
    return args


def _grouped(drifts: list[Drift], key: Callable[[Drift], object]) -> list[list[Drift]]:
    groups: dict[object, list[Drift]] = {}
    for d in drifts:
        groups.setdefault(key(d), []).append(d)
    return list(groups.values())


def _ipvs_adds(adds: list[Drift]) -> list[Op]:
    ops: list[Op] = []
    services = [d for d in adds if isinstance(d.want, IpvsService)]
    for d in (d for d in services if d.kind == "missing"):
        ops.append(_op(["ipvsadm", "-A", *service_args(d.want), *service_options(d.want)], [d]))
        ops += [_op(["ipvsadm", "-a", *service_args(d.want), *dest_options(r, False)], [d]) for r in d.want.dests]
    for group in _grouped([d for d in services if d.kind == "changed"], lambda d: d.want.key):
        want = group[0].want
        ops.append(_op(["ipvsadm", "-E", *service_args(want), *service_options(want)], group))
    dests = [d for d in adds if isinstance(d.want, IpvsDest)]
    for d in (d for d in dests if d.kind == "missing"):
        ops.append(_op(["ipvsadm", "-a", *service_args(d.parent), *dest_options(d.want, False)], [d]))
    for group in _grouped([d for d in dests if d.kind == "changed"], lambda d: (d.parent.key, d.want.sort_key)):
        first = group[0]
        thresholds = any(d.field in ("upper", "lower") for d in group)
        ops.append(_op(["ipvsadm", "-e", *service_args(first.parent), *dest_options(first.want, thresholds)], group))
    timeouts = [d for d in adds if isinstance(d.want, IpvsTimeouts)]
    if timeouts:
        # --set takes all three; 0 keeps the kernel's current value of the ones not drifting.
        values = {d.field: d.expected for d in timeouts}
        ops.append(_op(["ipvsadm", "--set", *(str(values.get(f, 0)) for f in ("tcp", "tcpfin", "udp"))], timeouts))
    return ops


def _ipvs_delete_dest(d: Drift) -> Op:
    return _op(["ipvsadm", "-d", *service_args(d.parent), "-r", endpoint(d.have.address, d.have.port)], [d])


def _ipvs_delete_service(d: Drift) -> Op:
    return _op(["ipvsadm", "-D", *service_args(d.have)], [d])


# --- netfilter: nft ---------------------------------------------------------------------


def _dump_of(d: Drift) -> str | None:
    origin: Origin | None = getattr(d.have, "origin", None)
    return origin.file if origin is not None else None


def _nft_network(net: IPv4Network | IPv6Network, direction: str) -> str:
    family = "ip" if net.version == 4 else "ip6"
    value = str(net.network_address) if net.num_addresses == 1 else str(net)
    return f"{family} {direction} {value}"


def _nft_ports(ports: tuple[PortRange, ...]) -> str:
    items = [str(p.first) if p.first == p.last else f"{p.first}-{p.last}" for p in ports]
    return items[0] if len(items) == 1 else "{ " + ", ".join(items) + " }"


def nft_rule(rule: MarkRule | MasqueradeRule | RedirectRule) -> tuple[str, str]:
    """(chain kind, rule statement) of one of our rules in nft syntax."""
    match rule:
        case MarkRule():
            match = f"{_nft_network(rule.destination, 'daddr')} {rule.protocol.value} dport {_nft_ports(rule.ports)}"
            return "mark", f"{match} meta mark set {rule.fwmark}"
        case RedirectRule():
            dest = _nft_network(ip_network(rule.destination), "daddr")
            l4 = f"{rule.protocol.value} dport {_nft_ports((rule.ports,))}" if rule.ports else f"meta l4proto {rule.protocol.value}"
            return "redirect", f"{dest} {l4} redirect"
        case MasqueradeRule():
            match = _nft_network(rule.source, "saddr")
            if rule.protocol is not None:
                match += f" {rule.protocol.value} sport {rule.sport}" if rule.sport else f" meta l4proto {rule.protocol.value}"
            return "masquerade", f"{match} masquerade"
    raise TypeError(rule)


def _nft_transaction(todo: list[Drift], options: PlanOptions) -> list[Op]:
    netfilter = [d for d in todo if d.section == "netfilter"]
    adds = [d for d in netfilter if d.kind == "missing"] if options.netfilter == "nft" else []
    deletes = [d for d in netfilter if d.kind == "extra" and _dump_of(d) == NFT_DUMP]
    if not adds and not deletes:
        return []
    table = f"{options.nft_family} {options.nft_table}"
    lines: list[str] = []
    if adds:
        lines.append(f"add table {table}")
        kinds = dict.fromkeys(nft_rule(d.want)[0] for d in adds)
        lines += [f"add chain {table} {NFT_CHAINS[k][0]} {{ {NFT_CHAINS[k][1]} }}" for k in kinds]
        for d in adds:
            kind, statement = nft_rule(d.want)
            lines.append(f"add rule {table} {NFT_CHAINS[kind][0]} {statement}")
    for d in deletes:
        # The probe records where it found the rule: origin.what = "FAMILY TABLE CHAIN",
        # origin.line = the rule's handle.
        lines.append(f"delete rule {d.have.origin.what} handle {d.have.origin.line}")
    return [_op(["nft", "-f", "-"], adds + deletes, "\n".join(lines) + "\n")]


# --- netfilter: iptables ----------------------------------------------------------------


def _port_groups(ports: tuple[PortRange, ...]) -> list[list[PortRange]]:
    groups: list[list[PortRange]] = [[]]
    used = 0
    for port in ports:
        cost = 1 if port.first == port.last else 2
        if used + cost > MULTIPORT_SLOTS:
            groups.append([])
            used = 0
        groups[-1].append(port)
        used += cost
    return groups


def _iptables_ports(ports: list[PortRange], flag: str) -> list[str]:
    items = [str(p.first) if p.first == p.last else f"{p.first}:{p.last}" for p in ports]
    if len(items) == 1:
        return [f"--{flag}", items[0]]
    return ["-m", "multiport", f"--{flag}s", ",".join(items)]


def iptables_comment(rule: MarkRule | MasqueradeRule | RedirectRule) -> str:
    """The comment backends/iptables writes, so a repaired rule equals a compiled one."""
    return rule_comment(rule.origin, 200)


def iptables_rules(rule: MarkRule | MasqueradeRule | RedirectRule) -> list[tuple[str, list[str]]]:
    """(tool, arguments with the chain in place of the command) of one of our rules; a mark
    rule with more ports than one multiport match holds becomes several rules."""
    comment = ["-m", "comment", "--comment", iptables_comment(rule)]
    match rule:
        case MarkRule():
            head = ["-t", "mangle", "PREROUTING", "-d", str(rule.destination), "-p", rule.protocol.value]
            tail = comment + ["-j", "MARK", "--set-mark", str(rule.fwmark)]
            specs = [head + _iptables_ports(group, "dport") + tail for group in _port_groups(rule.ports)]
            version = rule.destination.version
        case RedirectRule():
            spec = ["-t", "nat", "PREROUTING", "-d", f"{rule.destination}/{rule.destination.max_prefixlen}"]
            ports = _iptables_ports([rule.ports], "dport") if rule.ports else []
            specs = [spec + ["-p", rule.protocol.value, *ports] + comment + ["-j", "REDIRECT"]]
            version = rule.destination.version
        case MasqueradeRule():
            spec = ["-t", "nat", "POSTROUTING", "-s", str(rule.source)]
            if rule.protocol is not None:
                spec += ["-p", rule.protocol.value] + (["--sport", str(rule.sport)] if rule.sport else [])
            specs = [spec + comment + ["-j", "MASQUERADE"]]
            version = rule.source.version
        case _:
            raise TypeError(rule)
    tool = "iptables" if version == 4 else "ip6tables"
    return [(tool, spec) for spec in specs]


def _iptables_add(d: Drift) -> list[Op]:
    return [_op([tool, *spec[:2], "-A", *spec[2:]], [d]) for tool, spec in iptables_rules(d.want)]


def _iptables_delete(d: Drift) -> list[Op]:
    # The probe keeps each saved rule verbatim (origin.what = "TABLE -A CHAIN SPEC", one line
    # per rule the backend split), and -D needs the exact spec, comment included, to find it.
    ops = []
    for saved in d.have.origin.what.splitlines():
        table, rule = saved.split(" ", 1)
        words = shlex.split(rule)
        ops.append(_op([IPTABLES_DUMPS[d.have.origin.file], "-t", table, "-D", *words[1:]], [d]))
    return ops


# --- arp, sysctl, modules, addresses ----------------------------------------------------


def arp_specs(rule: ArpRule, chains: tuple[str, str]) -> list[list[str]]:
    """The guide's two arptables rules for a VIP: drop ARP requests for it, and answer with the
    real address as sender; only the one of them a half pair stands for."""
    specs = {
        "drop": [chains[0], "-d", str(rule.vip), "-j", "DROP"],
        "mangle": [chains[1], "-s", str(rule.vip), "-j", "mangle", "--mangle-ip-s", str(rule.real)],
    }
    return list(specs.values()) if rule.part == "pair" else [specs[rule.part]]


def _arp(action: str, rule: ArpRule, d: Drift, options: PlanOptions) -> list[Op]:
    return [_op(["arptables", action, *spec], [d]) for spec in arp_specs(rule, options.arp_chains)]


def _sysctl(d: Drift) -> Op:
    sysctl: Sysctl = d.want
    return _op(["sysctl", "-w", f"{sysctl.key}={sysctl.value}"], [d])


def _modprobe(d: Drift) -> Op:
    return _op(["modprobe", d.want], [d])


def _address(action: str, address: Address, d: Drift) -> Op:
    label = ["label", address.device] if address.device != address.link else []
    return _op(["ip", "addr", action, str(address.interface), "dev", address.link, *label], [d])


def _route(d: Drift) -> Op:
    # What the real-server kit runs: replace also corrects a default route via another gateway.
    route: Route = d.want
    return _op(["ip", f"-{route.gateway.version}", "route", "replace", route.destination, "via", str(route.gateway)], [d])


# Creates the device unless it exists: a `modprobe` earlier in the plan makes it appear.
_LINK_ADD = 'ip link show dev "$1" >/dev/null 2>&1 || ip link add name "$1" type "$2"'


def _tunnel(d: Drift) -> list[Op]:
    """The real-server kit's commands for one tunnel device or GUE port."""
    tunnel: TunnelDevice = d.want
    kind, family = tunnel.fallback.kind, tunnel.fallback.outer
    if tunnel.type is TunnelType.GUE:
        return [_op(["ip", "fou", "add", "port", str(tunnel.port), "gue", *(["-6"] if family == 6 else [])], [d])]
    up = _op(["ip", "link", "set", "dev", tunnel.name, "up"], [d])
    if d.kind == "changed":
        return [up]
    return [_op(["sh", "-c", _LINK_ADD, "sh", tunnel.name, kind], [d]), up]
