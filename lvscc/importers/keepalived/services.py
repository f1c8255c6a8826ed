"""Virtuals -> VirtualServices: one per target, its VIP found among the VRRP addresses, one
check and one quiesce setting for all its real servers."""

from __future__ import annotations

from dataclasses import replace
from ipaddress import ip_interface

from lvscc.importers.common import Notes, fwmark_service_name, real_server_name, service_name, span_at
from lvscc.importers.keepalived.cluster import Vip
from lvscc.importers.keepalived.pieces import Real, Target, Virtual
from lvscc.model.config import HealthCheck, IPAddress, IPInterface, Method, Protocol, RealServer, VirtualService


class Services:
    def __init__(self, notes: Notes, vips: dict[IPAddress, Vip],
                 virtuals: list[tuple[Virtual, list[Target]]]) -> None:
        self.notes = notes
        self.vips = vips
        self.virtuals = virtuals
        self.claimed: set[IPAddress] = set()  # VRRP addresses taken as a firewall-mark service's VIP

    def services(self) -> list[VirtualService]:
        services: dict[str, VirtualService] = {}
        for vs, targets in self.virtuals:
            for address, port, mark in targets:
                service = self.service(vs, address, port, mark)
                if service is not None and service.name in services:
                    services[service.name] = self.merged(services[service.name], service, vs)
                elif service is not None:
                    services[service.name] = service
        return list(services.values())

    def merged(self, first: VirtualService, again: VirtualService, vs: Virtual) -> VirtualService:
        """A service declared twice: keepalived's second add of the service fails as already
        there, and the second block's real servers join the first's (one address listed in
        both stays once)."""
        known = {s.name for s in first.servers}
        added = tuple(s for s in again.servers if s.name not in known)
        self.notes.conflict(vs.entry.span, f"{first.name} is declared twice: keepalived keeps the first block's "
                                           f"settings and adds the second's real servers to it, so does lvscc")
        return replace(first, servers=first.servers + added + self.inhibited_sorry(first, again, known, vs))

    def inhibited_sorry(self, first: VirtualService, again: VirtualService, known: set[str],
                        vs: Virtual) -> tuple[RealServer, ...]:
        """keepalived adds the inhibited sorry server of every block to the one kernel service at
        weight 0; a service of lvscc's has one sorry server, so another block's is a server at
        weight 0, which its sorry traffic will not raise."""
        if again.sorry_server is None or not again.sorry_inhibit:
            return ()
        if first.sorry_inhibit and (first.sorry_server, first.sorry_port) == (again.sorry_server, again.sorry_port):
            return ()
        name = real_server_name(again.sorry_server, again.sorry_port, first.port)
        if name in known or any(s.name == name for s in again.servers):
            return ()  # keepalived adds that destination once, as lowering does
        self.notes.conflict(vs.entry.span, f"{first.name}: the sorry server {again.sorry_server} of its second "
                                           f"block is written as server {name} at weight 0, where keepalived keeps it")
        return (RealServer(name=name, address=again.sorry_server, port=again.sorry_port, weight=0, span=vs.entry.span),)

    def service(self, vs: Virtual, address: IPAddress | None, port: int, mark: int | None) -> VirtualService | None:
        protocol = None
        if mark is None:
            protocol = vs.protocol
            if protocol is None:
                self.notes.assumed(vs.entry.span, "no `protocol`: keepalived makes this a UDP service",
                                   "write `protocol TCP` if that was meant")
                protocol = Protocol.UDP
        sorry_port = None
        if vs.sorry_port is not None and mark is not None and vs.sorry_port[1]:
            sorry_port = vs.sorry_port[1]  # a firewall-mark service has no port of its own to send it to
        elif vs.sorry_port is not None and vs.sorry_port[1] not in (port, 0):
            self.notes.untranslated(vs.sorry_port[0], f"lvscc sends sorry traffic to the service's port {port}, "
                                                      f"not {vs.sorry_port[1]}")
        vip, device = self.vip(vs, address, mark)
        name = self.name(protocol, address, port, mark, vip)
        check = self.check(vs)
        if mark is not None:
            self.notes.assumed(vs.entry.span, f"keepalived.conf does not say which packets carry fwmark {mark}: "
                                              f"written `fwmark {mark} external`",
                               f"if lvscc should write the marking rules: `fwmark {mark} {{ tcp PORTS }}`")
        return VirtualService(
            name=name, vip=vip, vip_dev=device, protocol=protocol, port=None if mark else port, fwmark=mark,
            marks_external=mark is not None,
            scheduler=vs.scheduler, sched_flags=tuple(sorted(vs.flags)), persistence=vs.persistence,
            persistence_mask=vs.mask, persistence_engine=vs.engine, one_packet=vs.ops, forwarding=vs.forwarding,
            check=check, quiesce=self.quiesce(vs), servers=self.real_servers(vs, None if mark else port),
            sorry_server=vs.sorry, sorry_port=sorry_port, sorry_inhibit=vs.sorry_inhibit and vs.sorry is not None,
            span=vs.entry.span,
        )

    def vip(self, vs: Virtual, address: IPAddress | None, mark: int | None) -> tuple[IPInterface | None, str | None]:
        if address is None:
            family = vs.family or (vs.reals[0].address.version if vs.reals else 4)
            # behind NAT the gateway shares its network with the real servers; a VIP does not
            nat = vs.forwarding.method is Method.NAT
            candidates = [v for v in self.vips.values() if v[0].version == family and v[0].ip not in self.used()
                          and not (nat and _serves(v[0], vs.reals))]
            if not candidates:
                self.notes.assumed(vs.entry.span, f"fwmark {mark}: no VRRP address left to be its VIP")
                return None, None
            network, device, _ = candidates[0]
            self.notes.assumed(vs.entry.span, f"fwmark {mark}: took VRRP address {network.ip} as its VIP")
            self.claimed.add(network.ip)
            return network, device
        if address in self.vips:
            network, device, _ = self.vips[address]
            return network, device
        self.notes.assumed(vs.entry.span, f"no VRRP instance floats {address}; its device is unknown",
                           "add `dev DEVICE` to the service's `vip`")
        return ip_interface(address), None

    def used(self) -> set[IPAddress]:
        return {a for _, targets in self.virtuals for a, _, _ in targets if a is not None} | self.claimed

    @staticmethod
    def name(protocol: Protocol | None, address: IPAddress | None, port: int, mark: int | None,
             vip: IPInterface | None) -> str:
        if mark is not None:
            return fwmark_service_name(mark, vip.version if vip is not None else None)
        assert protocol is not None and address is not None
        return service_name(protocol, address, port)

    def check(self, vs: Virtual) -> HealthCheck | None:
        checks = [r.check for r in vs.reals]
        first = next((c for c in checks if c is not None), None)
        if any(_meaning(c) != _meaning(first) for c in checks):
            self.notes.conflict(vs.entry.span, "the real servers are checked differently; lvscc has one check "
                                               "per service, the first server's was kept")
        return first

    def quiesce(self, vs: Virtual) -> bool:
        inhibited = {r.inhibit for r in vs.reals}
        if vs.inhibit or inhibited == {True}:
            return True
        if len(inhibited) > 1:
            self.notes.conflict(vs.entry.span, "inhibit_on_failure is set on some real servers only; lvscc "
                                               "quiesces all servers of a service or none")
        return False

    def real_servers(self, vs: Virtual, port: int | None) -> tuple[RealServer, ...]:
        servers, seen = [], set()
        for real in vs.reals:
            real = self.port_reset(vs, real, port)
            key = (real.address, real.port if real.port != port else None)
            if key in seen:
                self.notes.conflict(real.span, f"real server {real.address} is listed twice; keepalived drops the "
                                               "second, so does lvscc")
                continue
            seen.add(key)
            method = real.method.method if real.method is not None else None
            if real.method is not None and real.method.tunnel not in (None, vs.forwarding.tunnel):
                self.notes.conflict(real.span, f"real server {real.address} tunnels differently from its service; "
                                               "lvscc keeps the service's tunnel options")
            servers.append(RealServer(
                name=real_server_name(real.address, real.port, port), address=real.address,
                port=key[1] if key[1] else None, weight=real.weight, upper=real.upper, lower=real.lower,
                method=method if method is not None and method is not vs.forwarding.method else None,
                span=real.span,
            ))
        return tuple(servers)


    def port_reset(self, vs: Virtual, real: Real, port: int | None) -> Real:
        """keepalived: "ports don't match - resetting": direct routing and tunnelling cannot
        remap ports, so the real server gets the virtual port."""
        method = (real.method or vs.forwarding).method
        if method is Method.NAT or port in (None, 0) or real.port in (None, port):
            return real
        self.notes.assumed(real.span, f"real server {real.address} port {real.port} differs from the virtual port "
                                      f"{port}, which {method} cannot remap: keepalived resets it to {port}, so "
                                      "does lvscc")
        return replace(real, port=port)


def _serves(network: IPInterface, reals: list[Real]) -> bool:
    return any(r.address in network.network for r in reals if r.address.version == network.version)


def _meaning(check: HealthCheck | None) -> HealthCheck | None:
    return replace(check, span=span_at("", 0, 0, 0)) if check is not None else None
