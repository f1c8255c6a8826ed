"""The parts every importer builds on (lvscc/importers/common.py): the spans its notes point at,
each note's code, severity and wording, the statement tree of a braced config, the names
services and real servers get from what identifies them, the forwarding a cluster is given,
the timeouts a dump's zeros leave to the kernel, and the Config an import ends in."""

from __future__ import annotations

from ipaddress import ip_address

import pytest

from lvscc.importers.common import (
    Blocks,
    Entry,
    Notes,
    dashed,
    fwmark_service_name,
    imported,
    kernel_timeouts,
    lvs_name,
    most_common,
    parse_address,
    parse_int,
    real_server_name,
    service_name,
    span_at,
    writable,
)
from lvscc.model.config import Config, Forwarding, HealthCheck, Method, Protocol, Timeouts, VirtualService
from lvscc.model.span import Span

AT = Span("k.conf", 4, 3, 4, 9)
KEY = Entry("lb_kind", ("DR",), AT)


def _said(notes: Notes) -> list[tuple[str, str, str, str | None, Span]]:
    return [(d.code, d.severity.value, d.message, d.hint, d.span) for d in notes.items]


def test_a_span_covers_width_characters_of_one_line() -> None:
    assert span_at("f.cf", 3, 5, 7) == Span("f.cf", 3, 5, 3, 12)


@pytest.mark.parametrize("raw,name", [
    ("web", "web"), ("web.1", "web-1"), ("1web", "_1web"), ("", "_"), ("-x", "_-x"), ("w b/c", "w-b-c"),
    ("_a-9", "_a-9"), ("é", "_-"), ("Web.A", "Web-A"),
])
def test_the_nearest_lvscc_name(raw: str, name: str) -> None:
    assert lvs_name(raw) == name


def test_each_note_has_its_code_severity_and_wording() -> None:
    notes = Notes()
    assert notes.items == [] and not notes.stopped()
    notes.untranslated(KEY, "why")
    notes.assumed(AT, "assumed this")
    notes.assumed(AT, "assumed that", "say it")
    notes.conflict(AT, "two disagree")
    notes.dropped(KEY, "bookkeeping")
    assert _said(notes) == [
        ("LVS501", "warning", "`lb_kind` not translated: why", None, AT),
        ("LVS504", "warning", "assumed this", None, AT),
        ("LVS504", "warning", "assumed that", "say it", AT),
        ("LVS505", "warning", "two disagree", None, AT),
        ("LVS506", "info", "`lb_kind` dropped: bookkeeping", None, AT),
    ]
    assert not notes.stopped()
    notes.malformed(KEY, "bad")
    assert not notes.stopped()
    notes.unreadable(AT, "cannot read")
    assert notes.stopped()


def _entry(key: str, line: int) -> Entry:
    return Entry(key, (), Span("k.conf", line, 1, line, 2))


def test_blocks_nest_statements_in_the_order_they_are_met() -> None:
    notes = Notes()
    blocks = Blocks(notes)
    blocks.add(_entry("a", 1))
    blocks.open(_entry("outer", 2))
    blocks.add(_entry("b", 3))
    blocks.open(_entry("inner", 4))
    blocks.add(_entry("c", 5))
    blocks.close(Span("k.conf", 6, 1, 6, 2))
    blocks.close(Span("k.conf", 7, 1, 7, 2))
    blocks.add(_entry("d", 8))
    tree = blocks.finish(lambda opener: opener.key)
    assert tree == (
        _entry("a", 1),
        Entry("outer", (), _entry("outer", 2).span, (_entry("b", 3), Entry("inner", (), _entry("inner", 4).span,
                                                                            (_entry("c", 5),)))),
        _entry("d", 8),
    )
    assert notes.items == []


def test_a_close_without_an_open_block_and_a_block_never_closed_are_unreadable() -> None:
    notes = Notes()
    blocks = Blocks(notes)
    blocks.add(_entry("a", 1))
    blocks.close(Span("k.conf", 2, 1, 2, 2))
    blocks.open(_entry("vrrp", 3))
    blocks.open(_entry("virtual", 4))
    assert blocks.finish(lambda opener: f"block `{opener.key}`") == (_entry("a", 1),)
    assert _said(notes) == [
        ("LVS500", "error", "`}` without an open block", None, Span("k.conf", 2, 1, 2, 2)),
        ("LVS500", "error", "block `vrrp` is never closed", None, _entry("vrrp", 3).span),
        ("LVS500", "error", "block `virtual` is never closed", None, _entry("virtual", 4).span),
    ]
    assert notes.stopped()


def test_numbers_and_addresses_read_or_none() -> None:
    assert (parse_int("42"), parse_int("x"), parse_int(""), parse_int("ff", 16), parse_int("0x1F", 16)) == (
        42, None, None, 255, 31)
    assert (parse_address("192.0.2.1"), parse_address("2001:db8::1"), parse_address("web")) == (
        ip_address("192.0.2.1"), ip_address("2001:db8::1"), None)


def test_names_made_of_what_identifies_a_service_or_server() -> None:
    v4, v6 = ip_address("192.0.2.10"), ip_address("2001:db8::10")
    assert (dashed(v4), dashed(v6)) == ("192-0-2-10", "2001-db8--10")
    assert service_name(Protocol.UDP, v6, 53) == "svc-udp-2001-db8--10-53"
    assert (fwmark_service_name(7, None), fwmark_service_name(7, 4), fwmark_service_name(7, 6)) == (
        "svc-fwmark-7", "svc-fwmark-7", "svc-fwmark-7-6")
    assert [real_server_name(v4, port, 80) for port in (None, 0, 80, 8080)] == [
        "rs-192-0-2-10", "rs-192-0-2-10", "rs-192-0-2-10", "rs-192-0-2-10-8080"]
    assert real_server_name(v4, 8080, None) == "rs-192-0-2-10-8080"


NAT, DR, TUN = Forwarding(method=Method.NAT), Forwarding(method=Method.DIRECT), Forwarding(method=Method.TUNNEL)


@pytest.mark.parametrize("forwardings,cluster", [
    ([], Forwarding()),
    ([NAT], NAT),
    ([DR, NAT, NAT], NAT),
    ([NAT, DR, DR, NAT, TUN], NAT),
    ([TUN, DR, NAT, DR], DR),
    ([TUN, NAT], TUN),
])
def test_the_cluster_forwarding_is_the_most_used_and_the_first_met_on_a_tie(
        forwardings: list[Forwarding], cluster: Forwarding) -> None:
    assert most_common(forwardings) == cluster


def test_zero_timeouts_leave_the_kernels_value() -> None:
    assert kernel_timeouts(0, 0, 0) is None
    assert kernel_timeouts(900, 0, 0) == Timeouts(900, None, None)
    assert kernel_timeouts(0, 120, 0) == Timeouts(None, 120, None)
    assert kernel_timeouts(0, 0, 300) == Timeouts(None, None, 300)
    assert kernel_timeouts(900, 120, 300) == Timeouts(900, 120, 300)


def test_an_import_is_named_after_its_file_and_lists_its_errors_in_source_order() -> None:
    notes = Notes()
    notes.malformed(Entry("b", (), Span("/etc/my lvs.cf", 9, 1, 9, 4)), "bad b")
    notes.dropped(Entry("c", (), Span("/etc/my lvs.cf", 2, 1, 2, 4)), "nothing")
    notes.malformed(Entry("a", (), Span("/etc/my lvs.cf", 3, 5, 3, 9)), "bad\ta")
    notes.unreadable(Span("/etc/my lvs.cf", 3, 1, 3, 2), "unreadable")
    config, diagnostics = imported("/etc/my lvs.cf", notes, forwarding=NAT)
    assert (config.name, config.files, config.span, config.forwarding) == (
        "my-lvs", ("/etc/my lvs.cf",), Span("/etc/my lvs.cf", 1, 1, 1, 1), NAT)
    assert [(d.span.line, d.code) for d in diagnostics] == [(2, "LVS506"), (3, "LVS500"), (3, "LVS502"), (9, "LVS502")]
    assert config.untranslated == (
        ("/etc/my lvs.cf:3: unreadable", Span("/etc/my lvs.cf", 3, 1, 3, 2)),
        ("/etc/my lvs.cf:3: `a`: bad?a", Span("/etc/my lvs.cf", 3, 5, 3, 9)),
        ("/etc/my lvs.cf:9: `b`: bad b", Span("/etc/my lvs.cf", 9, 1, 9, 4)),
    )


def test_a_config_without_a_sync_daemon_directors_or_checks_passes_the_gate_as_it_is() -> None:
    service = VirtualService(name="web", scheduler="sh", sched_flags=("sh-port",), persistence_engine="sip",
                             check=HealthCheck(timeout=3))
    config = Config(name="c", forwarding=NAT, services=(service, VirtualService(name="dns")))
    notes = Notes()
    assert writable(config, notes) == config and notes.items == []
