"""Every length and number limit of lvscc/syntax at its edge: the longest value a tool takes is
written as it is, one more is refused (`Refused`) before it can reach a file or a command,
where the tool itself would fail (or truncate) on a router."""

from __future__ import annotations

from ipaddress import ip_address
from typing import Callable

import pytest

from lvscc.model.config import PortRange
from lvscc.syntax import MAX_LINE, Refused, arptables, iproute, iptables, ipvsadm, nft, shell, sysctl
from lvscc.syntax import lvs

LIMITS: list[tuple[str, Callable[[str], object], str, str]] = [
    # (what, check, the longest or largest value taken, the first one refused)
    ("line (MAX_LINE)", lambda v: sysctl.parse_line(v), "a = " + "1" * (MAX_LINE - 4), "a = " + "1" * (MAX_LINE - 3)),
    ("arptables chain (28)", arptables.chain, "C" * 28, "C" * 29),
    ("iptables chain (28)", iptables.chain, "C" * 28, "C" * 29),
    ("device (IFNAMSIZ 15)", iproute.device, "d" * 15, "d" * 16),
    ("label (15)", iproute.label, "eth0:" + "1" * 10, "eth0:" + "1" * 11),
    ("nft identifier (255)", nft.identifier, "n" * 255, "n" * 256),
    ("kernel module (55)", shell.module, "m" * 55, "m" * 56),
    ("sysctl key (255)", sysctl.key, "net." + "k" * 251, "net." + "k" * 252),
    ("sysctl value (4096)", sysctl.value, "1" * 4096, "1" * 4097),
    ("scheduler name (15)", lambda v: ipvsadm.name(v, "scheduler"), "s" * 15, "s" * 16),
    ("number (2^32 - 1)", lambda v: ipvsadm.number(v, "weight"), "4294967295", "4294967296"),
    ("number (10 digits)", lambda v: ipvsadm.number(v, "weight"), "0000000001", "00000000001"),
    ("port (65535)", lambda v: ipvsadm.number(v, "port", 65535), "65535", "65536"),
    ("endpoint port", ipvsadm.split_endpoint, "192.0.2.1:65535", "192.0.2.1:65536"),
    ("netmask prefix (128)", ipvsadm.netmask, "128", "129"),
    ("netmask prefix (3 digits)", ipvsadm.netmask, "064", "0064"),
]  # fmt: skip


@pytest.mark.parametrize(("check", "taken", "refused"), [case[1:] for case in LIMITS], ids=[case[0] for case in LIMITS])
def test_the_limit_is_taken_and_one_more_refused(check: Callable[[str], object], taken: str, refused: str) -> None:
    assert check(taken) is not None
    with pytest.raises(Refused):
        check(refused)


@pytest.mark.parametrize("value", ["0", "", "1.5", "-1", "٣"])
def test_a_netmask_is_a_prefix_from_1_or_an_ipv4_mask(value: str) -> None:
    assert ipvsadm.netmask("1") == "1" and ipvsadm.netmask("255.255.255.0") == "255.255.255.0"
    with pytest.raises(Refused):
        ipvsadm.netmask(value)


def test_numbers_are_ascii_decimal() -> None:
    assert ipvsadm.number("0", "weight") == 0 and ipvsadm.number(7, "weight") == 7
    for text in ("٣", "²", "+1", " 1", "1e3", "0x1"):
        with pytest.raises(Refused):
            ipvsadm.number(text, "weight")


def test_nft_handles_are_positive_64_bit_integers() -> None:
    assert nft.handle(1) == 1 and nft.handle(2**64 - 1) == 2**64 - 1
    for bad in (0, 2**64, True, "1"):
        with pytest.raises(Refused):
            nft.handle(bad)


def test_an_lvs_device_is_at_most_15_characters() -> None:
    assert lvs.is_device("d" * 15) and not lvs.is_device("d" * 16)
    assert lvs.device("eth0:1") == "eth0:1"


@pytest.mark.parametrize(("text", "address", "port", "written"), [
    ("192.0.2.1:80", "192.0.2.1", 80, "192.0.2.1:80"),
    ("192.0.2.1", "192.0.2.1", 0, "192.0.2.1:0"),
    ("[2001:db8::1]:443", "2001:db8::1", 443, "[2001:db8::1]:443"),
    ("[2001:db8::1]", "2001:db8::1", 0, "[2001:db8::1]:0"),
])  # fmt: skip
def test_an_endpoint_reads_an_address_and_an_optional_port(text: str, address: str, port: int, written: str) -> None:
    assert ipvsadm.split_endpoint(text) == (ip_address(address), port)
    assert ipvsadm.endpoint(ip_address(address), port) == written


def _singles(n: int) -> list[PortRange]:
    return [PortRange(p, p) for p in range(1000, 1000 + n)]


def _ranges(n: int) -> list[PortRange]:
    return [PortRange(p, p + 1) for p in range(2000, 2000 + 10 * n, 10)]


@pytest.mark.parametrize(("ports", "sizes"), [
    (_singles(15), [15]),
    (_singles(16), [15, 1]),
    (_ranges(7) + _singles(1), [8]),
    (_ranges(8), [7, 1]),
    (_singles(14) + _ranges(1), [14, 1]),
    (_singles(31), [15, 15, 1]),
])  # fmt: skip
def test_a_multiport_match_holds_15_ports_a_range_counting_two(ports: list[PortRange], sizes: list[int]) -> None:
    assert [len(group) for group in iptables.port_groups(tuple(ports))] == sizes
    assert [p for group in iptables.port_groups(tuple(ports)) for p in group] == ports
