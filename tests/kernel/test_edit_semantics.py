"""What ipvsadm's edit commands do to the fields they do not name, in a real IPVS kernel, checked
against the kernel model the plan's property tests run on (tests/audit/kernel_model.py): the
planner relies on these answers (an edit restates every threshold, every option), and the model
must not be kinder than the kernel. Read back with ipvsadm itself: -S for the table,
-L --thresholds for what save never prints, -L --timeout for --set."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from audit.kernel_model import Director
from lvscc.model.state import HostState, IpvsTimeouts
from lvscc.plan import Command
from lvscc.probes.ipvsadm import parse_save

from .lab import in_netns

pytestmark = pytest.mark.kernel

TABLE = (
    ("-A", "-t", "192.0.2.10:80", "-s", "wlc", "-p", "300", "-M", "255.255.255.0"),
    ("-a", "-t", "192.0.2.10:80", "-r", "198.51.100.2:80", "-m", "-w", "3", "-x", "100", "-y", "10"),
    ("-a", "-t", "192.0.2.10:80", "-r", "198.51.100.3:80", "-m", "-w", "2", "-x", "50", "-y", "0"),
    ("--set", "900", "120", "300"),
)


def read_back(netns: str) -> HostState:
    """The table as ipvsadm shows it: save for services and servers, -L for the rest."""
    services = parse_save(in_netns(netns, "ipvsadm-save", "-n")).services
    shown = in_netns(netns, "ipvsadm", "-L", "-n", "--thresholds")
    rows = {row.split()[1]: row.split()[2:4] for row in shown.splitlines() if row.strip().startswith("->")}
    with_thresholds = tuple(
        replace(s, dests=tuple(replace(d, upper=int(rows[f"{d.address}:{d.port}"][0]),
                                       lower=int(rows[f"{d.address}:{d.port}"][1])) for d in s.dests))
        for s in services
    )
    timeouts = re.findall(r"\d+", in_netns(netns, "ipvsadm", "-L", "-n", "--timeout").split(":", 1)[1])
    return HostState("primary", "director", ipvs=with_thresholds, timeouts=IpvsTimeouts(*map(int, timeouts)))


def kernel_and_model(netns: str, *commands: tuple[str, ...]) -> tuple[HostState, HostState]:
    model = Director.holding(HostState("primary", "director"))
    for argv in TABLE + commands:
        in_netns(netns, "ipvsadm", *argv)
        model.run(Command(("ipvsadm", *argv)))
    kernel = read_back(netns)
    return kernel, model.state(kernel)


def test_the_model_starts_where_the_kernel_does(ipvs_netns: str) -> None:
    kernel, model = kernel_and_model(ipvs_netns)
    assert kernel == model
    assert [d.upper for d in kernel.ipvs[0].dests] == [100, 50]


def test_edit_without_thresholds_clears_them(ipvs_netns: str) -> None:
    """The answer the planner depends on: `ipvsadm -e ... -w 5` sends upper and lower 0."""
    kernel, model = kernel_and_model(ipvs_netns, ("-e", "-t", "192.0.2.10:80", "-r", "198.51.100.2:80", "-m", "-w", "5"))
    assert kernel == model
    dest = kernel.ipvs[0].dests[0]
    assert (dest.weight, dest.upper, dest.lower) == (5, 0, 0)


def test_edit_without_method_is_direct_routing(ipvs_netns: str) -> None:
    kernel, model = kernel_and_model(ipvs_netns, ("-e", "-t", "192.0.2.10:80", "-r", "198.51.100.3:80", "-w", "2", "-x", "50", "-y", "0"))
    assert kernel == model
    assert kernel.ipvs[0].dests[1].method.value == "direct"


def test_service_edit_replaces_every_option(ipvs_netns: str) -> None:
    """`ipvsadm -E -s rr` without -p makes the service non-persistent (and drops its netmask)."""
    kernel, model = kernel_and_model(ipvs_netns, ("-E", "-t", "192.0.2.10:80", "-s", "rr"))
    assert kernel == model
    assert (kernel.ipvs[0].scheduler, kernel.ipvs[0].persistence, kernel.ipvs[0].netmask) == ("rr", None, None)


def test_set_leaves_a_zero_timeout_alone(ipvs_netns: str) -> None:
    kernel, model = kernel_and_model(ipvs_netns, ("--set", "0", "60", "0"))
    assert kernel == model
    assert kernel.timeouts == IpvsTimeouts(900, 60, 300)
