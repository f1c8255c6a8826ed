"""Exact commands the planner writes where the argument order or an optional flag is what a
plausible bug changes: `ipvsadm --set` takes tcp tcpfin udp in that order, and a real server
with one threshold must still be written with -x and -y (docs/testing.md, "Planted bugs")."""

from __future__ import annotations

from dataclasses import replace

import pytest

from lvscc.audit import diff, scope_for
from lvscc.model.config import AuditPolicy
from lvscc.model.state import IpvsTimeouts
from lvscc.plan import Command, plan

from .states import dest, director, web


def _plan(intent, observed) -> list[str]:
    commands: list[Command] = plan(diff(intent, observed, AuditPolicy(), scope_for(intent, AuditPolicy())))
    return [" ".join(command.argv) for command in commands]


@pytest.mark.parametrize(
    ("want", "have", "command"),
    [
        (IpvsTimeouts(900, 120, 300), IpvsTimeouts(1, 2, 3), "ipvsadm --set 900 120 300"),
        (IpvsTimeouts(tcp=7200), IpvsTimeouts(900, 120, 300), "ipvsadm --set 7200 0 0"),
        (IpvsTimeouts(tcpfin=60), IpvsTimeouts(900, 120, 300), "ipvsadm --set 0 60 0"),
        (IpvsTimeouts(udp=30), IpvsTimeouts(900, 120, 300), "ipvsadm --set 0 0 30"),
        (IpvsTimeouts(900, 120, 30), IpvsTimeouts(900, 120, 300), "ipvsadm --set 0 0 30"),
    ],
)
def test_set_takes_tcp_tcpfin_udp_in_that_order(want: IpvsTimeouts, have: IpvsTimeouts, command: str) -> None:
    """0 keeps the kernel's value, so only the drifting timeouts are written, each in its place."""
    assert _plan(director(timeouts=want), director(timeouts=have)) == [command]


def _with(*dests):
    return director(ipvs=(web(*dests), director().ipvs[1]))


@pytest.mark.parametrize(("upper", "lower", "suffix"), [(9, 0, " -x 9 -y 0"), (0, 3, " -x 0 -y 3"), (9, 3, " -x 9 -y 3"), (0, 0, "")])
def test_a_missing_server_keeps_either_threshold_alone(upper: int, lower: int, suffix: str) -> None:
    wanted = replace(dest("198.51.100.3", weight=3), upper=upper, lower=lower)
    got = _plan(_with(dest("198.51.100.2"), wanted), _with(dest("198.51.100.2")))
    assert got == [f"ipvsadm -a -t 192.0.2.10:80 -r 198.51.100.3:80 -m -w 3{suffix}"]


@pytest.mark.parametrize(("upper", "lower"), [(9, 0), (0, 3)])
def test_a_weight_edit_restates_a_single_threshold(upper: int, lower: int) -> None:
    """`ipvsadm -e` sends every field of the server (tests/kernel/test_edit_semantics.py), so an
    edit that left out the one threshold set would clear it."""
    wanted = replace(dest("198.51.100.3", weight=3), upper=upper, lower=lower)
    observed = replace(wanted, weight=5)
    got = _plan(_with(dest("198.51.100.2"), wanted), _with(dest("198.51.100.2"), observed))
    assert got == [f"ipvsadm -e -t 192.0.2.10:80 -r 198.51.100.3:80 -m -w 3 -x {upper} -y {lower}"]


@pytest.mark.parametrize(("field", "command"), [("upper", "-x 0 -y 0"), ("lower", "-x 0 -y 0")])
def test_a_threshold_cleared_is_written_out(field: str, command: str) -> None:
    """The kernel would clear it anyway (an edit sends every field), but the plan is a script a
    person reviews: the threshold it repairs is stated."""
    wanted = dest("198.51.100.3", weight=3)
    observed = replace(wanted, **{field: 50})
    got = _plan(_with(dest("198.51.100.2"), wanted), _with(dest("198.51.100.2"), observed))
    assert got == [f"ipvsadm -e -t 192.0.2.10:80 -r 198.51.100.3:80 -m -w 3 {command}"]


def test_a_missing_service_states_every_option() -> None:
    sip = replace(web(dest("198.51.100.2")), scheduler="sh", persistence=60, netmask="255.255.255.0", pe="sip",
                  ops=True, flags=("sh-fallback", "sh-port"))
    got = _plan(director(ipvs=(sip, director().ipvs[1])), director(ipvs=director().ipvs[1:]))
    assert got == [
        "ipvsadm -A -t 192.0.2.10:80 -s sh -p 60 -M 255.255.255.0 --pe sip -o -b sh-fallback,sh-port",
        "ipvsadm -a -t 192.0.2.10:80 -r 198.51.100.2:80 -m -w 1",
    ]
