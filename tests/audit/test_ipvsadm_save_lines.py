"""The ipvsadm-save reader and writer (lvscc.probes.ipvsadm) line by line: where a refusal
points, what a service's origin quotes, when a dump "states thresholds", and the two forms
format_save writes (ipvsadm-save -n's, and the one with -x/-y that round-trips the kernel)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from lvscc.probes.ipvsadm import IpvsadmSyntaxError, format_save, parse_save
from lvscc.syntax import MAX_LINE

SERVICE = "-A -t 192.0.2.10:80 -s rr"
SERVER = "-a -t 192.0.2.10:80 -r 198.51.100.2:80 -g -w 1"


def test_a_refused_line_is_named_once_by_file_and_line() -> None:
    long_line = SERVER + " " * (MAX_LINE - len(SERVER) + 1)
    with pytest.raises(IpvsadmSyntaxError) as refused:
        parse_save(f"{SERVICE}\n{long_line}\n", "dump.rules")
    assert str(refused.value) == f"dump.rules:2: line longer than {MAX_LINE} characters"


def test_an_origin_quotes_the_line_without_its_comment() -> None:
    """The plan names the dump line an extra object came from: the command, not the comment
    (which may hold a second `#`)."""
    table = parse_save(f"{SERVICE}  # web # old\n{SERVER}#x\n", "dump.rules")
    (service,) = table.services
    assert str(service.origin) == f"dump.rules:1 {SERVICE}"
    assert str(service.dests[0].origin) == f"dump.rules:2 {SERVER}"


@pytest.mark.parametrize("options, stated", [
    ("-x 5 -y 2", True), ("-x 5", False), ("-y 2", False), ("", False),
])
def test_a_dump_states_thresholds_only_if_every_server_line_has_both(options: str, stated: bool) -> None:
    table = parse_save(f"{SERVICE}\n{SERVER} -x 1 -y 1\n{SERVER.replace('.2:', '.3:')} {options}\n")
    assert table.thresholds is stated


def _with_thresholds(upper: int, lower: int) -> tuple:
    (service,) = parse_save(f"{SERVICE}\n{SERVER}\n").services
    return (replace(service, dests=tuple(replace(d, upper=upper, lower=lower) for d in service.dests)),)


def test_the_kernel_form_states_thresholds_even_when_both_are_0() -> None:
    """An edit that resets a threshold must state both (ipvsadm -e sends every field)."""
    assert format_save(_with_thresholds(0, 0)) == f"{SERVICE}\n{SERVER} -x 0 -y 0\n"


def test_the_ipvsadm_save_form_never_states_thresholds() -> None:
    """ipvsadm-save -n prints no -x/-y, however the kernel's are set."""
    assert format_save(_with_thresholds(5, 2), thresholds=False) == f"{SERVICE}\n{SERVER}\n"
