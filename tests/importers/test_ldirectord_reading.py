"""What `lvscc import` makes of an ldirectord.cf (ldirectord(8)): which lines belong to which
virtual, what each virtual's options become in the service a director gets, and what an
operator is told, by code, message and the whole line, about every line it cannot carry over."""

from __future__ import annotations

from ipaddress import IPv4Address, ip_address, ip_interface

import pytest

from lvscc.diagnostics import Diagnostic
from lvscc.fmt import format_config
from lvscc.importers.ldirectord import import_ldirectord
from lvscc.load import load_text
from lvscc.model.config import Config, Forwarding, HealthCheck, Method, Protocol, RealServer, VirtualService
from lvscc.model.span import Span

FILE = "director.cf"


def _said(diagnostics: list[Diagnostic]) -> list[tuple[str, str, Span]]:
    return [(d.code, d.message, d.span) for d in diagnostics]


def _line(number: int, width: int) -> Span:
    """The whole of line `number`, `width` characters without its trailing blanks."""
    return Span(FILE, number, 1, number, width + 1)


def _imported(text: str) -> tuple[Config, list[Diagnostic]]:
    config, diagnostics = import_ldirectord(text, FILE)
    assert config is not None, diagnostics
    return config, diagnostics


def _service(text: str) -> VirtualService:
    config, _ = _imported(text)
    (service,) = config.services
    return service


def test_an_unreadable_line_stops_the_import_and_is_named_by_its_whole_line() -> None:
    config, diagnostics = import_ldirectord("virtual=192.0.2.10:80\n\treal=192.0.2.21:80 gate\nthis line  \n"
                                            "\treal=192.0.2.22:80 gate\n[virtual]\n", FILE)
    assert config is None
    assert _said(diagnostics) == [("LVS500", "expected `key=value`", _line(3, 9)),
                                  ("LVS500", "expected `key=value`", _line(5, 9))]


def test_comments_blank_lines_and_spaces_around_the_equals_sign_are_read_as_ldirectord_does() -> None:
    service = _service("# a comment\n\n   \nvirtual = 192.0.2.10:80   # the web VIP #1\n"
                       "\treal=192.0.2.21:80 gate 4 # first\n\tScheduler = RR\n\tprotocol=TCP\n")
    assert (service.vip, service.port, service.protocol) == (ip_interface("192.0.2.10/32"), 80, Protocol.TCP)
    assert service.servers == (RealServer(name="rs-192-0-2-21", address=ip_address("192.0.2.21"), weight=4,
                                          span=_line(5, 34)),)
    assert service.span == _line(4, 42)


def test_a_key_is_read_in_any_case_but_a_value_as_written() -> None:
    """`Scheduler=rr` is ldirectord's `scheduler`; `scheduler=RR` is no scheduler ipvsadm knows."""
    config, diagnostics = _imported("virtual=192.0.2.10:80\n\tScheduler=rr\nvirtual=192.0.2.11:80\n\tscheduler=RR\n")
    assert [s.scheduler for s in config.services] == ["rr", "wrr"]
    assert _said(diagnostics) == [("LVS502", "`scheduler`: unknown scheduler 'RR'", _line(4, 13))]


def test_an_indented_line_belongs_to_the_virtual_above_it_and_a_line_at_the_margin_to_every_virtual() -> None:
    config, _ = _imported("  scheduler=lc\nvirtual=192.0.2.10:80\n\tscheduler=sh\nquiescent=yes\n"
                          "virtual=192.0.2.11:80\n\treal=192.0.2.21:80 gate\n")
    first, second = config.services
    assert (first.scheduler, first.quiesce, first.servers) == ("sh", True, ())
    assert (second.scheduler, second.quiesce, [s.address for s in second.servers]) == (
        "lc", True, [ip_address("192.0.2.21")])


@pytest.mark.parametrize("written,read", [('"OK"', "OK"), ('"', '"'), ('""', ""), ('"OK', '"OK'), ('OK"', 'OK"'),
                                          ("'OK'", "'OK'")])
def test_a_value_in_double_quotes_loses_them_and_any_other_quote_is_kept(written: str, read: str) -> None:
    service = _service(f'virtual="192.0.2.10:80"\n\trequest="/"\n\treceive={written}\n')
    assert service.vip == ip_interface("192.0.2.10/32")
    assert service.check == HealthCheck(send="GET / HTTP/1.0\r\n\r\n", expect=read, timeout=5, span=_line(1, 23))


@pytest.mark.parametrize("written,vip,port", [
    ("192.0.2.10:80", "192.0.2.10/32", 80),
    ("[2001:db8::10]:443", "2001:db8::10/128", 443),
    ("192.0.2.10", "192.0.2.10/32", 0),
    ("[2001:DB8::A]:80", "2001:db8::a/128", 80),
])
def test_a_virtual_address_and_port(written: str, vip: str, port: int) -> None:
    service = _service(f"virtual={written}\n")
    assert (service.vip, service.port, service.fwmark, service.marks_external) == (ip_interface(vip), port, None, False)


def test_a_virtual_that_is_a_number_is_a_firewall_mark_set_by_rules_lvscc_does_not_write() -> None:
    service = _service("virtual=21\n\treal=192.0.2.21 gate\n\tprotocol=tcp\n")
    assert (service.name, service.fwmark, service.marks_external, service.vip, service.protocol, service.port) == (
        "svc-fwmark-21", 21, True, None, None, None)


@pytest.mark.parametrize("written", ["web", "192.0.2.300:80", "192.0.2.10:http", "192.0.2.10:", "1-2"])
def test_a_virtual_that_is_neither_an_address_nor_a_mark_is_named_and_left_out(written: str) -> None:
    config, diagnostics = _imported(f"virtual={written}\n\treal=192.0.2.21:80 gate\n")
    assert config.services == ()
    assert _said(diagnostics) == [
        ("LVS502", f"`virtual`: {written!r} is not IP:PORT or a firewall mark", _line(1, 8 + len(written)))]


def test_the_protocol_is_tcp_unless_said_and_any_case_of_udp_or_sctp() -> None:
    config, _ = _imported("virtual=192.0.2.10:53\n\tprotocol=UDP\nvirtual=192.0.2.10:80\n"
                          "virtual=192.0.2.10:9\n\tprotocol=sctp\n")
    assert [(s.name, s.protocol) for s in config.services] == [
        ("svc-udp-192-0-2-10-53", Protocol.UDP), ("svc-tcp-192-0-2-10-80", Protocol.TCP),
        ("svc-sctp-192-0-2-10-9", Protocol.SCTP)]


def test_an_unknown_protocol_leaves_the_service_out_where_it_is_written() -> None:
    """A protocol given to every virtual (at the margin) is reported at each virtual it spoils."""
    config, diagnostics = _imported("virtual=192.0.2.10:80\n\tprotocol=icmp\nprotocol=fwm\nvirtual=192.0.2.11:80\n")
    assert config.services == ()
    assert _said(diagnostics) == [
        ("LVS502", "`protocol`: unknown protocol 'icmp'", _line(2, 14)),
        ("LVS502", "`virtual`: unknown protocol 'fwm'", _line(4, 21)),
    ]


def test_the_scheduler_is_ldirectords_wrr_unless_said_and_an_unknown_one_falls_back_to_it() -> None:
    config, diagnostics = _imported("virtual=192.0.2.10:80\n")
    assert (config.services[0].scheduler, diagnostics) == ("wrr", [])
    config, diagnostics = _imported("scheduler=bogus\nvirtual=192.0.2.10:80\nvirtual=192.0.2.11:80\n"
                                    "\tscheduler=fastest\n")
    assert [s.scheduler for s in config.services] == ["wrr", "wrr"]
    assert _said(diagnostics) == [
        ("LVS502", "`virtual`: unknown scheduler 'bogus'", _line(2, 21)),
        ("LVS502", "`scheduler`: unknown scheduler 'fastest'", _line(4, 18)),
    ]


@pytest.mark.parametrize("options,persistence,mask", [
    ("", None, None),
    ("\tnetmask=255.255.255.0\n", None, None),
    ("\tpersistent=600\n", 600, None),
    ("\tpersistent=\n", None, None),
    ("\tpersistent=long\n", 360, None),
    ("\tpersistent=600\n\tnetmask=255.255.255.0\n", 600, IPv4Address("255.255.255.0")),
    ("\tpersistent=600\n\tnetmask=255.255.255.255\n", 600, None),
    ("\tpersistent=600\n\tnetmask=64\n", 600, 64),
])
def test_persistence_and_its_netmask(options: str, persistence: int | None, mask: object) -> None:
    config, diagnostics = _imported(f"virtual=192.0.2.10:80\n{options}")
    (service,) = config.services
    assert (service.persistence, service.persistence_mask, diagnostics) == (persistence, mask, [])


def test_a_netmask_that_is_none_is_named_and_the_service_keeps_no_mask() -> None:
    config, diagnostics = _imported("netmask=255.0.0\nvirtual=192.0.2.10:80\n\tpersistent=60\n"
                                    "virtual=192.0.2.11:80\n\tpersistent=60\n\tnetmask=wide\n")
    assert [(s.persistence, s.persistence_mask) for s in config.services] == [(60, None), (60, None)]
    assert _said(diagnostics) == [
        ("LVS502", "`virtual`: '255.0.0' is not a netmask", _line(2, 21)),
        ("LVS502", "`netmask`: 'wide' is not a netmask", _line(6, 13)),
    ]


def test_quiescent_yes_quiesces_and_anything_else_does_not() -> None:
    config, _ = _imported("virtual=192.0.2.10:80\n\tquiescent=yes\nvirtual=192.0.2.11:80\n\tquiescent=no\n"
                          "virtual=192.0.2.12:80\n\tquiescent=Yes\nvirtual=192.0.2.13:80\n")
    assert [s.quiesce for s in config.services] == [True, False, False, False]


def test_a_fallback_is_the_sorry_server_by_its_address() -> None:
    config, _ = _imported("virtual=192.0.2.10:80\n\tfallback=127.0.0.1:80 gate\nvirtual=192.0.2.11:80\n"
                          "\tfallback=[2001:db8::99]\nvirtual=192.0.2.12:80\n")
    assert [s.sorry_server for s in config.services] == [ip_address("127.0.0.1"), ip_address("2001:db8::99"), None]


def _servers(reals: str, options: str = "") -> tuple[VirtualService, list[Diagnostic]]:
    config, diagnostics = _imported(f"virtual=192.0.2.10:53\n{options}{reals}")
    (service,) = config.services
    return service, diagnostics


def test_a_real_servers_method_and_weight() -> None:
    service, diagnostics = _servers("\treal=192.0.2.21:53 gate\n\treal=192.0.2.22:53 gate 5\n"
                                    "\treal=192.0.2.23 ipip 0\n\treal=[2001:db8::24]:53 gate 2\n")
    assert diagnostics == []
    assert [(s.name, s.address, s.port, s.weight, s.method) for s in service.servers] == [
        ("rs-192-0-2-21", ip_address("192.0.2.21"), None, 1, None),
        ("rs-192-0-2-22", ip_address("192.0.2.22"), None, 5, None),
        ("rs-192-0-2-23", ip_address("192.0.2.23"), None, 0, Method.TUNNEL),
        ("rs-2001-db8--24", ip_address("2001:db8::24"), None, 2, None),
    ]
    assert [s.span for s in service.servers] == [_line(2, 24), _line(3, 26), _line(4, 23), _line(5, 30)]


def test_the_method_most_servers_use_is_the_services_and_masq_routes_back_by_the_operators_gateway() -> None:
    service, _ = _servers("\treal=192.0.2.21:53 masq\n\treal=192.0.2.22:53 gate\n\treal=192.0.2.23:53 masq\n")
    assert service.forwarding == Forwarding(method=Method.NAT, gateway_external=True)
    assert [s.method for s in service.servers] == [None, Method.DIRECT, None]
    service, _ = _servers("\treal=192.0.2.21:53 ipip\n\treal=192.0.2.22:53 gate\n")
    assert service.forwarding == Forwarding(method=Method.TUNNEL)
    assert [s.method for s in service.servers] == [None, Method.DIRECT]
    service, _ = _servers("\treal=192.0.2.21:53\n\treal=192.0.2.22:53 masq\n\treal=192.0.2.23:53 gate\n")
    assert service.forwarding == Forwarding(method=Method.DIRECT)
    assert [s.method for s in service.servers] == [None, Method.NAT, None]


def test_the_clusters_forwarding_is_the_one_most_services_use() -> None:
    config, _ = _imported("virtual=192.0.2.10:80\n\treal=192.0.2.21:80 gate\nvirtual=192.0.2.11:80\n"
                          "\treal=192.0.2.21:80 masq\nvirtual=192.0.2.12:80\n\treal=192.0.2.21:80 masq\n")
    assert config.forwarding == Forwarding(method=Method.NAT, gateway_external=True)
    assert "forwarding direct" in format_config(config)
    config, _ = _imported("")
    assert (config.forwarding, config.services) == (Forwarding(), ())


def test_a_nat_server_keeps_its_own_port_and_another_method_is_told_it_cannot() -> None:
    service, diagnostics = _servers("\treal=192.0.2.21:5353 masq\n\treal=192.0.2.22:5354 gate\n"
                                    "\treal=192.0.2.23:5355 ipip\n\treal=192.0.2.24:0 gate\n\treal=192.0.2.25:53 masq\n"
                                    "\treal=192.0.2.26:5356\n")
    assert [(s.name, s.port) for s in service.servers] == [
        ("rs-192-0-2-21-5353", 5353), ("rs-192-0-2-22", None), ("rs-192-0-2-23", None), ("rs-192-0-2-24", None),
        ("rs-192-0-2-25", None), ("rs-192-0-2-26", None)]
    assert _said(diagnostics) == [
        ("LVS504", "port 5354 differs from the virtual port 53, which direct cannot remap: reset to 53",
         _line(3, 26)),
        ("LVS504", "port 5355 differs from the virtual port 53, which tunnel cannot remap: reset to 53",
         _line(4, 26)),
        ("LVS504", "port 5356 differs from the virtual port 53, which direct cannot remap: reset to 53",
         _line(7, 21)),
    ]


def test_a_mark_services_nat_servers_keep_any_port_but_zero() -> None:
    config, _ = _imported("virtual=7\n\treal=192.0.2.21:80 masq\n\treal=192.0.2.22 masq\n\treal=192.0.2.23:1 masq\n"
                          "\treal=192.0.2.24:0 masq\n")
    assert [(s.name, s.port) for s in config.services[0].servers] == [
        ("rs-192-0-2-21-80", 80), ("rs-192-0-2-22", None), ("rs-192-0-2-23-1", 1), ("rs-192-0-2-24", None)]


@pytest.mark.parametrize("real", ["", "web gate", "192.0.2.21->192.0.2.29:53 gate", "192.0.2.21:53->192.0.2.29 gate",
                                  "192.0.2.21:53 bogus", "192.0.2.21:53 Gate", "192.0.2.21:53 masq heavy"])
def test_a_real_server_ldirectord_would_refuse_is_named_and_left_out_not_guessed(real: str) -> None:
    service, diagnostics = _servers(f"\treal={real}\n\treal=192.0.2.30:53 gate\n")
    assert [s.address for s in service.servers] == [ip_address("192.0.2.30")]
    assert _said(diagnostics) == [
        ("LVS502", "`real`: expected `real=IP[:PORT] gate|masq|ipip [WEIGHT]` (ranges are not read)",
         _line(2, 6 + len(real)))]


@pytest.mark.parametrize("check", ['"/a" "b"', '"/a"'])
def test_a_real_servers_own_request_and_receive_are_named_and_the_server_kept(check: str) -> None:
    service, diagnostics = _servers(f'\treal=192.0.2.21:53 gate 2 {check}\n')
    assert [(s.address, s.weight) for s in service.servers] == [(ip_address("192.0.2.21"), 2)]
    assert _said(diagnostics) == [
        ("LVS501", "`real` not translated: a per-server request/receive: lvscc has one check per service",
         _line(2, 27 + len(check)))]


def test_a_check_is_negotiate_unless_said_with_ldirectords_timeouts_and_port() -> None:
    check = _service("virtual=192.0.2.10:80\n").check
    assert check == HealthCheck(timeout=5, span=_line(1, 21))
    check = _service("checktimeout=9\nvirtual=192.0.2.10:80\n\tcheckport=8080\n").check
    assert check == HealthCheck(timeout=9, port=8080, span=_line(2, 21))
    check = _service("checktimeout=9\nvirtual=192.0.2.10:80\n\tnegotiatetimeout=7\n").check
    assert check == HealthCheck(timeout=7, span=_line(2, 21))


@pytest.mark.parametrize("checktype", ["connect", "CONNECT", "3"])
def test_a_connect_check_opens_the_port_and_sends_nothing(checktype: str) -> None:
    check = _service(f'virtual=192.0.2.10:80\n\tchecktype={checktype}\n\trequest="/"\n\treceive="ok"\n'
                     "\tcheckport=81\n\tchecktimeout=2\n").check
    assert check == HealthCheck(timeout=2, port=81, span=_line(1, 21))


@pytest.mark.parametrize("service,asked,sent", [
    ("", "/health", "GET /health HTTP/1.0\r\n\r\n"),
    ("\tservice=http\n", "health", "GET /health HTTP/1.0\r\n\r\n"),
    ("\tservice=HTTPS\n", "//health", "GET /health HTTP/1.0\r\n\r\n"),
    ("", "XX/health", "GET /XX/health HTTP/1.0\r\n\r\n"),
])
def test_a_negotiate_check_of_a_web_service_sends_a_get_of_the_request(service: str, asked: str, sent: str) -> None:
    check = _service(f"virtual=192.0.2.10:80\n\tchecktype=Negotiate\n{service}\trequest={asked}\n"
                     "\treceive=up\n").check
    assert check == HealthCheck(send=sent, expect="up", timeout=5, span=_line(1, 21))


def test_a_negotiate_check_goes_to_the_check_port() -> None:
    check = _service("virtual=192.0.2.10:80\n\trequest=/\n\treceive=up\n\tcheckport=8080\n").check
    assert check == HealthCheck(send="GET / HTTP/1.0\r\n\r\n", expect="up", timeout=5, port=8080,
                                span=_line(1, 21))


@pytest.mark.parametrize("options", ["\tservice=dns\n\trequest=example.com\n\treceive=192.0.2.1\n", "\treceive=up\n"])
def test_a_negotiate_check_lvscc_cannot_send_only_connects(options: str) -> None:
    check = _service(f"virtual=192.0.2.10:80\n\tchecktype=negotiate\n{options}").check
    assert check == HealthCheck(timeout=5, span=_line(1, 21))


def test_a_check_lvscc_has_no_equivalent_for_is_named_where_it_is_written() -> None:
    config, diagnostics = _imported("checktype=external\nvirtual=192.0.2.10:80\nvirtual=192.0.2.11:80\n"
                                    "\tchecktype=Ping\n")
    assert [s.check for s in config.services] == [None, None]
    assert _said(diagnostics) == [
        ("LVS501", "`virtual` not translated: checktype external has no lvscc equivalent; the service is not checked",
         _line(2, 21)),
        ("LVS501", "`checktype` not translated: checktype ping has no lvscc equivalent; the service is not checked",
         _line(4, 15)),
    ]


VIRTUAL_OPTIONS = ("protocol=tcp", "scheduler=rr", "persistent=60", "netmask=255.255.255.0", "checktype=negotiate",
                   "checktimeout=3", "negotiatetimeout=4", "checkport=80", "request=/", "receive=ok", "service=http",
                   "quiescent=yes", "fallback=127.0.0.1:80", "virtualhost=www.example.com")


def test_every_option_of_a_virtual_lvscc_reads_is_taken_silently_and_any_other_is_named() -> None:
    options = "".join(f"\t{o}\n" for o in VIRTUAL_OPTIONS)
    config, diagnostics = _imported(f"virtual=192.0.2.10:80\n{options}\temailalert=root@example.com\n\tfoo=1\n")
    last = 2 + len(VIRTUAL_OPTIONS)
    assert _said(diagnostics) == [
        ("LVS501", "`emailalert` not translated: no lvscc equivalent in a virtual service", _line(last, 28)),
        ("LVS501", "`foo` not translated: no lvscc equivalent in a virtual service", _line(last + 1, 6)),
    ]
    assert config.services[0].sorry_server == ip_address("127.0.0.1")


GLOBAL_OPTIONS = ("checktimeout=3", "negotiatetimeout=4", "quiescent=yes", "checktype=negotiate", "scheduler=rr",
                  "protocol=tcp", "persistent=60", "netmask=255.255.255.0", "service=http", "fallback=127.0.0.1:80",
                  "checkport=80")
NO_EFFECT = ("logfile", "emailalert", "emailalertfreq", "emailalertstatus", "autoreload", "callback", "supervised",
             "fork", "cleanstop", "maintenancedir", "smtp", "checkinterval", "checkcount", "failurecount",
             "readdquiescent")


def test_a_global_option_is_read_dropped_as_ldirectords_own_or_named() -> None:
    text = "".join(f"{o}\n" for o in GLOBAL_OPTIONS) + "".join(f"{k}=x\n" for k in NO_EFFECT)
    config, diagnostics = _imported(f"{text}virtualhost=www.example.com\nreal=192.0.2.21:80 gate\n"
                                    "virtual=192.0.2.10:80\n")
    first = len(GLOBAL_OPTIONS) + 1
    assert _said(diagnostics) == [
        ("LVS506", f"`{key}` dropped: ldirectord's own operation, not the cluster", _line(first + n, len(key) + 2))
        for n, key in enumerate(NO_EFFECT)
    ] + [
        ("LVS501", "`virtualhost` not translated: no lvscc equivalent", _line(first + len(NO_EFFECT), 27)),
        ("LVS501", "`real` not translated: no lvscc equivalent", _line(first + len(NO_EFFECT) + 1, 23)),
    ]
    (service,) = config.services
    assert (service.scheduler, service.persistence, service.quiesce, service.servers) == ("rr", 60, True, ())


def test_an_import_is_a_config_named_after_the_file_that_loads_back_as_it_was_read() -> None:
    config, _ = _imported("virtual=192.0.2.10:80\n\treal=192.0.2.21:80 masq 2\n\treal=192.0.2.22:8080 masq\n"
                          "\tpersistent=300\n\tnetmask=255.255.255.0\n\trequest=/\n\treceive=ok\n\tquiescent=yes\n"
                          "virtual=21\n\treal=192.0.2.23 gate\n\tchecktype=connect\n")
    assert (config.name, config.files) == ("director", (FILE,))
    loaded, found = load_text(format_config(config), "imported.lvs")
    assert loaded is not None and found == []
    assert [(s.name, s.persistence, s.persistence_mask, s.quiesce, s.check is not None, s.forwarding.method,
             [(r.name, r.port, r.weight) for r in s.servers]) for s in loaded.services] == [
        ("svc-tcp-192-0-2-10-80", 300, IPv4Address("255.255.255.0"), True, True, Method.NAT,
         [("rs-192-0-2-21", None, 2), ("rs-192-0-2-22-8080", 8080, 1)]),
        ("svc-fwmark-21", None, None, False, True, Method.DIRECT, [("rs-192-0-2-23", None, 1)]),
    ]
