"""LVS173 with the splitter's own reason: a send-program keepalived cannot split like a shell is
a check it skips, so that real server is never checked again."""

from __future__ import annotations

from ipaddress import ip_address, ip_interface

import pytest

from lvscc.model.config import Config, HealthCheck, Protocol, RealServer, VirtualService
from lvscc.model.span import Span
from lvscc.rules import check
from lvscc.rules.programs import split_error

CHECK_AT = Span("lab.lvs", 6, 5, 6, 40)


def _lvs173(program: str) -> list[tuple[str, Span]]:
    service = VirtualService("web", vip=ip_interface("192.0.2.10/24"), protocol=Protocol.TCP, port=80,
                             check=HealthCheck(send_program=program, span=CHECK_AT),
                             servers=(RealServer("web1", ip_address("192.0.2.21")),))
    return [(d.message, d.span) for d in check(Config("lab", services=(service,))) if d.code == "LVS173"]


@pytest.mark.parametrize(("program", "problem"), [
    ("/bin/check 'web1", "no closing quotation"),
    ("/bin/check web1\\", "no escaped character"),
    ("", "no command"),
    ("   ", "no command"),
])
def test_a_send_program_the_daemon_cannot_split_says_why(program: str, problem: str) -> None:
    assert split_error(program) == problem
    assert _lvs173(program) == [(f"service web: send-program cannot be split into a command: {problem}", CHECK_AT)]


def test_a_send_program_that_splits_passes() -> None:
    assert split_error("/bin/check 'web 1' \\$HOST") is None
    assert split_error("x") is None
    assert _lvs173("/bin/check web1") == []
