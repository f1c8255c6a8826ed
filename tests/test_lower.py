"""lower(Config) -> Intent: one test per lowering decision, on small Configs built in code."""

from __future__ import annotations

from dataclasses import replace
from ipaddress import IPv4Address, ip_address, ip_interface, ip_network

import pytest

from lvscc.lower import lower
from lvscc.model.canonical import canonical
from lvscc.model.config import (
    ArpMethod,
    Config,
    Director,
    Forwarding,
    Ftp,
    MarkPorts,
    Method,
    PortRange,
    Protocol,
    RealServer,
    Timeouts,
    Tunnel,
    TunnelType,
    VirtualService,
)
from lvscc.model.span import Span
from lvscc.model.state import (
    Address,
    ArpRule,
    HostState,
    IpvsTimeouts,
    MarkRule,
    MasqueradeRule,
    Origin,
    RedirectRule,
    Route,
    Sysctl,
    TunnelDevice,
)

FILE = "t.lvs"
NAT = Forwarding(Method.NAT, gateway=ip_interface("198.51.100.254/24"), gateway_dev="eth1:1", span=Span(FILE, 3, 3, 3, 9))
DIRECTOR = Director("primary", ip_address("203.0.113.9"), "eth0", ip_address("198.51.100.9"), "eth1")


def server(name: str = "web1", address: str = "198.51.100.1", line: int = 20, **fields) -> RealServer:
    return RealServer(name, ip_address(address), span=Span(FILE, line, 5, line, 30), **fields)


def service(name: str = "http", vip: str = "192.0.2.10/24", line: int = 10, **fields) -> VirtualService:
    fields.setdefault("protocol", None if fields.get("fwmark") or fields.get("ftp") else Protocol.TCP)
    fields.setdefault("port", None if fields["protocol"] is None else 80)
    fields.setdefault("servers", (server(),))
    fields.setdefault("vip_dev", "eth0:1")
    return VirtualService(name, vip=ip_interface(vip), span=Span(FILE, line, 3, line, 9), **fields)


def config(*services: VirtualService, **fields) -> Config:
    fields.setdefault("directors", (DIRECTOR,))
    return Config("t", services=services, files=(FILE,), **fields)


def primary(cfg: Config) -> HostState:
    return lower(cfg).host("primary")


def only_service(cfg: Config):
    (svc,) = primary(cfg).ipvs
    return svc


# --- hosts ---------------------------------------------------------------------------------


def test_no_director_still_gives_a_primary() -> None:
    intent = lower(config(service(), directors=()))
    assert [h.host for h in intent.hosts] == ["primary", "web1"]
    assert intent.host("primary").address is None and intent.host("primary").role == "director"


def test_backup_carries_the_same_table_and_primary_comes_first() -> None:
    backup = Director("backup", ip_address("203.0.113.8"), "eth0")
    intent = lower(config(service(), directors=(backup, DIRECTOR)))
    assert [h.host for h in intent.hosts][:2] == ["primary", "backup"]
    assert intent.host("primary").ipvs == intent.host("backup").ipvs
    assert intent.host("backup").address == ip_address("203.0.113.8")


def test_intent_names_cluster_and_source() -> None:
    intent = lower(config(service()))
    assert (intent.cluster, intent.source) == ("t", FILE)


def test_inactive_services_and_servers_are_left_out() -> None:
    cfg = config(
        service(servers=(server("web1"), server("web2", "198.51.100.2", active=False))),
        service("old", port=8080, active=False, servers=(server("web3", "198.51.100.3"),)),
    )
    intent = lower(cfg)
    (svc,) = intent.host("primary").ipvs
    assert [d.address for d in svc.dests] == [ip_address("198.51.100.1")]
    assert [h.host for h in intent.hosts] == ["primary", "web1"]


def test_a_server_in_several_services_is_one_host() -> None:
    cfg = config(service("http"), service("https", port=443))
    hosts = [h for h in lower(cfg).hosts if h.role == "real-server"]
    assert [h.host for h in hosts] == ["web1"]
    assert hosts[0].address == ip_address("198.51.100.1")


# --- IPVS services and dests ---------------------------------------------------------------


def test_services_in_ipvsadm_save_order() -> None:
    cfg = config(
        service("mark", fwmark=5, mark_ports=(MarkPorts(Protocol.TCP, (PortRange(8000, 8001),)),)),
        service("dns", protocol=Protocol.UDP, port=53),
        service("https", port=443),
        service("other", vip="192.0.2.9/24"),
        service("http"),
    )
    keys = [(s.fwmark, s.protocol, str(s.address), s.port) for s in primary(cfg).ipvs]
    assert keys == [
        (0, Protocol.TCP, "192.0.2.9", 80),
        (0, Protocol.TCP, "192.0.2.10", 80),
        (0, Protocol.TCP, "192.0.2.10", 443),
        (0, Protocol.UDP, "192.0.2.10", 53),
        (5, None, "None", 0),
    ]


def test_dests_sorted_by_address_then_port() -> None:
    servers = (server("c", "198.51.100.10", method=Method.NAT, port=81), server("b", "198.51.100.2"),
               server("a", "198.51.100.10", method=Method.NAT, port=80))
    svc = only_service(config(service(servers=servers)))
    assert [(str(d.address), d.port) for d in svc.dests] == [("198.51.100.2", 80), ("198.51.100.10", 80),
                                                             ("198.51.100.10", 81)]


def test_direct_and_tunnel_dests_use_the_service_port() -> None:
    # ipvsadm silently overwrites a DR/TUN dest port with the service port (V01).
    servers = (server("a", port=8080), server("b", "198.51.100.2", port=8080, method=Method.TUNNEL))
    assert {d.port for d in only_service(config(service(servers=servers))).dests} == {80}


def test_nat_dest_port_is_the_servers_or_else_the_services() -> None:
    servers = (server("a", port=8080), server("b", "198.51.100.2"))
    svc = only_service(config(service(forwarding=NAT, servers=servers), forwarding=NAT))
    assert [(d.port, d.method) for d in svc.dests] == [(8080, Method.NAT), (80, Method.NAT)]


def test_per_server_method_override() -> None:
    servers = (server("a"), server("b", "198.51.100.2", method=Method.NAT))
    assert [d.method for d in only_service(config(service(servers=servers))).dests] == [Method.DIRECT, Method.NAT]


def test_dest_weight_and_thresholds() -> None:
    svc = only_service(config(service(servers=(server(weight=5, upper=100, lower=10),))))
    assert (svc.dests[0].weight, svc.dests[0].upper, svc.dests[0].lower) == (5, 100, 10)


def test_fwmark_service_shape() -> None:
    marks = (MarkPorts(Protocol.TCP, (PortRange(80, 80), PortRange(443, 443))),)
    nat_server = server("b", "2001:db8:1::2", method=Method.NAT, port=8080)
    cfg = config(service(vip="2001:db8::10/64", fwmark=80, mark_ports=marks,
                         servers=(server("a", "2001:db8:1::1", port=80), nat_server)))
    svc = only_service(cfg)
    assert (svc.family, svc.protocol, svc.address, svc.port, svc.fwmark) == (6, None, None, 0, 80)
    assert [(d.port, d.method) for d in svc.dests] == [(0, Method.DIRECT), (8080, Method.NAT)]


def test_fwmark_nat_dest_without_port_is_zero() -> None:
    svc = only_service(config(service(fwmark=7, forwarding=NAT, mark_ports=(MarkPorts(Protocol.UDP, (PortRange(53, 53),)),))))
    assert svc.dests[0].port == 0


def test_service_options_carried() -> None:
    svc = only_service(config(service(protocol=Protocol.UDP, port=5060, scheduler="rr", persistence=60,
                                      persistence_engine="sip", one_packet=True)))
    assert (svc.scheduler, svc.persistence, svc.pe, svc.ops) == ("rr", 60, "sip", True)


@pytest.mark.parametrize(
    ("scheduler", "given", "expected"),
    [
        ("sh", ("sh-port", "sh-fallback"), ("sh-fallback", "sh-port")),
        ("sh", ("flag-2",), ("sh-port",)),
        ("mh", ("mh-port",), ("mh-port",)),
        ("wlc", ("flag-3", "flag-1"), ("flag-1", "flag-3")),
    ],
)
def test_scheduler_flags_named_as_ipvsadm_save_prints_them(scheduler: str, given: tuple, expected: tuple) -> None:
    assert only_service(config(service(scheduler=scheduler, sched_flags=given))).flags == expected


@pytest.mark.parametrize(
    ("vip", "persistence", "mask", "expected"),
    [
        ("192.0.2.10/24", 300, IPv4Address("255.255.255.0"), "255.255.255.0"),
        ("192.0.2.10/24", 300, 16, "255.255.0.0"),
        ("192.0.2.10/24", 300, IPv4Address("255.255.255.255"), None),
        ("192.0.2.10/24", None, IPv4Address("255.255.255.0"), None),
        ("2001:db8::10/64", 300, 64, "64"),
        ("2001:db8::10/64", 300, 128, None),
    ],
)
def test_persistence_netmask(vip: str, persistence: int | None, mask, expected: str | None) -> None:
    cfg = config(service(vip=vip, persistence=persistence, persistence_mask=mask,
                         servers=(server(address="2001:db8:1::1" if ":" in vip else "198.51.100.1"),)))
    assert only_service(cfg).netmask == expected


def test_tunnel_dest_fields() -> None:
    gue = Forwarding(Method.TUNNEL, tunnel=Tunnel(TunnelType.GUE, 6080, "remcsum"))
    gre = Forwarding(Method.TUNNEL, tunnel=Tunnel(TunnelType.GRE))
    cfg = config(service("a", forwarding=gue), service("b", port=81, forwarding=gre),
                 service("c", port=82, forwarding=Forwarding(Method.TUNNEL)))
    fields = [(d.tun_type, d.tun_port, d.tun_csum) for s in primary(cfg).ipvs for d in s.dests]
    assert fields == [(TunnelType.GUE, 6080, "remcsum"), (TunnelType.GRE, None, "nocsum"), (TunnelType.IPIP, None, None)]


def test_tunnel_override_takes_the_clusters_tunnel_block() -> None:
    cluster = Forwarding(Method.TUNNEL, tunnel=Tunnel(TunnelType.GUE, 5555))
    cfg = config(service(servers=(server(method=Method.TUNNEL),)), forwarding=cluster)
    assert (only_service(cfg).dests[0].tun_type, only_service(cfg).dests[0].tun_port) == (TunnelType.GUE, 5555)


def test_non_tunnel_dests_have_no_tunnel_fields() -> None:
    dest = only_service(config(service())).dests[0]
    assert (dest.tun_type, dest.tun_port, dest.tun_csum) == (None, None, None)


# --- FTP -----------------------------------------------------------------------------------


def test_ftp_becomes_a_persistent_fwmark_21_service() -> None:
    svc = only_service(config(service("ftp", ftp=Ftp())))
    assert (svc.fwmark, svc.protocol, svc.persistence) == (21, None, 360)
    assert svc.dests[0].port == 0


def test_ftp_declared_with_its_control_port_is_still_a_fwmark_service() -> None:
    nat_server = server("b", "198.51.100.2", method=Method.NAT)
    svc = only_service(config(service("ftp", ftp=Ftp(), protocol=Protocol.TCP, port=21, servers=(server(), nat_server))))
    assert (svc.fwmark, svc.protocol, svc.address, svc.port) == (21, None, None, 0)
    assert [d.port for d in svc.dests] == [0, 0]


def test_ftp_keeps_its_own_mark_and_persistence() -> None:
    svc = only_service(config(service("ftp", ftp=Ftp(), fwmark=121, persistence=900)))
    assert (svc.fwmark, svc.persistence) == (121, 900)


def test_ftp_marks_control_port_and_passive_range() -> None:
    nat = primary(config(service("ftp", ftp=Ftp(), forwarding=NAT), forwarding=NAT)).marks
    assert nat == (MarkRule(21, ip_network("192.0.2.10/32"), Protocol.TCP, (PortRange(21, 21), PortRange(10000, 20000))),)
    own = primary(config(service("ftp", ftp=Ftp(PortRange(30000, 30100)), forwarding=NAT), forwarding=NAT)).marks
    assert own[0].ports == (PortRange(21, 21), PortRange(30000, 30100))
    # direct routing: the client's answers to an active data connection (to VIP:20) carry the mark too
    direct = primary(config(service("ftp", ftp=Ftp()))).marks
    assert direct[0].ports == (PortRange(20, 20), PortRange(21, 21), PortRange(10000, 20000))


def test_ftp_modules() -> None:
    assert {"ip_vs_ftp", "nf_conntrack_ftp"} <= set(primary(config(service("ftp", ftp=Ftp()))).modules)
    assert "ip_vs_ftp" not in primary(config(service())).modules


def test_ftp_behind_nat_masquerades_active_data_connections() -> None:
    cfg = config(service("ftp", ftp=Ftp(), forwarding=NAT), forwarding=NAT)
    assert primary(cfg).masquerades == (MasqueradeRule(ip_network("198.51.100.0/24"), Protocol.TCP, 20),)


def test_ftp_under_direct_routing_masquerades_nothing() -> None:
    assert primary(config(service("ftp", ftp=Ftp()))).masquerades == ()


# --- marks, masquerade, sysctls, modules, addresses ----------------------------------------


def test_mark_rule_per_protocol_with_host_destination() -> None:
    marks = (MarkPorts(Protocol.UDP, (PortRange(53, 53),)), MarkPorts(Protocol.TCP, (PortRange(443, 443), PortRange(80, 80))))
    rules = primary(config(service(vip="2001:db8::10/64", fwmark=80, mark_ports=marks,
                                   servers=(server(address="2001:db8:1::1"),)))).marks
    assert rules == (
        MarkRule(80, ip_network("2001:db8::10/128"), Protocol.TCP, (PortRange(80, 80), PortRange(443, 443))),
        MarkRule(80, ip_network("2001:db8::10/128"), Protocol.UDP, (PortRange(53, 53),)),
    )


def test_address_services_have_no_mark_rules() -> None:
    assert primary(config(service())).marks == ()


def test_nat_masquerade_networks() -> None:
    nat = replace(NAT, masquerade=(ip_network("198.51.100.0/24"), ip_network("203.0.113.0/25")))
    cfg = config(service(forwarding=nat), forwarding=nat)
    assert [m.source for m in primary(cfg).masquerades] == [ip_network("198.51.100.0/24"), ip_network("203.0.113.0/25")]
    assert all(m.protocol is None and m.sport is None for m in primary(cfg).masquerades)


def test_ip_forward_only_on_nat_directors() -> None:
    assert Sysctl("net.ipv4.ip_forward", "1") in primary(config(service(forwarding=NAT), forwarding=NAT)).sysctls
    assert primary(config(service())).sysctls == ()


def test_ipvs_block_becomes_vs_sysctls_and_conntrack_is_never_implied() -> None:
    span = Span(FILE, 4, 3, 4, 9)
    cfg = config(service(forwarding=NAT), forwarding=NAT,
                 ipvs_sysctls=(("expire_nodest_conn", (1,), span), ("sync_threshold", (3, 50), span)))
    sysctls = primary(cfg).sysctls
    assert [(s.key, s.value) for s in sysctls] == [
        ("net.ipv4.ip_forward", "1"),
        ("net.ipv4.vs.expire_nodest_conn", "1"),
        ("net.ipv4.vs.sync_threshold", "3 50"),
    ]
    assert sysctls[1].origin == Origin(FILE, 4, "ipvs expire_nodest_conn")


def test_modules_for_every_scheduler_and_pe() -> None:
    cfg = config(service(scheduler="rr"), service("b", port=81, scheduler="sh"),
                 service("sip", protocol=Protocol.UDP, port=5060, persistence=60, persistence_engine="sip"))
    assert primary(cfg).modules == ("ip_vs", "ip_vs_pe_sip", "ip_vs_rr", "ip_vs_sh", "ip_vs_wlc")


def test_timeouts() -> None:
    assert primary(config(service())).timeouts is None
    assert primary(config(service(), timeouts=Timeouts(tcp=900, udp=30))).timeouts == IpvsTimeouts(900, 0, 30)


def test_floating_addresses_vip_and_nat_gateway() -> None:
    cfg = config(service(forwarding=NAT), service("https", port=443, forwarding=NAT), forwarding=NAT)
    assert primary(cfg).addresses == (
        Address(ip_interface("192.0.2.10/24"), "eth0:1"),
        Address(ip_interface("198.51.100.254/24"), "eth1:1"),
    )


def test_vip_without_device_goes_on_the_directors_public_device() -> None:
    cfg = config(service(vip_dev=None))
    assert primary(cfg).addresses == (Address(ip_interface("192.0.2.10/24"), "eth0"),)
    assert lower(config(service(vip_dev=None), directors=())).host("primary").addresses == ()


def test_origins() -> None:
    svc = only_service(config(service()))
    assert svc.origin == Origin(FILE, 10, "service http")
    assert svc.dests[0].origin == Origin(FILE, 20, "server web1 of service http")
    assert str(svc.origin) == "t.lvs:10 service http"


# --- real servers --------------------------------------------------------------------------


def real(cfg: Config, name: str = "web1") -> HostState:
    return lower(cfg).host(name)


ARP_SYSCTLS = [
    ("net.ipv4.conf.all.arp_announce", "2"),
    ("net.ipv4.conf.all.arp_ignore", "1"),
    ("net.ipv4.conf.lo.arp_announce", "2"),
    ("net.ipv4.conf.lo.arp_ignore", "1"),
]


def test_direct_routing_with_arp_sysctls() -> None:
    host = real(config(service(), service("https", port=443)))
    assert (host.role, host.address) == ("real-server", ip_address("198.51.100.1"))
    assert [(s.key, s.value) for s in host.sysctls] == ARP_SYSCTLS
    assert host.addresses == (Address(ip_interface("192.0.2.10/32"), "lo"),)
    assert host.sysctls[0].origin == Origin(FILE, 20, "server web1 of service http")


def test_direct_routing_ipv6_vip_on_lo_without_arp_sysctls() -> None:
    host = real(config(service(vip="2001:db8::10/64", servers=(server(address="2001:db8:1::1"),))))
    assert host.addresses == (Address(ip_interface("2001:db8::10/128"), "lo"),)
    assert host.sysctls == ()


@pytest.mark.parametrize(("arp", "chains"), [(ArpMethod.ARPTABLES, ("INPUT", "OUTPUT")), (ArpMethod.ARPTABLES_JF, ("IN", "OUT"))])
def test_direct_routing_with_arptables(arp: ArpMethod, chains: tuple[str, str]) -> None:
    host = real(config(service(forwarding=Forwarding(arp=arp))))
    assert host.arp == (ArpRule(ip_address("192.0.2.10"), ip_address("198.51.100.1")),)
    assert host.arp_chains == chains
    assert host.addresses == (Address(ip_interface("192.0.2.10/32"), "lo"),)
    assert host.sysctls == ()


def test_direct_routing_with_redirect() -> None:
    redirect = Forwarding(arp=ArpMethod.REDIRECT)
    marks = (MarkPorts(Protocol.TCP, (PortRange(443, 443), PortRange(8000, 8010))),)
    cfg = config(service(forwarding=redirect), service("m", fwmark=9, mark_ports=marks, forwarding=redirect))
    host = real(cfg)
    vip = ip_address("192.0.2.10")
    assert host.redirects == (
        RedirectRule(vip, Protocol.TCP, 80),
        RedirectRule(vip, Protocol.TCP, 443),
        RedirectRule(vip, Protocol.TCP, 8000, last=8010),
    )
    assert host.addresses == () and host.sysctls == ()


def test_nat_real_server_routes_via_the_gateway() -> None:
    assert real(config(service(forwarding=NAT), forwarding=NAT)).routes == (Route("default", ip_address("198.51.100.254")),)


def test_nat_override_in_a_direct_service_uses_the_clusters_gateway() -> None:
    cfg = config(service(servers=(server(method=Method.NAT),)), forwarding=NAT)
    assert real(cfg).routes == (Route("default", ip_address("198.51.100.254")),)


@pytest.mark.parametrize(
    ("tunnel", "vip", "address", "device", "modules"),
    [
        (Tunnel(), "192.0.2.10/24", "198.51.100.1", "tunl0", ("ipip",)),
        (Tunnel(TunnelType.GUE, 6080), "192.0.2.10/24", "198.51.100.1", "tunl0", ("fou", "ipip")),
        (Tunnel(TunnelType.GRE), "192.0.2.10/24", "198.51.100.1", "gre0", ("ip_gre",)),
        (Tunnel(), "2001:db8::10/64", "2001:db8:1::1", "ip6tnl0", ("ip6_tunnel",)),
        (Tunnel(), "2001:db8::10/64", "198.51.100.1", "sit0", ("sit",)),
    ],
)
def test_tunnel_real_server(tunnel: Tunnel, vip: str, address: str, device: str, modules: tuple[str, ...]) -> None:
    cfg = config(service(vip=vip, forwarding=Forwarding(Method.TUNNEL, tunnel=tunnel), servers=(server(address=address),)))
    host = real(cfg)
    assert host.tunnels == (TunnelDevice(device, tunnel.type, tunnel.port),)
    assert host.modules == modules
    assert host.addresses == (Address(ip_interface(f"{ip_interface(vip).ip}/{ip_interface(vip).max_prefixlen}"), device),)


def test_tunnel_real_server_turns_rp_filter_off() -> None:
    sysctls = {s.key: s.value for s in real(config(service(forwarding=Forwarding(Method.TUNNEL)))).sysctls}
    assert sysctls["net.ipv4.conf.all.rp_filter"] == "0"
    assert sysctls["net.ipv4.conf.tunl0.rp_filter"] == "0"
    assert sysctls["net.ipv4.conf.all.arp_ignore"] == "1"


# --- determinism ---------------------------------------------------------------------------


def test_declaration_order_does_not_change_the_intent() -> None:
    services = (
        service("http", servers=(server("b", "198.51.100.2"), server("a"))),
        service("ftp", vip="192.0.2.11/24", ftp=Ftp()),
        service("dns", protocol=Protocol.UDP, port=53, forwarding=NAT),
    )
    one = lower(config(*services, forwarding=NAT))
    two = lower(config(*reversed(services), forwarding=NAT))
    assert one == two
    assert [h.host for h in one.hosts] == [h.host for h in two.hosts]


def test_canonical_is_idempotent_and_dedupes() -> None:
    host = primary(config(service(), service("https", port=443)))
    assert canonical(host) == host
    doubled = replace(host, addresses=host.addresses * 2, modules=host.modules[::-1] * 2)
    assert canonical(doubled) == host
