"""lvs.cf's `virtual` and `server` blocks as the routers get them: every keyword's effect on the
IPVS service, its real servers and nanny's check, piranha's defaults where one is missing, the
virtuals sharing a firewall mark merged into IPVS's one service, and the exact note for every
keyword that is not translated."""

from __future__ import annotations

from ipaddress import IPv4Address, IPv4Interface

import pytest

from lvscc.importers.piranha import import_piranha
from lvscc.model.config import (Forwarding, HealthCheck, MarkPorts, Method, PortRange, Protocol, RealServer,
                                VirtualService)
from lvscc.model.span import Span


def _import(text: str) -> tuple[tuple[VirtualService, ...], list[tuple[int, int, str, str]]]:
    config, found = import_piranha(text, "lvs.cf")
    assert config is not None
    return config.services, [(d.span.line, d.span.column, d.code, d.message) for d in found]


def _virtual(name: str, *lines: str, servers: str = "") -> str:
    return f"virtual {name} {{\n" + "".join(f" {line}\n" for line in lines) + servers + "}\n"


def _server(name: str, *lines: str) -> str:
    return f" server {name} {{\n" + "".join(f"  {line}\n" for line in lines) + " }\n"


def test_every_virtual_keyword_reaches_the_service() -> None:
    text = "network = direct\n" + _virtual(
        "web", "active = 1", "address = 192.0.2.10 eth0:1", "vip_nmask = 255.255.255.0", "port = 8080",
        "protocol = udp", "scheduler = sh", "persistent = 300", "pmask = 255.255.255.0", "quiesce_server = 1",
        "sorry_server = 192.0.2.99",
        servers=_server("rs1", "address = 192.0.2.21", "active = 1", "weight = 3", "port = 8081"))
    (service,), notes = _import(text)
    assert notes == []
    assert service == VirtualService(
        name="web", vip=IPv4Interface("192.0.2.10/24"), vip_dev="eth0:1", protocol=Protocol.UDP, port=8080,
        scheduler="sh", persistence=300, persistence_mask=IPv4Address("255.255.255.0"),
        check=HealthCheck(span=Span("lvs.cf", 2, 1, 2, 14)), quiesce=True,
        servers=(RealServer("rs1", IPv4Address("192.0.2.21"), port=8081, weight=3, active=True,
                            span=Span("lvs.cf", 13, 2, 13, 14)),),
        active=True, sorry_server=IPv4Address("192.0.2.99"), forwarding=Forwarding(method=Method.DIRECT),
        span=Span("lvs.cf", 2, 1, 2, 14))


def test_a_virtual_without_settings_has_piranhas_defaults() -> None:
    """Inactive, tcp 80, wlc, no persistence; a server inactive with weight 1 on the virtual's port."""
    (service,), notes = _import(_virtual("web", "address = 192.0.2.10 eth0:1",
                                         servers=_server("rs1", "address = 192.0.2.21")))
    assert notes == []
    assert (service.active, service.protocol, service.port, service.scheduler, service.persistence,
            service.persistence_mask, service.quiesce, service.sorry_server, service.fwmark, service.mark_ports) == (
        False, Protocol.TCP, 80, "wlc", None, None, False, None, None, ())
    assert service.vip == IPv4Interface("192.0.2.10/32")
    assert service.servers == (RealServer("rs1", IPv4Address("192.0.2.21"), port=None, weight=1, active=False,
                                          span=Span("lvs.cf", 3, 2, 3, 14)),)
    assert service.forwarding == Forwarding(method=Method.NAT)


def test_a_one_address_persistence_mask_is_no_mask() -> None:
    (service,), _ = _import(_virtual("web", "address = 192.0.2.10 eth0:1", "persistent = 60",
                                     "pmask = 255.255.255.255"))
    assert (service.persistence, service.persistence_mask) == (60, None)


@pytest.mark.parametrize("scheduler", ["rr", "wrr", "lc", "wlc", "lblc", "lblcr", "dh", "sh"])
def test_every_piranha_scheduler_is_kept(scheduler: str) -> None:
    (service,), notes = _import(_virtual("web", "address = 192.0.2.10 eth0:1", f"scheduler = {scheduler}"))
    assert service.scheduler == scheduler and notes == []


def test_a_server_port_of_its_own_and_one_equal_to_the_virtuals() -> None:
    (service,), _ = _import(_virtual(
        "web", "address = 192.0.2.10 eth0:1", "port = 443",
        servers=_server("a", "address = 192.0.2.21", "port = 8443") + _server("b", "address = 192.0.2.22", "port = 443")
        + _server("c", "address = 192.0.2.23", "port = 0") + _server("d", "address = 192.0.2.24")))
    assert [(s.name, s.port) for s in service.servers] == [("a", 8443), ("b", None), ("c", None), ("d", None)]


def test_nannys_check_settings() -> None:
    text = _virtual("web", "address = 192.0.2.10 eth0:1", "send = 'GET /\\r\\n'", "expect = \"^HTTP\"",
                    "use_regex = 1", "timeout = 6", "reentry = 15", "load_monitor = ruptime")
    (service,), notes = _import(text)
    assert notes == []
    assert service.check == HealthCheck(send="GET /\r\n", expect="^HTTP", regex=True, timeout=6, reentry=15,
                                        load_monitor="ruptime", span=Span("lvs.cf", 1, 1, 1, 14))
    (service,), _ = _import(_virtual("web", "address = 192.0.2.10 eth0:1", "send_program = '/bin/chk %h'",
                                     "use_regex = 0", "load_monitor = uptime"))
    assert service.check == HealthCheck(send_program="/bin/chk %h", load_monitor="uptime",
                                        span=Span("lvs.cf", 1, 1, 1, 14))


def test_a_bad_check_value_leaves_nannys_default() -> None:
    (service,), notes = _import(_virtual("web", "address = 192.0.2.10 eth0:1", "timeout = soon", "reentry = -1",
                                         "use_regex = 2", "load_monitor = snmp", "send = 'a' 'b'"))
    assert service.check == HealthCheck(span=Span("lvs.cf", 1, 1, 1, 14))
    assert notes == [(3, 2, "LVS502", "`timeout`: 'soon' is not a number"),
                     (4, 2, "LVS502", "`reentry`: '-1' is not a number"),
                     (5, 2, "LVS502", "`use_regex`: piranha booleans are 0 or 1"),
                     (6, 2, "LVS502", "`load_monitor`: 'snmp' is not one of none, uptime, rup, ruptime"),
                     (7, 2, "LVS502", "`send`: takes 1 value")]


def test_a_bad_virtual_value_leaves_piranhas_default() -> None:
    (service,), notes = _import(_virtual("web", "address = 192.0.2.10 eth0:1", "active = yes", "port = eighty",
                                         "protocol = sctp", "scheduler = mh", "vip_nmask = 255.0.255.0",
                                         "fwmark = -3"))
    assert (service.active, service.port, service.protocol, service.scheduler, service.vip, service.fwmark) == (
        False, 80, Protocol.TCP, "wlc", IPv4Interface("192.0.2.10/32"), None)
    assert [n[2:] for n in notes] == [
        ("LVS502", "`active`: 'yes' is not a number"),
        ("LVS502", "`port`: 'eighty' is not a port number or a known service name"),
        ("LVS502", "`protocol`: 'sctp' is not one of tcp, udp"),
        ("LVS502", "`scheduler`: 'mh' is not one of rr, wrr, lc, wlc, lblc, lblcr, dh, sh"),
        ("LVS502", "`vip_nmask`: 255.0.255.0 is not a netmask"),
        ("LVS502", "`fwmark`: '-3' is not a number")]


def test_every_keyword_a_virtual_cannot_carry_is_named() -> None:
    text = _virtual("web", "address = 192.0.2.10 eth0:1", "start_cmd = x", "stop_cmd = y", "master = z",
                    "dirs = d", "client_monitor = /usr/sbin/nanny", "colour = red", "server = rs1",
                    servers=" options o {\n }\n" + _server("rs1", "address = 192.0.2.21", "colour = blue")
                    + " server rs2 {\n  address = 192.0.2.22\n  check c {\n  }\n }\n")
    _, notes = _import(text)
    assert notes == [
        (3, 2, "LVS501", "`start_cmd` not translated: only failover services (fos) use it"),
        (4, 2, "LVS501", "`stop_cmd` not translated: only failover services (fos) use it"),
        (5, 2, "LVS501", "`master` not translated: only failover services (fos) use it"),
        (6, 2, "LVS501", "`dirs` not translated: only failover services (fos) use it"),
        (7, 2, "LVS501", "`client_monitor` not translated: lvscc hands checks to keepalived or nanny, not a "
                         "chosen monitor"),
        (8, 2, "LVS501", "`colour` not translated: not a keyword of `virtual`"),
        (9, 2, "LVS501", "`server` not translated: not a keyword of `virtual`"),
        (10, 2, "LVS501", "`options` not translated: not a block of `virtual`"),
        (14, 3, "LVS501", "`colour` not translated: not a keyword of `server`"),
        (18, 3, "LVS501", "`check` not translated: not a keyword of `server`")]


def test_a_virtual_or_server_without_an_address_is_left_out_and_said_to_be() -> None:
    text = (_virtual("web", "active = 1", "address = www.example.com eth0") + _virtual(
        "ftp", "address = 192.0.2.10 eth0:1", servers=_server("rs1", "active = 1") + _server("rs2", "address = x")
        + _server("rs3", "address = 192.0.2.23")))
    services, notes = _import(text)
    assert [(s.name, [rs.name for rs in s.servers]) for s in services] == [("ftp", ["rs3"])]
    assert notes == [
        (1, 1, "LVS502", "`virtual`: a virtual server needs `address = IP DEVICE`"),
        (3, 2, "LVS502", "`address`: 'www.example.com' is not an IPv4 address (host names are not resolved on "
                         "import)"),
        (7, 2, "LVS502", "`server`: a real server needs `address`"),
        (10, 2, "LVS502", "`server`: a real server needs `address`"),
        (11, 3, "LVS502", "`address`: 'x' is not an IPv4 address (host names are not resolved on import)")]


def test_an_address_needs_its_device() -> None:
    services, notes = _import(_virtual("web", "address = 192.0.2.10"))
    assert services == ()
    assert [n[2:] for n in notes] == [("LVS502", "`virtual`: a virtual server needs `address = IP DEVICE`"),
                                      ("LVS502", "`address`: takes 2 values")]


def test_names_are_rewritten_where_they_are_written() -> None:
    services, notes = _import(_virtual("web.example", "address = 192.0.2.10 eth0:1",
                                       servers=_server("1st", "address = 192.0.2.21")))
    assert [(s.name, s.servers[0].name) for s in services] == [("web-example", "_1st")]
    assert notes == [(1, 1, "LVS503", "name 'web.example' is written 'web-example' in lvscc"),
                     (3, 2, "LVS503", "name '1st' is written '_1st' in lvscc")]


# ---- firewall marks -------------------------------------------------------------------------------

def _marked(name: str, port: int, *lines: str, servers: str = "") -> str:
    return _virtual(name, "address = 192.0.2.10 eth0:1", "fwmark = 7", f"port = {port}", *lines,
                    servers=servers or _server("rs1", "address = 192.0.2.21"))


def test_a_marked_virtual_is_a_mark_service_whose_port_is_the_check_port() -> None:
    (service,), notes = _import(_marked("web", 80, "protocol = udp",
                                        servers=_server("rs1", "address = 192.0.2.21", "port = 8080")))
    assert (service.fwmark, service.protocol, service.port) == (7, None, None)
    assert service.mark_ports == (MarkPorts(Protocol.UDP, (PortRange(80, 80),), Span("lvs.cf", 1, 1, 1, 14)),)
    assert service.check is not None and service.check.port == 80
    assert [(rs.name, rs.port) for rs in service.servers] == [("rs1", None)]
    assert notes == [(1, 1, "LVS504", "lvs.cf does not say which packets carry fwmark 7; assumed udp port 80 to "
                                      "192.0.2.10"),
                     (6, 2, "LVS501", "`port` not translated: in a firewall-mark virtual a server's port is only "
                                      "nanny's check port; lvscc checks every server of web on the virtual's port 80")]
    _, found = import_piranha(_marked("web", 80), "lvs.cf")
    assert found[0].hint == "check the mangle PREROUTING rules on the routers and correct the `fwmark` block"


def test_a_marked_virtuals_own_check_port_is_kept() -> None:
    """nanny's check port is the virtual's `port` unless the check already names one (it cannot
    in lvs.cf today; the merge keeps the first virtual's)."""
    (service,), _ = _import(_marked("web", 443))
    assert service.check is not None and service.check.port == 443


def test_virtuals_sharing_a_mark_are_one_service_with_each_port() -> None:
    text = (_marked("http", 80, "active = 1", servers=_server("a", "address = 192.0.2.21")
                    + _server("b", "address = 192.0.2.22"))
            + _marked("https", 443, "active = 1", servers=_server("b", "address = 192.0.2.22")
                      + _server("c", "address = 192.0.2.23"))
            + _marked("dns", 53, "active = 1", "protocol = udp")
            + _marked("http2", 80, "active = 1"))
    (service,), notes = _import(text)
    assert service.name == "http"
    assert service.mark_ports == (MarkPorts(Protocol.TCP, (PortRange(80, 80), PortRange(443, 443)),
                                            Span("lvs.cf", 1, 1, 1, 15)),
                                  MarkPorts(Protocol.UDP, (PortRange(53, 53),), Span("lvs.cf", 25, 1, 25, 14)))
    assert [(rs.name, str(rs.address)) for rs in service.servers] == [("a", "192.0.2.21"), ("b", "192.0.2.22"),
                                                                      ("c", "192.0.2.23")]
    assert [n[2] for n in notes] == ["LVS504"]


def test_a_marked_virtual_that_differs_is_merged_and_said_to_differ() -> None:
    text = (_marked("http", 80, "active = 1", "persistent = 300")
            + _virtual("https", "address = 192.0.2.11 eth0:2", "fwmark = 7", "port = 443", "scheduler = rr",
                       "pmask = 255.255.255.0", "persistent = 600", "quiesce_server = 1",
                       "sorry_server = 192.0.2.99",
                       servers=_server("rs9", "address = 192.0.2.29")))
    (service,), notes = _import(text)
    assert (service.vip, service.scheduler, service.persistence, service.active) == (
        IPv4Interface("192.0.2.10/32"), "wlc", 300, True)
    assert [rs.name for rs in service.servers] == ["rs1", "rs9"]
    assert notes[1:] == [(11, 1, "LVS505", "virtual https shares fwmark 7 with http but differs in vip, scheduler, "
                                          "persistence, persistence_mask, quiesce, active, sorry_server; http's "
                                          "settings kept")]


def test_different_marks_stay_different_services() -> None:
    text = _marked("http", 80) + _marked("dns", 53).replace("fwmark = 7", "fwmark = 8") + _virtual(
        "plain", "address = 192.0.2.12 eth0:3")
    services, notes = _import(text)
    assert [(s.name, s.fwmark) for s in services] == [("http", 7), ("dns", 8), ("plain", None)]
    assert [n[2] for n in notes] == ["LVS504", "LVS504"]


def test_a_port_marked_for_tcp_is_marked_for_udp_too_when_a_udp_virtual_shares_the_mark() -> None:
    """DNS over TCP and UDP under one mark: the UDP port was taken for one already marked (the
    TCP one's) and dropped, so no rule would have marked a UDP query."""
    (service,), notes = _import(_marked("dns-tcp", 53) + _marked("dns-udp", 53, "protocol = udp"))
    assert [(m.protocol, m.ports) for m in service.mark_ports] == [(Protocol.TCP, (PortRange(53, 53),)),
                                                                   (Protocol.UDP, (PortRange(53, 53),))]
    assert [n[2] for n in notes] == ["LVS504"]


def test_a_port_two_virtuals_of_a_mark_share_is_marked_once() -> None:
    (service,), _ = _import(_marked("web", 80) + _marked("web-again", 80))
    assert service.mark_ports == (MarkPorts(Protocol.TCP, (PortRange(80, 80),), Span("lvs.cf", 1, 1, 1, 14)),)


def test_a_server_keyword_after_one_not_translated_is_still_read() -> None:
    (service,), notes = _import(_virtual("web", "address = 192.0.2.10 eth0:1", servers=_server(
        "rs1", "colour = blue", "address = 192.0.2.21", "weight = 5", "active = 1")))
    assert service.servers == (RealServer("rs1", IPv4Address("192.0.2.21"), weight=5, active=True,
                                          span=Span("lvs.cf", 3, 2, 3, 14)),)
    assert notes == [(4, 3, "LVS501", "`colour` not translated: not a keyword of `server`")]


def test_a_block_named_like_a_server_keyword_is_not_that_keyword() -> None:
    (service,), notes = _import(_virtual("web", "address = 192.0.2.10 eth0:1", servers=(
        " server rs1 {\n  address = 192.0.2.21\n  weight 7 {\n  }\n }\n")))
    assert service.servers[0].weight == 1
    assert notes == [(5, 3, "LVS501", "`weight` not translated: not a keyword of `server`")]


def test_a_marked_servers_port_equal_to_the_virtuals_says_nothing() -> None:
    """nanny then checks the port lvscc checks: nothing is lost."""
    _, notes = _import(_marked("web", 80, servers=_server("rs1", "address = 192.0.2.21", "port = 80")))
    assert [code for _, _, code, _ in notes] == ["LVS504"]


def test_a_persistence_mask_without_persistence_is_said_to_do_nothing() -> None:
    """ipvsadm takes -M only beside -p: the mask is dropped, and the operator is told so."""
    (service,), notes = _import(_virtual("web", "address = 192.0.2.10 eth0:1", "pmask = 255.255.255.0"))
    assert (service.persistence, service.persistence_mask) == (None, None)
    assert notes == [(3, 2, "LVS506", "`pmask` dropped: a persistence netmask does nothing without `persistent`")]
