"""lvscc/syntax/ipvsadm.py line by line: what it writes, what it reads back, what it refuses."""

from __future__ import annotations

from ipaddress import ip_address

import pytest

from lvscc.model.config import Method, Protocol, TunnelType
from lvscc.model.state import IpvsDest, IpvsService, Origin
from lvscc.syntax import Refused
from lvscc.syntax import ipvsadm

VIP6 = ip_address("2001:db8::10")
WEB = IpvsService(4, Protocol.TCP, ip_address("192.0.2.10"), 80, scheduler="wlc", persistence=300,
                  netmask="255.255.255.0", pe="sip", ops=True, flags=("sh-fallback", "sh-port"))
TUN = IpvsDest(ip_address("198.51.100.2"), 80, Method.TUNNEL, weight=2, upper=9, lower=3,
               tun_type=TunnelType.GUE, tun_port=6080, tun_csum="remcsum")


@pytest.mark.parametrize(("service", "line"), [
    (WEB, "-A -t 192.0.2.10:80 -s wlc -p 300 -M 255.255.255.0 --pe sip -o -b sh-fallback,sh-port"),
    (IpvsService(6, Protocol.UDP, VIP6, 53, scheduler="rr"), "-A -u [2001:db8::10]:53 -s rr"),
    (IpvsService(6, None, None, 0, fwmark=7, scheduler="mh"), "-A -f 7 -6 -s mh"),
    (IpvsService(4, Protocol.SCTP, ip_address("192.0.2.1"), 9, scheduler="sh"), "-A --sctp-service 192.0.2.1:9 -s sh"),
])  # fmt: skip
def test_service_line(service: IpvsService, line: str) -> None:
    assert ipvsadm.service_line(service) == line


def test_dest_line_puts_thresholds_last() -> None:
    line = "-a -t 192.0.2.10:80 -r 198.51.100.2:80 -i -w 2 --tun-type gue --tun-port 6080 --tun-remcsum -x 9 -y 3"
    assert ipvsadm.dest_line(TUN, WEB) == line
    nat = IpvsDest(ip_address("10.11.12.2"), 80, Method.NAT, weight=2)
    assert ipvsadm.dest_line(nat, WEB) == "-a -t 192.0.2.10:80 -r 10.11.12.2:80 -m -w 2"
    assert ipvsadm.dest_line(nat, WEB, thresholds=True).endswith("-m -w 2 -x 0 -y 0")


def test_lines_read_back_as_written() -> None:
    found = ipvsadm.parse_line(ipvsadm.service_line(WEB))
    assert found is not None and found.command == "-A"
    service = ipvsadm.service_with_options(ipvsadm.service_of(found.options), found.options, Origin("f", 1, ""))
    assert service == WEB
    found = ipvsadm.parse_line("ipvsadm " + ipvsadm.dest_line(TUN, WEB) + "  # comment")
    assert found is not None and ipvsadm.dest_of(found.options, Origin("f", 2, "")) == TUN
    assert ipvsadm.parse_line("   # only a comment") is None
    assert ipvsadm.parse_line("--set 900 120 300") == ipvsadm.Line("--set", timeouts=(900, 120, 300))


@pytest.mark.parametrize("value", ["wlc;id", "rr x", "", "a" * 16, "WLC", "$(id)"])
def test_scheduler_names_outside_the_kernels_grammar_are_refused(value: str) -> None:
    with pytest.raises(Refused, match="scheduler"):
        ipvsadm.service_line(IpvsService(4, Protocol.TCP, ip_address("192.0.2.10"), 80, scheduler=value))


@pytest.mark.parametrize("line", [
    "-A -t 192.0.2.10:80 -s rr;id",
    "-A -t 192.0.2.10:80 -s rr --pe 'sip } service evil {'",
    "-A -t 192.0.2.10:80 -s rr -b flag-9",
    "-A -t 192.0.2.10:80 -s rr -M '255.0.0.0 x'",
    "-a -t 192.0.2.10:80 -r 198.51.100.2:80 -m -w 0x10",
    "-a -t 192.0.2.10:80 -r 198.51.100.2:80 -m -w " + "9" * 5000,
    "-a -t 192.0.2.10:99999 -r 198.51.100.2 -m",
    "-a -t 192.0.2.10:80 -r 198.51.100.2 -i --tun-type vxlan",
    "-A -t",
    "-A",
    "-Z -t 192.0.2.10:80",
    "-A -t 192.0.2.10:80 -s 'rr",
    "-A -t 192.0.2.10:80 " + "-o " * 9000,
])  # fmt: skip
def test_dump_lines_that_do_not_fit_are_refused(line: str) -> None:
    with pytest.raises(Refused):
        found = ipvsadm.parse_line(line)
        assert found is not None
        service = ipvsadm.service_of(found.options)
        if found.command == "-A":
            ipvsadm.service_with_options(service, found.options, Origin("f", 1, ""))
        else:
            ipvsadm.dest_of(found.options, Origin("f", 1, ""))
