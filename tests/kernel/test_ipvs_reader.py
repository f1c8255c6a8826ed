"""The lean IPVS netlink reader (lvscc.probes.ipvs_netlink) against two independent readings of
the same kernel table: pyroute2's generic decoder and `ipvsadm-save -n` parsed as text. All three
must agree on every compiled sample and on a table that uses every attribute lvscc models."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from lvscc.model.state import IpvsService
from lvscc.probes.ipvs_netlink import read_ipvs
from lvscc.probes.ipvsadm import parse_save
from lvscc.probes.live import ipvs_services_pyroute2

from .ipvs import CASES, REPO, compile_director_rules, compiler_available, restore, save
from .lab import entered

pytestmark = pytest.mark.kernel

SOURCES = sorted((REPO / "samples").glob("*.lvs")) + sorted(CASES.glob("*.lvs"))

# Thresholds, persistence with IPv4 and IPv6 netmasks, the SIP persistence engine, one-packet
# scheduling, sh and mh flags, every tunnel type and checksum option, a quiesced server, IPv6,
# and IPv4 and IPv6 firewall marks, written as ipvsadm-save prints them back (thresholds aside).
EVERY_ATTRIBUTE = """\
-A -t 192.0.2.10:80 -s wrr -p 300 -M 255.255.255.0
-a -t 192.0.2.10:80 -r 198.51.100.2:80 -m -w 3 -x 100 -y 10
-a -t 192.0.2.10:80 -r 198.51.100.3:8080 -m -w 0 -x 0 -y 0
-A -u 192.0.2.10:53 -s sh -o -b sh-fallback,sh-port
-a -u 192.0.2.10:53 -r 198.51.100.2:53 -g -w 1 -x 0 -y 0
-A -u 192.0.2.10:5060 -s rr -p 60 --pe sip
-a -u 192.0.2.10:5060 -r 198.51.100.4:5060 -m -w 1 -x 0 -y 0
-A -t 192.0.2.11:443 -s mh -b mh-fallback
-a -t 192.0.2.11:443 -r 203.0.113.2:443 -i -w 1 -x 0 -y 0 --tun-type ipip
-a -t 192.0.2.11:443 -r 203.0.113.3:443 -i -w 2 -x 7 -y 3 --tun-type gue --tun-port 6080 --tun-remcsum
-a -t 192.0.2.11:443 -r 203.0.113.4:443 -i -w 1 -x 0 -y 0 --tun-type gre --tun-csum
-A -t [2001:db8::10]:443 -s rr -p 120 -M 64
-a -t [2001:db8::10]:443 -r [2001:db8::2]:443 -m -w 2 -x 50 -y 5
-A -f 21 -s rr -p 120
-a -f 21 -r 198.51.100.5:0 -i -w 1 -x 0 -y 0 --tun-type gue --tun-port 6080 --tun-csum
-A -f 22 -6 -s lc
-a -f 22 -6 -r [2001:db8::3]:0 -g -w 1 -x 0 -y 0
"""


def without_thresholds(services: tuple[IpvsService, ...]) -> tuple[IpvsService, ...]:
    return tuple(replace(s, dests=tuple(replace(d, upper=0, lower=0) for d in s.dests)) for s in services)


def assert_three_readings_agree(netns: str, rules: str, what: str) -> None:
    restore(netns, rules)
    with entered(netns):
        lean = read_ipvs()
        generic = ipvs_services_pyroute2()
    saved = parse_save(save(netns)).services
    assert lean, f"{what}: the lean reader found no service"
    assert lean == generic, f"{what}: lean reader and pyroute2 differ"
    assert without_thresholds(lean) == saved, f"{what}: lean reader and ipvsadm-save -n differ"
    assert lean == parse_save(rules).services, f"{what}: the kernel table is not the rules loaded"


@pytest.mark.skipif(not compiler_available(), reason="lvscc has no compile command yet")
@pytest.mark.parametrize("source", SOURCES, ids=lambda p: str(p.relative_to(REPO)))
def test_compiled_rules_read_alike(source: Path, netns_factory: Callable[[], str], tmp_path: Path) -> None:
    rules = compile_director_rules(source, tmp_path)
    assert rules, f"no host of {source.name} got an ipvsadm.rules"
    for host, text in rules.items():
        assert_three_readings_agree(netns_factory(), text, f"{source.name} host {host}")


def test_every_modelled_attribute_reads_alike(ipvs_netns: str) -> None:
    assert_three_readings_agree(ipvs_netns, EVERY_ATTRIBUTE, "the every-attribute table")


def test_empty_table_is_empty(ipvs_netns: str) -> None:
    with entered(ipvs_netns):
        assert read_ipvs() == ()


def test_without_cap_net_admin_the_reader_says_so(ipvs_netns: str) -> None:
    """IPVS answers only CAP_NET_ADMIN (GENL_ADMIN_PERM); the probe must say that, not crash."""
    probe = ("from lvscc.probes import ProbeError\n"
             "from lvscc.probes.ipvs_netlink import read_ipvs\n"
             "try:\n    read_ipvs()\nexcept ProbeError as error:\n    print(error)\n")
    # Still root, so the checkout stays readable wherever CI cloned it (a 0700 temp dir is not
    # readable by nobody); only CAP_NET_ADMIN is dropped, from the bounding set so exec keeps it off.
    done = subprocess.run(["ip", "netns", "exec", ipvs_netns, "setpriv", "--inh-caps=-net_admin",
                           "--bounding-set=-net_admin", sys.executable, "-c", probe],
                          cwd=REPO, capture_output=True, text=True, timeout=120, check=False)
    assert "needs CAP_NET_ADMIN" in done.stdout, done.stdout + done.stderr
