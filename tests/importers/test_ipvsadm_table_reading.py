"""How `lvscc import` walks an ipvsadm-save dump line by line (lvscc/importers/ipvsadm.py):
comments and blank lines keep every later line's number, a line with the leading `ipvsadm`
reads as one without it, a named port is read as ipvsadm reads it, `--set` becomes the
cluster's timeouts, and each line it cannot use is reported once, by its whole line."""

from __future__ import annotations

from ipaddress import ip_address

import pytest

from lvscc.diagnostics import Diagnostic
from lvscc.fmt import format_config
from lvscc.importers.ipvsadm import import_ipvsadm
from lvscc.model.config import Config, Forwarding, Method, Timeouts
from lvscc.model.span import Span

FILE = "dump.ipvsadm"


def _imported(text: str) -> tuple[Config, list[Diagnostic]]:
    config, diagnostics = import_ipvsadm(text, FILE)
    assert config is not None, diagnostics
    return config, diagnostics


def _said(diagnostics: list[Diagnostic]) -> list[tuple[str, str, Span]]:
    return [(d.code, d.message, d.span) for d in diagnostics]


def _line(number: int, width: int) -> Span:
    return Span(FILE, number, 1, number, width + 1)


DUMP = """# ipvsadm-save on the primary # nightly

--set 900 0 300 # timeouts
-A -t 192.0.2.10:http -s rr   # web # 80
   -a -t 192.0.2.10:80 -r 198.51.100.2:80 -m -w 1
-C
ipvsadm -A -u 192.0.2.10:53 -s rr
-a -u 192.0.2.10:53 -r 198.51.100.3:53 -g -w 1
-a -u 192.0.2.10:53 -r 198.51.100.4:53 -g -w 1 -q
ipvsadm --add-server -u 192.0.2.10:53 -r 198.51.100.5:53 -g -w 2
"""


def test_each_line_a_dump_cannot_use_is_reported_once_by_its_whole_line() -> None:
    config, diagnostics = _imported(DUMP)
    assert _said(diagnostics) == [
        ("LVS501", "`-C` not translated: only service, server and --set lines describe the table", _line(6, 2)),
        ("LVS502", "`-a`: unknown ipvsadm option '-q'", _line(9, 49)),
    ]
    assert config.untranslated == (("dump.ipvsadm:9: `-a`: unknown ipvsadm option '-q'", _line(9, 49)),)


def test_comments_blanks_and_the_leading_ipvsadm_leave_every_line_where_it_is() -> None:
    config, _ = _imported(DUMP)
    web, dns = config.services
    assert (web.name, web.port, web.span.line, [(s.address, s.span.line) for s in web.servers]) == (
        "svc-tcp-192-0-2-10-80", 80, 4, [(ip_address("198.51.100.2"), 5)])
    assert (dns.name, dns.span.line, [(s.address, s.weight, s.span.line) for s in dns.servers]) == (
        "svc-udp-192-0-2-10-53", 7, [(ip_address("198.51.100.3"), 1, 8), (ip_address("198.51.100.5"), 2, 10)])


def test_the_clusters_forwarding_is_the_one_most_services_use_and_a_service_keeps_its_own() -> None:
    config, _ = _imported(DUMP + "-A -t 192.0.2.11:80 -s rr\n-a -t 192.0.2.11:80 -r 198.51.100.6:80 -m -w 1\n")
    assert config.forwarding == Forwarding(method=Method.NAT)
    assert {s.name: s.forwarding.method for s in config.services} == {
        "svc-tcp-192-0-2-10-80": Method.NAT, "svc-udp-192-0-2-10-53": Method.DIRECT,
        "svc-tcp-192-0-2-11-80": Method.NAT}


@pytest.mark.parametrize("line,timeouts", [
    ("--set 900 0 300\n", Timeouts(900, None, 300)),
    ("--set 0 120 0\n", Timeouts(None, 120, None)),
    ("--set 0 0 0\n", None),
    ("", None),
])
def test_set_gives_the_timeouts_and_a_zero_leaves_the_kernels(line: str, timeouts: Timeouts | None) -> None:
    config, diagnostics = _imported(f"{line}-A -t 192.0.2.10:80 -s rr\n")
    assert (config.timeouts, diagnostics) == (timeouts, [])


def test_a_dump_of_nothing_but_comments_is_an_empty_cluster() -> None:
    config, diagnostics = _imported("# empty table\n\n")
    assert (config.name, config.services, config.timeouts, config.forwarding, diagnostics) == (
        "dump", (), None, Forwarding(), [])


def test_a_server_line_left_out_is_not_reported_again_as_an_orphan() -> None:
    _, diagnostics = _imported("-A -t 192.0.2.10:80 -s rr\n-a -t 192.0.2.10:80 -r 198.51.100.2:80 -m -w x\n"
                               "-a -t 192.0.2.99:80 -r 198.51.100.2:80 -m -w 1 # elsewhere\n")
    assert [(d.code, d.span.line) for d in diagnostics] == [("LVS502", 2), ("LVS502", 3)]
    assert diagnostics[1].message == "`-a`: real server of a service the dump never adds (-A)"
    assert diagnostics[1].span == _line(3, 46)  # the line without its comment


def test_a_left_out_lines_reason_is_whole_whatever_the_files_name() -> None:
    """The reason is cut from the dump reader's message, which starts with a place."""
    _, diagnostics = import_ipvsadm("-A -t 192.0.2.10:80 -s rr -Z\n", "saved: dump.ipvsadm")
    assert [(d.code, d.message, d.span) for d in diagnostics] == [
        ("LVS502", "`-A`: unknown ipvsadm option '-Z'", Span("saved: dump.ipvsadm", 1, 1, 1, 29))]


def test_a_server_forwarding_unlike_its_service_keeps_its_own_method() -> None:
    """Two NAT servers and one direct: the service is NAT, and the direct one must stay direct
    (a NAT server without the director as its gateway answers no client)."""
    config, _ = _imported("-A -t 192.0.2.10:80 -s rr\n-a -t 192.0.2.10:80 -r 198.51.100.2:80 -m -w 1\n"
                          "-a -t 192.0.2.10:80 -r 198.51.100.3:80 -g -w 1\n"
                          "-a -t 192.0.2.10:80 -r 198.51.100.4:80 -m -w 1\n")
    (service,) = config.services
    assert service.forwarding.method is Method.NAT
    assert [(s.name, s.method) for s in service.servers] == [
        ("rs-198-51-100-2", None), ("rs-198-51-100-3", Method.DIRECT), ("rs-198-51-100-4", None)]
    assert "    server rs-198-51-100-3 198.51.100.3 direct\n" in format_config(config)


def test_a_bare_ipvsadm_is_no_table_line_and_ipvsadm_with_a_table_command_is_read_as_one() -> None:
    _, diagnostics = _imported("-A -t 192.0.2.10:80 -s rr\nipvsadm\nipvsadm --set\n")
    assert _said(diagnostics) == [
        ("LVS501", "`ipvsadm` not translated: only service, server and --set lines describe the table", _line(2, 7)),
        ("LVS502", "`ipvsadm`: --set takes three timeouts", _line(3, 13)),
    ]
