"""Virtual services as a whole: their identity, ports, schedulers and firewall marks."""

from __future__ import annotations

from typing import Iterable

from lvscc.diagnostics import Finding
from lvscc.model.config import SCHEDULER_FLAGS, Config, Method, Protocol, RealServer, VirtualService
from lvscc.model.queries import active_servers, active_services, method_of, persistence_of
from lvscc.rules import error, rule, warning
from lvscc.rules._common import protocols_of, server_port, span_of

CACHE_SCHEDULERS = ("lblc", "lblcr", "dh")


@rule("LVS103")
def port_zero_needs_persistence(config: Config) -> Iterable[Finding]:
    """ipvsadm refuses an all-ports service that is not persistent ("Zero port specified
    for non-persistent service"), so the restore stops there."""
    for service in active_services(config):
        if service.fwmark is None and service.port == 0 and persistence_of(service) is None:
            yield error(
                f"service {service.name} listens on every port (port 0) but is not persistent",
                span_of(service, "listen"),
                "add `persistence`, or name the port",
            )


@rule("LVS104")
def one_packet_udp_only(config: Config) -> Iterable[Finding]:
    """ipvsadm refuses one-packet scheduling on anything but UDP ("One-Packet Scheduling
    is only for UDP virtual services")."""
    for service in active_services(config):
        carried = protocols_of(service)
        if service.one_packet and carried - {Protocol.UDP}:
            others = ", ".join(sorted(p.value for p in carried - {Protocol.UDP}))
            yield error(
                f"service {service.name} uses one-packet scheduling but carries {others}",
                span_of(service, "one_packet"),
                "drop `one-packet`, or make the service UDP only",
            )


@rule("LVS105")
def sched_flags_match(config: Config) -> Iterable[Finding]:
    """ipvsadm refuses sh-* flags unless the scheduler is sh, and mh-* unless it is mh
    ("incompatible scheduler flag")."""
    for service in active_services(config):
        for flag in service.sched_flags:
            owner = next((sched for sched, flags in SCHEDULER_FLAGS.items() if flag in flags), None)
            if owner is not None and owner != service.scheduler:
                yield error(
                    f"service {service.name}: scheduler flag {flag} needs scheduler {owner}, not {service.scheduler}",
                    span_of(service, "scheduler"),
                    f"use `scheduler {owner} {flag}`, or drop the flag",
                )


@rule("LVS110")
def fwmark_needs_marks(config: Config) -> Iterable[Finding]:
    """IPVS cannot mark packets itself: a firewall-mark service without marking rules
    never sees a single packet."""
    for service in active_services(config):
        if service.fwmark is not None and not service.mark_ports and service.ftp is None and not service.marks_external:
            yield error(
                f"firewall-mark service {service.name} marks no ports, so no packet ever carries mark {service.fwmark}",
                span_of(service, "fwmark"),
                f"list the ports: `fwmark {service.fwmark} {{ tcp 80, 443 }}`",
            )


@rule("LVS185", needed_by=("iptables", "ip6tables", "nftables", "rs-kit"))
def fwmark_vip(config: Config, backend: str) -> Iterable[Finding]:
    """A firewall-mark service without a VIP: the marking rules have no destination to match and
    direct-routing or tunnelled real servers no address to accept, so no packet reaches it.
    ipvsadm does not need it, so only the backends that do ask (`fwmark N external`: marks
    set outside lvscc)."""
    for service in active_services(config):
        if service.fwmark is None or service.vip is not None:
            continue
        marking = backend != "rs-kit" and not service.marks_external
        accepting = backend == "rs-kit" and any(method_of(s, service) is not Method.NAT for s in service.servers)
        if marking or accepting:
            need = "to mark its packets" if marking else "for its real servers to accept"
            yield error(f"backend {backend} needs the VIP of service {service.name} {need}",
                        span_of(service, "fwmark"), "add `vip ADDRESS dev DEVICE`")


@rule("LVS111")
def fwmark_wants_persistence(config: Config) -> Iterable[Finding]:
    """Without persistence the connections of one client to a multi-port firewall-mark
    service are scheduled independently and land on different real servers."""
    for service in active_services(config):
        if service.fwmark is not None and persistence_of(service) is None:
            yield warning(
                f"firewall-mark service {service.name} is not persistent: "
                "one client's ports may reach different servers",
                span_of(service, "fwmark"),
                "add `persistence` (the guide: use persistence together with firewall marks)",
            )


def _identity(service: VirtualService) -> tuple:
    """What the kernel keys a service on: (family, fwmark) or (protocol, VIP, port)."""
    if service.fwmark is not None:
        return ("fwmark", service.family, service.fwmark)
    return ("address", service.protocol, service.vip.ip if service.vip else None, service.port)


def _describe(service: VirtualService) -> str:
    if service.fwmark is not None:
        return f"firewall mark {service.fwmark} (IPv{service.family})"
    vip = service.vip.ip if service.vip else "?"
    return f"{service.protocol} {vip} port {service.port}"


def _duplicate_servers(service: VirtualService) -> Iterable[Finding]:
    first: dict[tuple, RealServer] = {}
    for server in active_servers(service):
        port = server_port(service, server)
        known = len(first)
        earlier = first.setdefault((server.address, port), server)  # one hash of the address, not two
        if len(first) == known:  # the key was there: the same server object twice counts too
            yield error(
                f"service {service.name}: servers {earlier.name} and {server.name} "
                f"are both {server.address} port {port}",
                server.span,
                "remove one of them (direct routing and tunnelling use the virtual port for every server)",
            )


@rule("LVS112")
def duplicate_services(config: Config) -> Iterable[Finding]:
    """The kernel answers EEXIST to a second service with the same address, protocol and
    port (or firewall mark), or a second identical real server, and ipvsadm-restore goes
    on without it."""
    first: dict[tuple, VirtualService] = {}
    for service in active_services(config):
        earlier = first.get(_identity(service))
        first.setdefault(_identity(service), service)
        if earlier is not None:
            yield error(
                f"service {service.name} is the same kernel service as {earlier.name}: {_describe(service)}",
                service.span,
                "merge the two services, or change the VIP, port or mark",
            )
        yield from _duplicate_servers(service)


@rule("LVS133")
def scheduler_fits_service(config: Config) -> Iterable[Finding]:
    """Some schedulers assume traffic they will not get: ovf counts TCP connections, and
    lblc/lblcr/dh pick servers by destination address, which is the single VIP here."""
    for service in active_services(config):
        scheduler = service.scheduler
        if scheduler == "ovf" and Protocol.UDP in protocols_of(service):
            why = "ovf overflows on active connections, which UDP does not have"
        elif scheduler in CACHE_SCHEDULERS:
            why = f"{scheduler} hashes on the destination address, meant for cache clusters"
        else:
            continue
        yield warning(
            f"service {service.name}: {why}",
            span_of(service, "scheduler"),
            "use wlc, wrr or sh (source hashing) for ordinary services",
        )
