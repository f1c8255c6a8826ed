"""`service NAME { ... }` → VirtualService. Each statement is read by the method named after
its grammar rule, which returns the service with that statement applied."""

from __future__ import annotations

from dataclasses import dataclass, replace
from ipaddress import IPv4Address, IPv6Address
from typing import Callable

from lark import Tree

from lvscc.builder.blocks import BlockBuilder, external
from lvscc.builder.values import BAD_ADDRESS, keyword, read_into
from lvscc.diagnostics import did_you_mean
from lvscc.model.config import (
    ALL_SCHEDULER_FLAGS, DEFAULT_PERSISTENCE, SCHEDULER_FLAGS, SCHEDULERS, Forwarding, Ftp, HealthCheck, MarkPorts,
    PortRange, Protocol, RealServer, VirtualService,
)
from lvscc.model.span import Span
from lvscc.parse import args

UNKNOWN_SCHEDULER = "LVS020"
UNKNOWN_FLAG = "LVS021"
UNKNOWN_POOL = "LVS022"
SERVICE_KIND = "LVS025"  # a service needs exactly one of: tcp/udp/sctp PORT, fwmark, ftp
NO_VIP = "LVS026"

DEFAULT_FTP_PASSIVE = PortRange(10000, 20000)
FTP_MARK = 21
LOAD_MONITORS = ("none", "rup", "ruptime", "uptime")

Statement = Callable[[Tree, VirtualService], VirtualService]


@dataclass
class ServiceBuilder(BlockBuilder):
    """Reads the services of one cluster; shares its diagnostics, pools and `once` record."""

    cluster_forwarding: Forwarding = Forwarding()

    def service(self, node: Tree) -> VirtualService | None:
        name_token, *statements = args(node)
        name = str(name_token)
        service = VirtualService(name=name, span=self.span(node), forwarding=self.cluster_forwarding)
        spans: dict[str, Span] = {}
        servers: list[RealServer] = []
        failed: set[str] = set()
        for stmt in statements:
            kind = str(stmt.data)  # a plain str compares and hashes without lark Token's methods
            if kind == "server":
                servers += self.server(stmt, None)
                continue
            if kind == "servers":
                servers += self.servers(stmt)
                continue
            span = self.span(stmt)
            if not self.once(f"service {name}", stmt, span=span):
                continue
            spans[kind] = span
            # A malformed statement is left out rather than half-read, so the rest of the
            # service can still be checked by the rules without echoing the error.
            errors = len(self.diagnostics)
            statement: Statement = getattr(self, kind)
            applied = statement(stmt, service)
            if len(self.diagnostics) > errors:
                failed.add(kind)
            else:
                service = applied
        return self.service_kind(replace(service, servers=tuple(servers), spans=spans), node, failed)

    def servers(self, stmt: Tree) -> list[RealServer]:
        out: list[RealServer] = []
        for token in args(stmt):
            pool = self.pools.get(str(token))
            if pool is None:
                self.fail(UNKNOWN_POOL, f"no pool named `{token}`", token,
                          did_you_mean(str(token), list(self.pools)) or "declare it with `pool NAME { ... }` first")
                continue
            out += pool.servers
        return out

    # ---- statements ----------------------------------------------------------------------
    def vip(self, stmt: Tree, service: VirtualService) -> VirtualService:
        return replace(service, vip=self.interface(args(stmt)[0], default_prefix=True), vip_dev=self.dev(stmt))

    def listen(self, stmt: Tree, service: VirtualService) -> VirtualService:
        protocol, port = args(stmt)
        return replace(service, protocol=Protocol(keyword(protocol)), port=self.integer(port))

    def fwmark(self, stmt: Tree, service: VirtualService) -> VirtualService:
        mark, *ports = args(stmt)
        return replace(service, fwmark=self.integer(mark),
                       mark_ports=tuple(self.mark_ports(m) for m in ports if not external(m)),
                       marks_external=any(external(m) for m in ports))

    def mark_ports(self, node: Tree) -> MarkPorts:
        ranges = tuple(r for r in (self.port_range(c) for c in args(node)[1:]) if r)
        return MarkPorts(Protocol(keyword(args(node)[0])), ranges, self.span(node))

    def scheduler(self, stmt: Tree, service: VirtualService) -> VirtualService:
        name, *flags = args(stmt)
        if str(name) not in SCHEDULERS:
            self.fail(UNKNOWN_SCHEDULER, f"unknown scheduler `{name}`", name,
                      did_you_mean(str(name), SCHEDULERS) or "schedulers: " + " ".join(SCHEDULERS))
        for flag in flags:
            token = args(flag)[0]
            if str(token) not in ALL_SCHEDULER_FLAGS:
                self.fail(UNKNOWN_FLAG, f"unknown scheduler flag `{token}`", token,
                          did_you_mean(str(token), SCHEDULER_FLAGS.get(str(name), ALL_SCHEDULER_FLAGS))
                          or "flags: " + " ".join(ALL_SCHEDULER_FLAGS))
        return replace(service, scheduler=str(name), sched_flags=tuple(sorted({str(args(f)[0]) for f in flags})))

    def persistence(self, stmt: Tree, service: VirtualService) -> VirtualService:
        timeout: int | None = DEFAULT_PERSISTENCE
        mask: IPv4Address | int | None = None
        for child in args(stmt):
            if not isinstance(child, Tree):
                timeout = self.duration(child)
            elif child.data == "netmask":
                parsed = self.address(args(child)[0])
                netmask = parsed.address if parsed else None
                if isinstance(netmask, IPv6Address):
                    self.fail(BAD_ADDRESS, "an IPv6 persistence mask is a prefix length", child, "write `prefix 64`")
                    continue
                mask = netmask
            else:
                mask = self.integer(args(child)[0])
        return replace(service, persistence=timeout, persistence_mask=mask)

    def persistence_engine(self, stmt: Tree, service: VirtualService) -> VirtualService:
        return replace(service, persistence_engine=str(args(stmt)[0]))

    def one_packet(self, stmt: Tree, service: VirtualService) -> VirtualService:
        return replace(service, one_packet=True)

    def quiesce(self, stmt: Tree, service: VirtualService) -> VirtualService:
        return replace(service, quiesce=True)

    def disabled(self, stmt: Tree, service: VirtualService) -> VirtualService:
        return replace(service, active=False)

    def forwarding(self, stmt: Tree, service: VirtualService) -> VirtualService:
        return replace(service, forwarding=self.forwarding_block(stmt, self.cluster_forwarding))

    def ftp(self, stmt: Tree, service: VirtualService) -> VirtualService:
        arguments = args(stmt)
        passive = self.port_range(arguments[0]) if arguments else DEFAULT_FTP_PASSIVE
        return replace(service, ftp=Ftp(passive, self.span(stmt)))

    def sorry_server(self, stmt: Tree, service: VirtualService) -> VirtualService:
        at, *inhibit = args(stmt)
        parsed = self.address(at, port=True)
        if parsed is None:
            return service  # reported: the statement is left out
        return replace(service, sorry_server=parsed.address, sorry_port=parsed.port, sorry_inhibit=bool(inhibit))

    def check(self, stmt: Tree, service: VirtualService) -> VirtualService:
        span = self.span(stmt)
        return replace(service, check=self.options(f"check at line {span.line}", args(stmt), HealthCheck(span=span)))

    # ---- check options: a value that failed to read keeps the default (and is reported) ----
    def send(self, opt: Tree, check: HealthCheck) -> HealthCheck:
        return read_into(check, send=self.string(args(opt)[0]))

    def expect(self, opt: Tree, check: HealthCheck) -> HealthCheck:
        return read_into(check, expect=self.string(args(opt)[0]))

    def send_program(self, opt: Tree, check: HealthCheck) -> HealthCheck:
        return read_into(check, send_program=self.string(args(opt)[0]))

    def regex(self, opt: Tree, check: HealthCheck) -> HealthCheck:
        return replace(check, regex=True)

    def check_timeout(self, opt: Tree, check: HealthCheck) -> HealthCheck:
        return read_into(check, timeout=self.duration(args(opt)[0]))

    def reentry(self, opt: Tree, check: HealthCheck) -> HealthCheck:
        return read_into(check, reentry=self.duration(args(opt)[0]))

    def load_monitor(self, opt: Tree, check: HealthCheck) -> HealthCheck:
        return read_into(check, load_monitor=self.choice(args(opt)[0], LOAD_MONITORS, "load monitor"))

    def check_port(self, opt: Tree, check: HealthCheck) -> HealthCheck:
        return read_into(check, port=self.integer(args(opt)[0]))

    # ---- what addresses the service --------------------------------------------------------
    def service_kind(self, service: VirtualService, node: Tree, failed: set[str]) -> VirtualService | None:
        """A service is addressed by a port, a firewall mark, or `ftp` (the guide's mark 21).
        One whose address or port statement was `failed` (malformed, reported already) is
        left out without a second error about its absence."""
        listens, marks = service.protocol is not None, service.fwmark is not None
        lost = {"vip", "listen", "fwmark", "ftp"} & failed
        if "vip" in lost or (lost and not (listens or marks or service.ftp is not None)):
            return None
        if listens and marks:
            self.fail(SERVICE_KIND, f"service {service.name} has both a port and a firewall mark", node,
                      "a virtual service is either `tcp PORT` or `fwmark N { ... }`; split it in two")
            return None
        if service.ftp is not None and not listens and not marks:
            ranges = (PortRange(21, 21),) + ((service.ftp.passive,) if service.ftp.passive else ())
            service = replace(service, fwmark=FTP_MARK, mark_ports=(MarkPorts(Protocol.TCP, ranges, service.ftp.span),))
        elif not listens and not marks:
            self.fail(SERVICE_KIND, f"service {service.name} has no port and no firewall mark", node,
                      "add `tcp 80` (or udp/sctp), `fwmark N { tcp 80, 443 }` or `ftp`")
            return None
        if service.vip is None and not marks:
            # ipvsadm needs it for a port service; for an fwmark one, the backends that need it
            # ask (LVS185).
            self.fail(NO_VIP, f"service {service.name} has no vip", node,
                      "add `vip ADDRESS dev DEVICE`: the floating address clients connect to")
            return None
        return service
