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
    config, diagnostics = import_ldirectord("virtual=192.0.2.10:80\n\treal=192.0.2.21:80 gate\nthis line  \n",
                                            FILE)
    assert config is None
    assert _said(diagnostics) == [("LVS500", "expected `key=value`", _line(3, 9))]


def test_comments_blank_lines_and_spaces_around_the_equals_sign_are_read_as_ldirectord_does() -> None:
    service = _service("# a comment\n\n   \nvirtual = 192.0.2.10:80   # the web VIP\n"
                       "\treal=192.0.2.21:80 gate 4 # first\n\tScheduler = RR\n\tprotocol=TCP\n")
    assert (service.vip, service.port, service.protocol) == (ip_interface("192.0.2.10/32"), 80, Protocol.TCP)
    assert service.servers == (RealServer(name="rs-192-0-2-21", address=ip_address("192.0.2.21"), weight=4,
                                          span=_line(5, 34)),)
    assert service.span == _line(4, 39)


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


def test_a_quoted_value_loses_its_quotes_and_a_lone_quote_is_kept() -> None:
    service = _service('virtual="192.0.2.10:80"\n\trequest="/"\n\treceive="\n')
    assert service.vip == ip_interface("192.0.2.10/32")
    assert service.check == HealthCheck(send="GET / HTTP/1.0\r\n\r\n", expect='"', timeout=5, span=_line(1, 23))


@pytest.mark.parametrize("written,vip,port", [
    ("192.0.2.10:80", "192.0.2.10/32", 80),
    ("[2001:db8::10]:443", "2001:db8::10/128", 443),
    ("192.0.2.10", "192.0.2.10/32", 0),
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
