"""What lvscc/syntax/ipvsadm.py reads from an ipvsadm-save dump or a hand-written restore file:
ipvsadm's long options mean what the short ones do, omitted options take the kernel's defaults,
and a real server's words say only what its forwarding method can carry."""

from __future__ import annotations

from ipaddress import ip_address

import pytest

from lvscc.model.config import Method, Protocol, TunnelType
from lvscc.model.state import IpvsDest, IpvsService, Origin
from lvscc.syntax import Refused, ipvsadm

AT = Origin("dump", 1, "")
VIP = ip_address("192.0.2.10")


def _read(line: str) -> IpvsService | IpvsDest:
    found = ipvsadm.parse_line(line)
    assert found is not None
    if found.command in ipvsadm.ADD_SERVICE:
        return ipvsadm.service_with_options(ipvsadm.service_of(found.options), found.options, AT)
    assert found.command in ipvsadm.ADD_DEST
    return ipvsadm.dest_of(found.options, AT)


@pytest.mark.parametrize(("short", "long"), [
    ("-A -t 192.0.2.10:80 -s rr -p 300 -M 255.255.255.0 -b sh-port -o",
     "--add-service --tcp-service 192.0.2.10:80 --scheduler rr --persistent 300 --netmask 255.255.255.0 "
     "--sched-flags sh-port --ops"),
    ("-A -u 192.0.2.10:53 -s sh", "--add-service --udp-service 192.0.2.10:53 --scheduler sh"),
    ("-A -f 7 -s wlc", "--add-service --fwmark-service 7 --scheduler wlc"),
    ("-a -t 192.0.2.10:80 -r 198.51.100.2:80 -g -w 3 -x 9 -y 2",
     "--add-server --tcp-service 192.0.2.10:80 --real-server 198.51.100.2:80 --gatewaying --weight 3 "
     "--u-threshold 9 --l-threshold 2"),
    ("-a -t 192.0.2.10:80 -r 10.0.0.2:80 -m", "--add-server --tcp-service 192.0.2.10:80 --real-server 10.0.0.2:80 --masquerading"),
    ("-a -t 192.0.2.10:80 -r 198.51.100.2 -i", "--add-server --tcp-service 192.0.2.10:80 --real-server 198.51.100.2 --ipip"),
])  # fmt: skip
def test_long_options_read_as_the_short_ones(short: str, long: str) -> None:
    assert _read(long) == _read(short)


def test_a_service_line_omitting_options_takes_ipvsadms_defaults() -> None:
    service = _read("-A -t 192.0.2.10:80")
    assert service == IpvsService(4, Protocol.TCP, VIP, 80, scheduler="wlc", origin=AT)
    assert service.persistence is None and service.netmask is None and service.pe is None
    assert service.flags == () and service.ops is False


def test_a_real_server_line_omitting_options_is_direct_routed_with_weight_1() -> None:
    dest = _read("-a -t 192.0.2.10:80 -r 198.51.100.2")
    assert dest == IpvsDest(ip_address("198.51.100.2"), 0, Method.DIRECT, weight=1, origin=AT)
    assert (dest.upper, dest.lower, dest.tun_type, dest.tun_port, dest.tun_csum) == (0, 0, None, None, None)


@pytest.mark.parametrize("mask", ["255.255.255.255", "128"])
def test_a_host_netmask_is_no_netmask(mask: str) -> None:
    assert _read(f"-A -t 192.0.2.10:80 -s rr -p 60 -M {mask}").netmask is None
    assert _read("-A -t 192.0.2.10:80 -s rr -p 60 -M 64").netmask == "64"


def test_a_bare_persistent_flag_leaves_the_next_option_an_option() -> None:
    service = _read("-A -t 192.0.2.10:80 -p -s rr --pe sip")
    assert (service.persistence, service.scheduler, service.pe) == (360, "rr", "sip")
    assert _read("-A -t 192.0.2.10:80 -s rr --persistent").persistence == 360


def test_scheduler_flags_are_read_sorted() -> None:
    assert _read("-A -t 192.0.2.10:80 -s sh -b sh-port,sh-fallback").flags == ("sh-fallback", "sh-port")


def test_a_firewall_mark_service_is_ipv6_only_with_dash_6() -> None:
    v6, v4 = _read("-A -f 7 -6 -s rr"), _read("-A -f 7 -s rr")
    assert (v6.family, v6.fwmark, v6.address, v6.protocol, v6.port) == (6, 7, None, None, 0)
    assert (v4.family, v4.fwmark) == (4, 7)


def test_tunnel_options_are_read() -> None:
    dest = _read("-a -t 192.0.2.10:80 -r 198.51.100.2:80 -i --tun-type gue --tun-port 6080 --tun-nocsum")
    assert (dest.tun_type, dest.tun_port, dest.tun_csum) == (TunnelType.GUE, 6080, "nocsum")
    assert _read("-a -t 192.0.2.10:80 -r 198.51.100.2:80 -i --tun-type ipip --tun-csum").tun_csum == "csum"


def test_tunnel_words_are_written_only_for_a_tunnel_with_a_type() -> None:
    service = IpvsService(4, Protocol.TCP, VIP, 80, scheduler="rr")
    real = ip_address("198.51.100.2")
    gue = IpvsDest(real, 80, Method.TUNNEL, tun_type=TunnelType.GUE, tun_port=6080, tun_csum="csum")
    assert ipvsadm.dest_line(gue, service).endswith("-i -w 1 --tun-type gue --tun-port 6080 --tun-csum")
    bare = IpvsDest(real, 80, Method.TUNNEL, tun_type=TunnelType.IPIP)
    assert ipvsadm.dest_line(bare, service).endswith("-i -w 1 --tun-type ipip")
    nat = IpvsDest(real, 80, Method.NAT, tun_type=TunnelType.GUE, tun_port=6080, tun_csum="csum")
    assert ipvsadm.dest_line(nat, service).endswith("-m -w 1")
    untyped = IpvsDest(real, 80, Method.TUNNEL, tun_port=6080, tun_csum="csum")
    assert ipvsadm.dest_line(untyped, service).endswith("-i -w 1")
    with pytest.raises(Refused, match=r"^tunnel checksum 'x;id'$"):
        ipvsadm.dest_line(IpvsDest(real, 80, Method.TUNNEL, tun_type=TunnelType.GUE, tun_csum="x;id"), service)  # type: ignore[arg-type]


def test_each_threshold_alone_writes_both() -> None:
    service = IpvsService(4, Protocol.TCP, VIP, 80, scheduler="rr")
    real = ip_address("198.51.100.2")
    assert ipvsadm.dest_line(IpvsDest(real, 80, Method.NAT, upper=5), service).endswith("-m -w 1 -x 5 -y 0")
    assert ipvsadm.dest_line(IpvsDest(real, 80, Method.NAT, lower=2), service).endswith("-m -w 1 -x 0 -y 2")


def test_the_set_line_is_tcp_tcpfin_udp() -> None:
    assert ipvsadm.timeouts_line(900, 120, 300) == "--set 900 120 300"
    assert ipvsadm.parse_line("ipvsadm --set 1 2 3") == ipvsadm.Line("--set", timeouts=(1, 2, 3))


def test_a_comment_ends_the_line_at_its_first_hash() -> None:
    """A hand-written restore file may say `# was # 80`: everything after the first `#` is
    comment, so the service reads as if the comment were not there."""
    bare = _read("-A -t 192.0.2.10:80 -s wlc")
    assert _read("-A -t 192.0.2.10:80 -s wlc # moved from # 8080 # twice") == bare
