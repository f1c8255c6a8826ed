"""What one keepalived virtual_server becomes (lvscc/importers/keepalived/services.py): every field
of the VirtualService a router's table is written from, the VIP and its device found among the
VRRP addresses, a firewall-mark service's VIP taken from a VRRP address nobody else uses, and the
real servers' ports as keepalived puts them in the kernel."""

from __future__ import annotations

from ipaddress import ip_address, ip_interface

import pytest

from lvscc.importers.keepalived import import_keepalived
from lvscc.model.config import Forwarding, Method, Protocol, Tunnel, TunnelType, VirtualService

VRRP = """vrrp_instance VI_1 {
    interface eth0
    virtual_ipaddress {
        192.0.2.10/24 dev eth0
        198.51.100.10/24 dev eth1
        203.0.113.10/26 dev eth2
        2001:db8::10/64 dev eth3
    }
}
"""
VRRP_LINES = VRRP.count("\n")


def imported(text: str) -> tuple[list[VirtualService], list[tuple[str, int, str, str | None]]]:
    config, found = import_keepalived(text, "k.conf")
    assert config is not None
    own = VRRP_LINES if text.startswith(VRRP) else 0  # the VRRP block's notes are cluster.py's
    return list(config.services), [(d.code, d.span.line, d.message, d.hint) for d in found if d.span.line > own]


def test_every_setting_of_a_virtual_server_reaches_its_service() -> None:
    services, notes = imported(VRRP + """virtual_server 192.0.2.10 443 {
    lb_algo sh
    lb_kind DR
    protocol TCP
    persistence_timeout 600
    persistence_granularity 255.255.255.0
    persistence_engine sip
    ops
    sh-port
    flag-1
    sorry_server 192.0.2.99 443
    real_server 192.0.2.21 443 {
        weight 2
    }
}
""")
    (service,) = services
    assert notes == []
    assert service == VirtualService(
        name="svc-tcp-192-0-2-10-443", vip=ip_interface("192.0.2.10/24"), vip_dev="eth0", protocol=Protocol.TCP,
        port=443, fwmark=None, marks_external=False, scheduler="sh", sched_flags=("flag-1", "sh-port"),
        persistence=600, persistence_mask=ip_address("255.255.255.0"), persistence_engine="sip", one_packet=True,
        forwarding=Forwarding(method=Method.DIRECT), check=None, quiesce=False, servers=service.servers,
        sorry_server=ip_address("192.0.2.99"), sorry_port=None, sorry_inhibit=False, span=service.span)
    assert (service.span.line, service.span.column) == (VRRP_LINES + 1, 1)
    assert [(s.name, s.address.compressed, s.port, s.weight) for s in service.servers] == [
        ("rs-192-0-2-21", "192.0.2.21", None, 2)]


def test_a_virtual_server_without_settings_takes_keepaliveds_defaults() -> None:
    services, notes = imported(VRRP + "virtual_server 192.0.2.10 80 {\n    real_server 192.0.2.21 80 {\n    }\n}\n")
    (service,) = services
    assert (service.protocol, service.scheduler, service.forwarding.method) == (Protocol.UDP, "wlc", Method.NAT)
    assert (service.persistence, service.one_packet, service.sched_flags, service.sorry_server) == (None, False, (), None)
    assert notes == [("LVS504", VRRP_LINES + 1, "no `protocol`: keepalived makes this a UDP service",
                      "write `protocol TCP` if that was meant")]


def test_a_vip_no_vrrp_instance_floats_is_a_single_address_without_a_device() -> None:
    services, notes = imported("virtual_server 192.0.2.77 80 {\n    protocol TCP\n}\n")
    assert (services[0].vip, services[0].vip_dev) == (ip_interface("192.0.2.77/32"), None)
    assert notes == [("LVS504", 1, "no VRRP instance floats 192.0.2.77; its device is unknown",
                      "add `dev DEVICE` to the service's `vip`")]


def test_a_vip_a_vrrp_instance_floats_takes_its_network_and_device() -> None:
    services, notes = imported(VRRP + "virtual_server 198.51.100.10 53 {\n    protocol UDP\n}\n")
    assert (services[0].vip, services[0].vip_dev, notes) == (ip_interface("198.51.100.10/24"), "eth1", [])


def fwmark(mark: int, body: str) -> str:
    return f"virtual_server fwmark {mark} {{\n{body}}}\n"


def mark_notes(mark: int, line: int, took: str | None) -> list[tuple[str, int, str, str | None]]:
    vip = (f"fwmark {mark}: took VRRP address {took} as its VIP" if took
           else f"fwmark {mark}: no VRRP address left to be its VIP")
    return [("LVS504", line, vip, None),
            ("LVS504", line, f"keepalived.conf does not say which packets carry fwmark {mark}: written "
                             f"`fwmark {mark} external`", f"if lvscc should write the marking rules: "
                                                          f"`fwmark {mark} {{ tcp PORTS }}`")]


def test_a_firewall_mark_service_takes_the_first_vrrp_address_no_service_uses() -> None:
    services, notes = imported(VRRP + "virtual_server 192.0.2.10 80 {\n    protocol TCP\n}\n"
                               + fwmark(7, "    lb_kind DR\n    real_server 192.0.2.21 0 {\n    }\n")
                               + fwmark(8, "    lb_kind DR\n"))
    web, seven, eight = services
    assert (seven.name, seven.fwmark, seven.port, seven.protocol, seven.marks_external) == (
        "svc-fwmark-7", 7, None, None, True)
    assert (seven.vip, seven.vip_dev) == (ip_interface("198.51.100.10/24"), "eth1")
    assert (eight.vip, eight.vip_dev) == (ip_interface("203.0.113.10/26"), "eth2")  # 198.51.100.10 is taken
    assert not web.marks_external and web.fwmark is None and web.port == 80
    assert notes == mark_notes(7, VRRP_LINES + 4, "198.51.100.10") + mark_notes(8, VRRP_LINES + 9, "203.0.113.10")


def test_a_nat_firewall_mark_service_does_not_take_its_real_servers_gateway_address() -> None:
    """Behind NAT the real servers route back through a VRRP address on their own network: that
    one is the gateway, not the VIP."""
    services, _ = imported(VRRP + fwmark(7, "    real_server 192.0.2.21 80 {\n    }\n"
                                           "    real_server 198.51.100.21 80 {\n    }\n"))
    assert services[0].vip == ip_interface("203.0.113.10/26")
    services, _ = imported(VRRP + fwmark(7, "    lb_kind DR\n    real_server 192.0.2.21 80 {\n    }\n"))
    assert services[0].vip == ip_interface("192.0.2.10/24")


def test_a_nat_firewall_mark_service_with_ipv6_servers_may_take_an_ipv4_networks_address() -> None:
    services, _ = imported(VRRP + fwmark(7, "    ip_family inet\n    real_server 2001:db8::21 80 {\n    }\n"))
    assert services[0].vip == ip_interface("192.0.2.10/24")


@pytest.mark.parametrize(("settings", "vip", "name"), [
    ("    ip_family inet6\n", "2001:db8::10/64", "svc-fwmark-7-6"),
    ("    lb_kind DR\n    real_server 2001:db8::21 0 {\n    }\n", "2001:db8::10/64", "svc-fwmark-7-6"),
    ("    ip_family inet\n    lb_kind DR\n    real_server 2001:db8::21 0 {\n    }\n", "192.0.2.10/24", "svc-fwmark-7"),
    ("    lb_kind DR\n", "192.0.2.10/24", "svc-fwmark-7"),
])
def test_a_firewall_mark_services_family_is_ip_family_else_its_first_real_servers(
        settings: str, vip: str, name: str) -> None:
    services, _ = imported(VRRP + fwmark(7, settings))
    assert (services[0].vip, services[0].name) == (ip_interface(vip), name)


def test_a_firewall_mark_service_without_a_free_vrrp_address_has_no_vip() -> None:
    services, notes = imported(fwmark(7, "    lb_kind DR\n"))
    assert (services[0].vip, services[0].vip_dev, services[0].name) == (None, None, "svc-fwmark-7")
    assert notes == mark_notes(7, 1, None)


def test_a_firewall_mark_sorry_server_without_a_port_has_none() -> None:
    services, _ = imported(VRRP + fwmark(7, "    lb_kind DR\n    sorry_server 192.0.2.99 0\n"))
    assert (services[0].sorry_server, services[0].sorry_port) == (ip_address("192.0.2.99"), None)


def test_a_sorry_server_on_another_port_is_sent_the_services_port_and_said_so() -> None:
    services, notes = imported(VRRP + "virtual_server 192.0.2.10 80 {\n    protocol TCP\n"
                                      "    sorry_server 192.0.2.99 8080\n}\n")
    assert (services[0].sorry_server, services[0].sorry_port) == (ip_address("192.0.2.99"), None)
    assert notes == [("LVS501", VRRP_LINES + 3, "`sorry_server` not translated: lvscc sends sorry traffic to the "
                                                "service's port 80, not 8080", None)]


@pytest.mark.parametrize("port", ["80", "0", ""])
def test_a_sorry_server_on_the_services_port_or_none_is_said_nothing_of(port: str) -> None:
    services, notes = imported(VRRP + "virtual_server 192.0.2.10 80 {\n    protocol TCP\n"
                                      f"    sorry_server 192.0.2.99 {port}\n}}\n")
    assert (services[0].sorry_server, services[0].sorry_port, notes) == (ip_address("192.0.2.99"), None, [])


def test_sorry_server_inhibit_without_a_sorry_server_inhibits_nothing() -> None:
    services, _ = imported(VRRP + "virtual_server 192.0.2.10 80 {\n    protocol TCP\n    sorry_server_inhibit\n}\n")
    assert (services[0].sorry_server, services[0].sorry_inhibit) == (None, False)


# ---- the real servers as keepalived adds them ----------------------------------------------------

def test_a_nat_real_server_keeps_its_own_port() -> None:
    services, notes = imported(VRRP + "virtual_server 192.0.2.10 80 {\n    protocol TCP\n"
                                      "    real_server 198.51.100.21 8080 {\n    }\n}\n")
    assert [(s.name, s.port) for s in services[0].servers] == [("rs-198-51-100-21-8080", 8080)]
    assert notes == []



def test_a_real_server_on_port_0_is_on_the_virtual_port() -> None:
    """Port 0 is no port of its own, as the server's name already says (rs-ADDRESS): the server
    gets no `port 0` of its own, which would send the service's traffic to port 0."""
    services, notes = imported(VRRP + "virtual_server 192.0.2.10 80 {\n    protocol TCP\n"
                                      "    real_server 198.51.100.21 0 {\n    }\n}\n")
    assert [(s.name, s.port) for s in services[0].servers] == [("rs-198-51-100-21", None)]
    assert notes == []

@pytest.mark.parametrize(("service_kind", "server_kind"), [("DR", ""), ("TUN", ""), ("NAT", "        lb_kind DR\n")])
def test_a_direct_or_tunnelled_real_server_on_another_port_gets_the_virtual_port(
        service_kind: str, server_kind: str) -> None:
    services, notes = imported(VRRP + f"virtual_server 192.0.2.10 80 {{\n    protocol TCP\n    lb_kind {service_kind}\n"
                                      f"    real_server 192.0.2.21 8080 {{\n{server_kind}    }}\n}}\n")
    assert [(s.name, s.port) for s in services[0].servers] == [("rs-192-0-2-21", None)]
    method = "direct" if "DR" in service_kind + server_kind else "tunnel"
    assert notes == [("LVS504", VRRP_LINES + 4, f"real server 192.0.2.21 port 8080 differs from the virtual port 80, "
                                                f"which {method} cannot remap: keepalived resets it to 80, so does lvscc",
                      None)]


def test_a_nat_real_server_of_a_direct_service_keeps_its_port() -> None:
    services, notes = imported(VRRP + "virtual_server 192.0.2.10 80 {\n    protocol TCP\n    lb_kind DR\n"
                                      "    real_server 198.51.100.21 8080 {\n        lb_kind NAT\n    }\n}\n")
    assert [(s.port, s.method) for s in services[0].servers] == [(8080, Method.NAT)]
    assert notes == []


@pytest.mark.parametrize("port", ["0", ""])
def test_a_direct_service_without_a_port_leaves_its_real_servers_ports(port: str) -> None:
    services, notes = imported(VRRP + f"virtual_server 192.0.2.10 {port} {{\n    protocol TCP\n    lb_kind DR\n"
                                      "    real_server 192.0.2.21 8080 {\n    }\n}\n")
    assert [(s.name, s.port) for s in services[0].servers] == [("rs-192-0-2-21-8080", 8080)]
    assert notes == []


def test_a_real_server_listed_twice_is_added_once() -> None:
    """Without a port a real server is on the virtual port: the same server as one naming it."""
    services, notes = imported(VRRP + "virtual_server 192.0.2.10 80 {\n    protocol TCP\n"
                                      "    real_server 198.51.100.21 80 {\n        weight 3\n    }\n"
                                      "    real_server 198.51.100.21 8080 {\n    }\n"
                                      "    real_server 198.51.100.21 80 {\n        weight 5\n    }\n"
                                      "    real_server 198.51.100.21 {\n    }\n}\n")
    assert [(s.name, s.port, s.weight) for s in services[0].servers] == [
        ("rs-198-51-100-21", None, 3), ("rs-198-51-100-21-8080", 8080, 1)]
    twice = "real server 198.51.100.21 is listed twice; keepalived drops the second, so does lvscc"
    assert notes == [("LVS505", VRRP_LINES + 8, twice, None), ("LVS505", VRRP_LINES + 11, twice, None)]


def test_a_direct_real_server_reset_to_the_virtual_port_is_the_same_server_as_one_on_it() -> None:
    services, notes = imported(VRRP + "virtual_server 192.0.2.10 80 {\n    protocol TCP\n    lb_kind DR\n"
                                      "    real_server 192.0.2.21 80 {\n    }\n"
                                      "    real_server 192.0.2.21 8080 {\n    }\n}\n")
    assert [s.name for s in services[0].servers] == ["rs-192-0-2-21"]
    assert [n[0] for n in notes] == ["LVS504", "LVS505"]


def test_a_real_server_with_its_services_method_carries_none_of_its_own() -> None:
    services, notes = imported(VRRP + "virtual_server 192.0.2.10 80 {\n    protocol TCP\n    lb_kind DR\n"
                                      "    real_server 192.0.2.21 80 {\n        lb_kind DR\n    }\n"
                                      "    real_server 192.0.2.22 80 {\n        lb_kind NAT\n    }\n}\n")
    assert [s.method for s in services[0].servers] == [None, Method.NAT]
    assert notes == []


def test_a_real_server_tunnelling_unlike_its_service_keeps_the_services_tunnel() -> None:
    services, notes = imported(VRRP + "virtual_server 192.0.2.10 80 {\n    protocol TCP\n    lb_kind TUN type gue port 6080\n"
                                      "    real_server 192.0.2.21 80 {\n        lb_kind TUN type gue port 6080\n    }\n"
                                      "    real_server 192.0.2.22 80 {\n        lb_kind TUN\n    }\n"
                                      "    real_server 192.0.2.23 80 {\n        lb_kind DR\n    }\n}\n")
    service = services[0]
    assert service.forwarding == Forwarding(method=Method.TUNNEL, tunnel=Tunnel(TunnelType.GUE, 6080, None))
    assert [s.method for s in service.servers] == [None, None, Method.DIRECT]
    assert notes == [("LVS505", VRRP_LINES + 7, "real server 192.0.2.22 tunnels differently from its service; lvscc "
                                                "keeps the service's tunnel options", None)]

