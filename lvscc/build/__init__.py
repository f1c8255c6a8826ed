"""Parse trees → the IR (lvscc.model.Config). Pure: statements in, Config and diagnostics
out. Resolves pools, address ranges, durations and defaults; values are read by
lvscc.build.values, which turns every malformed one into a diagnostic at its token."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from ipaddress import IPv4Address
from typing import Iterator

from lark import Token, Tree

from lvscc.build.values import (
    BAD_ADDRESS, BAD_RANGE, BAD_VALUE, Builder, keyword, plain_ipv4,
)
from lvscc.diagnostics import Diagnostic, did_you_mean
from lvscc.model.config import (
    ALL_SCHEDULER_FLAGS, DEFAULT_PERSISTENCE, SCHEDULER_FLAGS, SCHEDULERS, ArpMethod, AuditPolicy, Config, Director, Forwarding, Ftp,
    HealthCheck, Heartbeat, IPAddress, MarkPorts, Method, Pool, PortRange, Protocol, RealServer, SyncDaemon,
    Timeouts, Tunnel, TunnelType, VirtualService, WeightPolicy,
)
from lvscc.model.span import Span
from lvscc.parse import args

UNKNOWN_SCHEDULER = "LVS020"
UNKNOWN_FLAG = "LVS021"
UNKNOWN_POOL = "LVS022"
DUPLICATE = "LVS023"  # a pool, director or single-valued statement declared twice
SERVICE_KIND = "LVS025"  # a service needs exactly one of: tcp/udp/sctp PORT, fwmark, ftp
NO_VIP = "LVS026"
SERVER_IDENTITY = "LVS029"  # one server name, two addresses

DEFAULT_FTP_PASSIVE = PortRange(10000, 20000)
FTP_MARK = 21
MAX_RANGE = 4096
LOAD_MONITORS = ("none", "rup", "ruptime", "uptime")


@dataclass
class ClusterBuilder(Builder):
    """Builds a Config from the statements of one cluster, in source order."""

    pools: dict[str, Pool] = field(default_factory=dict)
    seen: dict[tuple[str, str], Span] = field(default_factory=dict)

    def once(self, scope: str, stmt: Tree, what: str | None = None, span: Span | None = None) -> bool:
        """Single-valued statements: the second one is an error that points at the first.
        `span` is the statement's own, when the caller has already worked it out."""
        what = what or stmt.data.replace("_", "-")
        key = (scope, what)
        if key in self.seen:
            first = self.seen[key]
            self.fail(DUPLICATE, f"`{what}` given twice in {scope}", stmt, f"the first one is at line {first.line}")
            return False
        self.seen[key] = span or self.span(stmt)
        return True

    # ---- cluster-level blocks ----------------------------------------------------------
    def director(self, node: Tree) -> Director | None:
        role = keyword(args(node)[0])
        values: dict[str, object] = {}
        for opt in args(node)[1:]:
            if not self.once(f"director {role}", opt):
                continue
            parsed = None if _external(args(opt)[0]) else self.address(args(opt)[0])
            values[opt.data] = parsed.address if parsed else None
            values[f"{opt.data}_dev"] = self.dev(opt)
        return Director(role=role, span=self.span(node), **values)  # type: ignore[arg-type]

    def heartbeat(self, node: Tree) -> Heartbeat:
        values: dict[str, object] = {}
        for opt in args(node):
            if not self.once("heartbeat", opt):
                continue
            if opt.data == "hb_port":
                values["port"] = self.integer(args(opt)[0])
            elif opt.data == "hb_interval":
                values["interval"] = self.duration(args(opt)[0])
            elif opt.data == "hb_dead_after":
                values["dead_after"] = self.duration(args(opt)[0])
            else:
                values["monitor_links"] = True
        return Heartbeat(span=self.span(node), **{k: v for k, v in values.items() if v is not None})  # type: ignore[arg-type]

    def sync_daemon(self, node: Tree) -> SyncDaemon | None:
        interface, sync_id = None, 0
        for opt in args(node):
            if not self.once("sync-daemon", opt):
                continue
            if opt.data == "sync_interface":
                interface = self.device(args(opt)[0])
            else:
                sync_id = self.integer(args(opt)[0]) or 0
        if interface is None:
            self.fail(BAD_VALUE, "sync-daemon needs an interface", node, "add `interface eth1`")
            return None
        return SyncDaemon(interface, sync_id, self.span(node))

    def forwarding(self, node: Tree, base: Forwarding) -> Forwarding:
        method = Method(keyword(args(node)[0]))
        values: dict[str, object] = {"method": method, "span": self.span(node)}
        start = base if base.method is method else Forwarding(method=method)
        scope = f"forwarding at line {self.span(node).line}"
        for opt in args(node)[1:]:
            if not self.once(scope, opt):
                continue
            self.forwarding_option(opt, values)
        tunnel = start.tunnel or Tunnel()
        for key in ("tun_type", "tun_port", "tun_csum"):
            if key in values:
                tunnel = replace(tunnel, **{key[4:]: values.pop(key)})
        if method is Method.TUNNEL:
            values["tunnel"] = tunnel
        return replace(start, **values)  # type: ignore[arg-type]

    def forwarding_option(self, opt: Tree, values: dict[str, object]) -> None:
        if opt.data == "gateway":
            external = _external(args(opt)[0])
            values["gateway"] = None if external else self.interface(args(opt)[0], default_prefix=False)
            values["gateway_external"] = external
            values["gateway_dev"] = self.dev(opt)
        elif opt.data == "masquerade":
            values["masquerade"] = tuple(n for n in (self.network(t) for t in args(opt)) if n)
        elif opt.data == "arp":
            values["arp"] = ArpMethod(keyword(args(opt)[0]))
        elif opt.data == "tun_type":
            values["tun_type"] = TunnelType(keyword(args(opt)[0]))
        elif opt.data == "tun_port":
            values["tun_port"] = self.integer(args(opt)[0])
        else:
            values["tun_csum"] = keyword(args(opt)[0])

    def timeouts(self, node: Tree) -> Timeouts:
        values: dict[str, int | None] = {}
        for opt in args(node):
            kind = keyword(args(opt)[0])
            if kind in values:
                self.fail(DUPLICATE, f"timeout `{kind}` given twice", opt)
            values[kind] = self.duration(args(opt)[1])
        return Timeouts(span=self.span(node), **values)

    def ipvs(self, node: Tree) -> Iterator[tuple[str, tuple[int, ...], Span]]:
        for opt in args(node):
            name, *numbers = args(opt)
            values = tuple(self.integer(n) for n in numbers)
            if None not in values:
                yield str(name), values, self.span(opt)  # type: ignore[misc]

    def audit(self, node: Tree) -> AuditPolicy:
        values: dict[str, object] = {"span": self.span(node)}
        for opt in args(node):
            if not self.once("audit", opt):
                continue
            if opt.data == "audit_weight":
                found = self.choice(args(opt)[0], tuple(w.value for w in WeightPolicy), "weight policy")
                if found:
                    values["weight"] = WeightPolicy(found)
            elif opt.data == "audit_own":
                values["scope"] = tuple(n for n in (self.network(t) for t in args(opt)) if n)
            elif opt.data == "audit_fwmarks":
                values["fwmarks"] = self.port_range(args(opt)[0])
            else:
                values["nft_table"] = str(args(opt)[0])
        return AuditPolicy(**values)  # type: ignore[arg-type]

    # ---- real servers ------------------------------------------------------------------
    def servers(self, node: Tree, pool: str | None) -> list[RealServer]:
        # The hot path of a big config, one call per server line: the grammar fixes the places
        # of `server NAME ADDRESS option*` among the kept tokens, so no filtering by args().
        keyword_token, name, addr_token, *options = node.children
        values: dict[str, object] = {"name": str(name), "pool": pool}
        parsed = None
        address = plain_ipv4(str(addr_token))  # the common case: nothing written around it to check
        if address is None:
            parsed = self.address(addr_token, port=True, range_=True)
            if parsed is None:
                return []
            address = parsed.address
            if parsed.port is not None:
                values["port"] = parsed.port
        values["address"] = address
        spans: dict[str, Span] = {"address": self.tokens_span(addr_token, addr_token)}
        for opt in options:
            self.server_option(opt, values, spans)
        # The line ends where its last option does, whose span was just recorded under its key.
        last = spans[options[-1].data[3:]] if options else spans["address"]
        values["span"] = Span(self.file, keyword_token.line or 0, keyword_token.column or 0,
                              last.end_line, last.end_column)
        values["spans"] = spans
        base = RealServer(**values)  # type: ignore[arg-type]
        if parsed is None or parsed.last is None:
            return [base]
        addresses = self.expand_range(parsed.address, parsed.last, addr_token)
        if len(addresses) == 1:
            return [base]
        return [replace(base, name=f"{name}{i}", address=a) for i, a in enumerate(addresses, 1)]

    def server_option(self, opt: Tree, values: dict[str, object], spans: dict[str, Span]) -> None:
        key = opt.data[3:]  # rs_weight -> weight
        children = opt.children
        if key == "method":  # the one option that is a rule, not a keyword token
            spans[key] = self.span(opt)
            values["method"] = Method(keyword(children[0]))
            return
        spans[key] = self.tokens_span(children[0], children[-1])
        if key == "inactive":
            values["active"] = False
        else:  # `port N`, `weight N`, ...: the keyword, then the number
            number = self.integer(children[1])
            if number is not None:
                values[key] = number

    def expand_range(self, start: IPAddress, end: IPAddress, token: Token) -> list[IPAddress]:
        first, last = int(start), int(end)
        if end.version != start.version or last < first:
            self.fail(BAD_RANGE, f"`{token}` is not an ascending address range", token)
            return []
        if last - first >= MAX_RANGE:
            self.fail(BAD_RANGE, f"`{token}` spans {last - first + 1} addresses", token,
                      f"a range may hold at most {MAX_RANGE} servers")
            return []
        return [type(start)(i) for i in range(first, last + 1)]

    def pool(self, node: Tree) -> None:
        name = str(args(node)[0])
        if name in self.pools:
            self.fail(DUPLICATE, f"pool `{name}` is declared twice", node,
                      f"the first one is at line {self.pools[name].span.line}")
            return
        servers = [s for child in args(node)[1:] for s in self.servers(child, name)]
        self.pools[name] = Pool(name, tuple(servers), self.span(node))

    # ---- services ------------------------------------------------------------------------
    def service(self, node: Tree, cluster_forwarding: Forwarding) -> VirtualService | None:
        name_token, *statements = args(node)
        name = str(name_token)
        values: dict[str, object] = {"name": name, "span": self.span(node), "forwarding": cluster_forwarding}
        spans: dict[str, Span] = {}
        servers: list[RealServer] = []
        failed: set[str] = set()
        for stmt in statements:
            kind = str(stmt.data)  # a plain str compares without lark Token's __eq__
            if kind == "server":
                servers += self.servers(stmt, None)
                continue
            if kind == "servers":
                servers += self.pool_servers(stmt)
                continue
            span = self.span(stmt)
            if not self.once(f"service {name}", stmt, span=span):
                continue
            spans[stmt.data] = span
            if not self.service_statement_whole(stmt, values, cluster_forwarding):
                failed.add(kind)
        values["servers"] = tuple(servers)
        values["spans"] = spans
        return self.service_kind(values, node, failed)

    def service_statement_whole(self, stmt: Tree, values: dict[str, object], cluster_forwarding: Forwarding) -> bool:
        """A malformed statement is left out rather than half-read, so the rest of the service
        can still be checked by the rules without echoing the error. False when it was."""
        errors, found = len(self.diagnostics), {}
        self.service_statement(stmt, found, cluster_forwarding)
        if len(self.diagnostics) > errors:
            return False
        values.update(found)
        return True

    def pool_servers(self, stmt: Tree) -> list[RealServer]:
        out: list[RealServer] = []
        for token in args(stmt):
            pool = self.pools.get(str(token))
            if pool is None:
                self.fail(UNKNOWN_POOL, f"no pool named `{token}`", token,
                          did_you_mean(str(token), list(self.pools)) or "declare it with `pool NAME { ... }` first")
                continue
            out += pool.servers
        return out

    def service_statement(self, stmt: Tree, values: dict[str, object], cluster_forwarding: Forwarding) -> None:
        kind, arguments = str(stmt.data), args(stmt)  # str: see service()
        if kind == "vip":
            values["vip"] = self.interface(arguments[0], default_prefix=True)
            values["vip_dev"] = self.dev(stmt)
        elif kind == "listen":
            values["protocol"] = Protocol(keyword(arguments[0]))
            values["port"] = self.integer(arguments[1])
        elif kind == "fwmark":
            values["fwmark"] = self.integer(arguments[0])
            values["mark_ports"] = tuple(self.mark_ports(m) for m in arguments[1:] if not _external(m))
            values["marks_external"] = any(_external(m) for m in arguments[1:])
        elif kind == "scheduler":
            self.scheduler(stmt, values)
        elif kind == "persistence":
            self.persistence(stmt, values)
        elif kind == "persistence_engine":
            values["persistence_engine"] = str(arguments[0])
        elif kind == "forwarding":
            values["forwarding"] = self.forwarding(stmt, cluster_forwarding)
        elif kind == "check":
            values["check"] = self.check(stmt)
        elif kind == "ftp":
            values["ftp"] = Ftp(self.port_range(arguments[0]) if arguments else DEFAULT_FTP_PASSIVE, self.span(stmt))
        elif kind == "sorry_server":
            parsed = self.address(arguments[0], port=True)
            values["sorry_server"] = parsed.address if parsed else None
            values["sorry_port"] = parsed.port if parsed else None
        else:  # flags: one_packet, quiesce, disabled
            values[{"one_packet": "one_packet", "quiesce": "quiesce", "disabled": "active"}[kind]] = kind != "disabled"

    def mark_ports(self, node: Tree) -> MarkPorts:
        ranges = tuple(r for r in (self.port_range(c) for c in args(node)[1:]) if r)
        return MarkPorts(Protocol(keyword(args(node)[0])), ranges, self.span(node))

    def scheduler(self, stmt: Tree, values: dict[str, object]) -> None:
        name, *flags = args(stmt)
        if str(name) not in SCHEDULERS:
            self.fail(UNKNOWN_SCHEDULER, f"unknown scheduler `{name}`", name,
                      did_you_mean(str(name), SCHEDULERS) or "schedulers: " + " ".join(SCHEDULERS))
        values["scheduler"] = str(name)
        for flag in flags:
            token = args(flag)[0]
            if str(token) not in ALL_SCHEDULER_FLAGS:
                self.fail(UNKNOWN_FLAG, f"unknown scheduler flag `{token}`", token,
                          did_you_mean(str(token), SCHEDULER_FLAGS.get(str(name), ALL_SCHEDULER_FLAGS))
                          or "flags: " + " ".join(ALL_SCHEDULER_FLAGS))
        values["sched_flags"] = tuple(sorted({str(args(f)[0]) for f in flags}))

    def persistence(self, stmt: Tree, values: dict[str, object]) -> None:
        timeout: int | None = DEFAULT_PERSISTENCE
        for child in args(stmt):
            if not isinstance(child, Tree):
                timeout = self.duration(child)
            elif child.data == "netmask":
                parsed = self.address(args(child)[0])
                if parsed and not isinstance(parsed.address, IPv4Address):
                    self.fail(BAD_ADDRESS, "an IPv6 persistence mask is a prefix length", child, "write `prefix 64`")
                values["persistence_mask"] = parsed.address if parsed else None
            else:
                values["persistence_mask"] = self.integer(args(child)[0])
        values["persistence"] = timeout

    def check(self, node: Tree) -> HealthCheck:
        values: dict[str, object] = {"span": self.span(node)}
        for opt in args(node):
            if not self.once(f"check at line {self.span(node).line}", opt):
                continue
            key, arg = opt.data, (args(opt)[0] if args(opt) else None)
            if key in ("send", "expect", "send_program"):
                values[key] = self.string(arg)  # type: ignore[arg-type]
            elif key == "regex":
                values["regex"] = True
            elif key in ("check_timeout", "reentry"):
                values[key.replace("check_", "")] = self.duration(arg)  # type: ignore[arg-type]
            elif key == "load_monitor":
                values["load_monitor"] = self.choice(arg, LOAD_MONITORS, "load monitor")  # type: ignore[arg-type]
            else:
                values["port"] = self.integer(arg)  # type: ignore[arg-type]
        return HealthCheck(**{k: v for k, v in values.items() if v is not None})  # type: ignore[arg-type]

    def service_kind(self, values: dict[str, object], node: Tree, failed: set[str]) -> VirtualService | None:
        """A service is addressed by a port, a firewall mark, or `ftp` (the guide's mark 21).
        One whose address or port statement was `failed` (malformed, reported already) is
        left out without a second error about its absence."""
        listens, marks = "protocol" in values, "fwmark" in values
        lost = {"vip", "listen", "fwmark", "ftp"} & failed
        if "vip" in lost or (lost and not (listens or marks or "ftp" in values)):
            return None
        if listens and marks:
            self.fail(SERVICE_KIND, f"service {values['name']} has both a port and a firewall mark", node,
                      "a virtual service is either `tcp PORT` or `fwmark N { ... }`; split it in two")
            return None
        ftp = values.get("ftp")
        if isinstance(ftp, Ftp) and not listens and not marks:
            values["fwmark"] = FTP_MARK
            ranges = (PortRange(21, 21),) + ((ftp.passive,) if ftp.passive else ())
            values["mark_ports"] = (MarkPorts(Protocol.TCP, ranges, ftp.span),)
        elif not listens and not marks:
            self.fail(SERVICE_KIND, f"service {values['name']} has no port and no firewall mark", node,
                      "add `tcp 80` (or udp/sctp), `fwmark N { tcp 80, 443 }` or `ftp`")
            return None
        if "vip" not in values and not marks:
            # ipvsadm needs it for a port service; for an fwmark one, the backends that need it
            # ask (LVS185).
            self.fail(NO_VIP, f"service {values['name']} has no vip", node,
                      "add `vip ADDRESS dev DEVICE`: the floating address clients connect to")
            return None
        return VirtualService(**values)  # type: ignore[arg-type]


def _external(value: Tree | Token) -> bool:
    """`external` in place of an address: managed elsewhere, not by lvscc."""
    return isinstance(value, Tree) and value.data == "external"


def _check_identities(services: list[VirtualService], builder: Builder) -> None:
    """A real server is one host: the same name stands for one address per family (a dual-stack
    host has an IPv4 and an IPv6 one), never for two of the same family."""
    seen: dict[tuple[str, int], RealServer] = {}
    for service in services:
        for server in service.servers:
            first = seen.setdefault((server.name, server.address.version), server)
            if first is not server and first.address != server.address:
                builder.fail(SERVER_IDENTITY, f"server {server.name} is {server.address} here but {first.address} "
                             f"at line {first.span.line}", server.span,
                             "a name is one host; give the other server its own name")


def build(name: str, span: Span, statements: list[tuple[str, Tree]], files: tuple[str, ...]) -> tuple[Config | None, list[Diagnostic]]:
    builder = ClusterBuilder()
    values: dict[str, object] = {}
    directors: list[Director] = []
    services: list[VirtualService] = []
    ipvs: list[tuple[str, tuple[int, ...], Span]] = []
    untranslated: list[tuple[str, Span]] = []
    forwarding = Forwarding()
    # The cluster's forwarding is every service's default, wherever in the file it stands.
    for file, stmt in statements:
        if stmt.data == "forwarding":
            builder.file = file
            if builder.once("the cluster", stmt):
                forwarding = builder.forwarding(stmt, Forwarding())
    for file, stmt in statements:
        builder.file = file
        kind = str(stmt.data)  # see ClusterBuilder.service()
        if kind == "director":
            if builder.once("the cluster", stmt, f"director {keyword(args(stmt)[0])}"):
                directors.append(builder.director(stmt))  # type: ignore[arg-type]
        elif kind == "pool":
            builder.pool(stmt)
        elif kind == "service":
            service = builder.service(stmt, forwarding)
            if service:
                services.append(service)
        elif kind == "ipvs":
            ipvs += builder.ipvs(stmt)
        elif kind == "untranslated":
            text = builder.string(args(stmt)[0])
            untranslated.append((text or "", builder.span(stmt)))
        elif kind in ("heartbeat", "sync_daemon", "timeouts", "audit"):
            if builder.once("the cluster", stmt):
                values[kind] = getattr(builder, kind)(stmt)
    _check_identities(services, builder)
    # Built even with errors: the well-formed rest is what the rules still check (see
    # lvscc.pipeline); callers treat a config with errors as a draft, never as a result.
    config = Config(name=name, directors=tuple(sorted(directors, key=lambda d: d.role != "primary")),
                    forwarding=forwarding, pools=tuple(builder.pools.values()), services=tuple(services),
                    ipvs_sysctls=tuple(ipvs), files=files, span=span, untranslated=tuple(untranslated),
                    **values)  # type: ignore[arg-type]
    return config, builder.diagnostics
