"""The probe's fast path (real servers of IPv4 services by getsockopt, lvscc/probes/ipvs_sockopt.py)
against its netlink-only reading of the same kernel table: equal on a table that uses every
attribute lvscc models, on services the fast path must leave to netlink (IPv6, tunnelled and
mixed-family real servers), and on every compiled sample; and the fast path really taken where
it can answer, so equality cannot come from netlink reading everything."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from lvscc.model.config import Method
from lvscc.model.state import IpvsService
from lvscc.probes.ipvs_netlink import IpvsReader
from lvscc.probes.ipvsadm import parse_save

from .ipvs import CASES, REPO, compile_director_rules, compiler_available, restore
from .lab import entered
from .test_ipvs_reader import EVERY_ATTRIBUTE

pytestmark = pytest.mark.kernel

# What getsockopt cannot show, each beside what it can: a service mixing an IPv4 and an IPv6 real
# server (the kernel skips the IPv6 one there), thresholds at their limits, weight 0, a service
# without real servers, a wide one, and IPv4 firewall marks with and without persistence.
LEFT_TO_NETLINK = """\
-A -t 192.0.2.20:80 -s rr
-a -t 192.0.2.20:80 -r 198.51.100.20:80 -i -w 1 -x 0 -y 0 --tun-type ipip
-a -t 192.0.2.20:80 -r [2001:db8::20]:80 -i -w 1 -x 0 -y 0 --tun-type ipip
-A -t 192.0.2.21:80 -s wlc
-a -t 192.0.2.21:80 -r 198.51.100.21:80 -g -w 0 -x 1000000 -y 999999
-a -t 192.0.2.21:80 -r 198.51.100.22:81 -m -w 65535 -x 1 -y 0
-A -u 192.0.2.22:0 -s rr -p 30
-A -f 30 -s wrr
-a -f 30 -r 198.51.100.23:0 -g -w 7 -x 9 -y 8
-A -f 31 -s sh -p 60 -M 255.255.255.128 -b sh-port
-a -f 31 -r 198.51.100.24:0 -g -w 1 -x 0 -y 0
"""
WIDE = "-A -t 192.0.2.23:443 -s wlc\n" + "".join(
    f"-a -t 192.0.2.23:443 -r 198.51.100.{n}:443 -m -w {n} -x {n} -y 0\n" for n in range(1, 101))


def fast_and_netlink(netns: str) -> tuple[tuple[IpvsService, ...], tuple[IpvsService, ...], int]:
    with entered(netns), IpvsReader() as reader:
        netlink = reader.services(sockopt=False)
        fast = reader.services()
        return fast, netlink, reader.via_sockopt


def answerable(services: tuple[IpvsService, ...]) -> int:
    """Services whose real servers getsockopt can tell in full: IPv4, none tunnelled, none IPv6."""
    return sum(1 for s in services if s.family == 4
               and all(d.method is not Method.TUNNEL and d.address.version == 4 for d in s.dests))


def assert_fast_equals_netlink(netns: str, rules: str, what: str) -> None:
    restore(netns, rules)
    fast, netlink, via_sockopt = fast_and_netlink(netns)
    assert netlink, f"{what}: nothing loaded"
    assert fast == netlink, f"{what}: the fast path and netlink differ"
    assert via_sockopt == answerable(netlink), f"{what}: {via_sockopt} services by getsockopt"


def test_every_attribute_and_what_only_netlink_shows(ipvs_netns: str) -> None:
    rules = EVERY_ATTRIBUTE + LEFT_TO_NETLINK + WIDE
    assert_fast_equals_netlink(ipvs_netns, rules, "every attribute")
    fast, _, via_sockopt = fast_and_netlink(ipvs_netns)
    assert fast == parse_save(rules).services  # thresholds included: the kernel holds what was loaded
    assert via_sockopt == 8  # EVERY_ATTRIBUTE's 3 IPv4 services without tunnels, 4 of the 5 here, WIDE


@pytest.mark.skipif(not compiler_available(), reason="lvscc has no compile command yet")
@pytest.mark.parametrize("source", sorted((REPO / "samples").glob("*.lvs")) + sorted(CASES.glob("*.lvs")),
                         ids=lambda p: str(p.relative_to(REPO)))
def test_compiled_rules_read_alike(source: Path, netns_factory: Callable[[], str], tmp_path: Path) -> None:
    for host, text in compile_director_rules(source, tmp_path).items():
        assert_fast_equals_netlink(netns_factory(), text, f"{source.name} host {host}")
