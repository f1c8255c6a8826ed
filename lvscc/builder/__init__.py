"""Parse trees → the IR (lvscc.model.Config). Pure: statements in, Config and diagnostics
out. Resolves pools, address ranges, durations and defaults; values are read by
lvscc.builder.values, which turns every malformed one into a diagnostic at its token.

Every grammar rule is read by the method named after it (lark's Transformer convention,
dispatched directly on the statements rather than over the whole tree): the cluster's
statements here, a service's in lvscc.builder.service, the parts both hold in
lvscc.builder.blocks."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Callable

from lark import Tree

from lvscc.builder.blocks import BlockBuilder, external
from lvscc.builder.service import ServiceBuilder
from lvscc.builder.values import BAD_VALUE, DUPLICATE, Builder, keyword, read_into
from lvscc.diagnostics import Diagnostic
from lvscc.model.config import (
    AuditPolicy, Config, Director, Forwarding, Heartbeat, IPAddress, Pool, RealServer, SyncDaemon, Timeouts, VirtualService,
    WeightPolicy,
)
from lvscc.model.span import Span
from lvscc.parse import args

SERVER_IDENTITY = "LVS029"  # one server name, two addresses


@dataclass
class Cluster:
    """What the statements of one cluster have declared so far."""

    forwarding: Forwarding = Forwarding()
    directors: list[Director] = field(default_factory=list)
    services: list[VirtualService] = field(default_factory=list)
    ipvs_sysctls: list[tuple[str, tuple[int, ...], Span]] = field(default_factory=list)
    untranslated: list[tuple[str, Span]] = field(default_factory=list)
    heartbeat: Heartbeat | None = None
    sync_daemon: SyncDaemon | None = None
    timeouts: Timeouts | None = None
    audit: AuditPolicy = AuditPolicy()


@dataclass
class ClusterBuilder(BlockBuilder):
    """Builds a Config from the statements of one cluster, in source order."""

    cluster: Cluster = field(default_factory=Cluster)

    def statement(self, stmt: Tree) -> None:
        read: Callable[[Tree], None] = getattr(self, stmt.data)
        read(stmt)

    def forwarding(self, node: Tree) -> None:
        if self.once("the cluster", node):
            self.cluster.forwarding = self.forwarding_block(node, Forwarding())

    def director(self, node: Tree) -> None:
        role = keyword(args(node)[0])
        if self.once("the cluster", node, f"director {role}"):
            start = Director(role=role, span=self.span(node))
            self.cluster.directors.append(self.options(f"director {role}", args(node)[1:], start))

    def public(self, opt: Tree, director: Director) -> Director:
        address, dev = self.director_address(opt)
        return replace(director, public=address, public_dev=dev)

    def private(self, opt: Tree, director: Director) -> Director:
        address, dev = self.director_address(opt)
        return replace(director, private=address, private_dev=dev)

    def director_address(self, opt: Tree) -> tuple[IPAddress | None, str | None]:
        parsed = None if external(args(opt)[0]) else self.address(args(opt)[0])
        return (parsed.address if parsed else None), self.dev(opt)

    def heartbeat(self, node: Tree) -> None:
        if self.once("the cluster", node):
            self.cluster.heartbeat = self.options("heartbeat", args(node), Heartbeat(span=self.span(node)))

    def hb_port(self, opt: Tree, heartbeat: Heartbeat) -> Heartbeat:
        return read_into(heartbeat, port=self.integer(args(opt)[0]))

    def hb_interval(self, opt: Tree, heartbeat: Heartbeat) -> Heartbeat:
        return read_into(heartbeat, interval=self.duration(args(opt)[0]))

    def hb_dead_after(self, opt: Tree, heartbeat: Heartbeat) -> Heartbeat:
        return read_into(heartbeat, dead_after=self.duration(args(opt)[0]))

    def hb_monitor_links(self, opt: Tree, heartbeat: Heartbeat) -> Heartbeat:
        return replace(heartbeat, monitor_links=True)

    def sync_daemon(self, node: Tree) -> None:
        if not self.once("the cluster", node):
            return
        daemon = self.options("sync-daemon", args(node), SyncDaemon("", 0, self.span(node)))
        if not daemon.interface:
            self.fail(BAD_VALUE, "sync-daemon needs an interface", node, "add `interface eth1`")
            return
        self.cluster.sync_daemon = daemon

    def sync_interface(self, opt: Tree, daemon: SyncDaemon) -> SyncDaemon:
        return replace(daemon, interface=self.device(args(opt)[0]) or "")

    def sync_id(self, opt: Tree, daemon: SyncDaemon) -> SyncDaemon:
        return replace(daemon, sync_id=self.integer(args(opt)[0]) or 0)

    def timeouts(self, node: Tree) -> None:
        if not self.once("the cluster", node):
            return
        seconds: dict[str, int | None] = {}
        for opt in args(node):
            kind = keyword(args(opt)[0])
            if kind in seconds:
                self.fail(DUPLICATE, f"timeout `{kind}` given twice", opt)
            seconds[kind] = self.duration(args(opt)[1])
        self.cluster.timeouts = Timeouts(seconds.get("tcp"), seconds.get("tcpfin"), seconds.get("udp"), self.span(node))

    def ipvs(self, node: Tree) -> None:
        for opt in args(node):
            name, *tokens = args(opt)
            numbers = [n for n in (self.integer(t) for t in tokens) if n is not None]
            if len(numbers) == len(tokens):
                self.cluster.ipvs_sysctls.append((str(name), tuple(numbers), self.span(opt)))

    def audit(self, node: Tree) -> None:
        if self.once("the cluster", node):
            self.cluster.audit = self.options("audit", args(node), AuditPolicy(span=self.span(node)))

    def audit_weight(self, opt: Tree, policy: AuditPolicy) -> AuditPolicy:
        found = self.choice(args(opt)[0], tuple(w.value for w in WeightPolicy), "weight policy")
        return policy if found is None else replace(policy, weight=WeightPolicy(found))

    def audit_own(self, opt: Tree, policy: AuditPolicy) -> AuditPolicy:
        return replace(policy, scope=tuple(n for n in (self.network(t) for t in args(opt)) if n))

    def audit_fwmarks(self, opt: Tree, policy: AuditPolicy) -> AuditPolicy:
        return replace(policy, fwmarks=self.port_range(args(opt)[0]))

    def audit_table(self, opt: Tree, policy: AuditPolicy) -> AuditPolicy:
        return replace(policy, nft_table=str(args(opt)[0]))

    def untranslated(self, node: Tree) -> None:
        self.cluster.untranslated.append((self.string(args(node)[0]) or "", self.span(node)))

    def pool(self, node: Tree) -> None:
        name = str(args(node)[0])
        if name in self.pools:
            self.fail(DUPLICATE, f"pool `{name}` is declared twice", node,
                      f"the first one is at line {self.pools[name].span.line}")
            return
        servers = [s for child in args(node)[1:] for s in self.server(child, name)]
        self.pools[name] = Pool(name, tuple(servers), self.span(node))

    def service(self, node: Tree) -> None:
        services = ServiceBuilder(file=self.file, diagnostics=self.diagnostics, seen=self.seen, pools=self.pools,
                                  cluster_forwarding=self.cluster.forwarding)
        service = services.service(node)
        if service:
            self.cluster.services.append(service)


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
    """The cluster `name` from its statements, in source order. Empties `statements` as it reads
    them, so each parse tree can be freed once built (see lvscc.load)."""
    builder = ClusterBuilder()
    # The cluster's forwarding is every service's default, wherever in the file it stands.
    for file, stmt in statements:
        if stmt.data == "forwarding":
            builder.file = file
            builder.forwarding(stmt)
    statements.reverse()
    while statements:
        file, stmt = statements.pop()
        if stmt.data != "forwarding":
            builder.file = file
            builder.statement(stmt)
    cluster = builder.cluster
    _check_identities(cluster.services, builder)
    # Built even with errors: the well-formed rest is what the rules still check (see
    # lvscc.pipeline); callers treat a config with errors as a draft, never as a result.
    config = Config(name=name, directors=tuple(sorted(cluster.directors, key=lambda d: d.role != "primary")),
                    heartbeat=cluster.heartbeat, sync_daemon=cluster.sync_daemon, forwarding=cluster.forwarding,
                    timeouts=cluster.timeouts, pools=tuple(builder.pools.values()), services=tuple(cluster.services),
                    ipvs_sysctls=tuple(cluster.ipvs_sysctls), audit=cluster.audit, files=files, span=span,
                    untranslated=tuple(cluster.untranslated))
    return config, builder.diagnostics
