"""The getsockopt reader of real servers (lvscc/probes/ipvs_sockopt.py) on structs as the kernel
fills them, and on structs no kernel should send: whatever it cannot vouch for is left to
netlink (None), never guessed; and the builders both readers share refuse numbers the model has
no name for. The real kernel's answers: tests/kernel/test_ipvs_fast_reader.py."""

from __future__ import annotations

import ctypes
import errno
import socket
import struct
from collections.abc import Callable
from ipaddress import ip_address

import pytest

from lvscc.model.config import Method
from lvscc.model.state import IpvsDest
from lvscc.probes import ipvs_sockopt
from lvscc.probes import ProbeError
from lvscc.probes.ipvs_netlink import make_dest, make_service
from lvscc.probes.ipvs_sockopt import SO_GET_DESTS, SO_GET_INFO, SO_GET_SERVICES, DestTable

VIP, PORT = socket.inet_aton("192.0.2.10"), struct.pack("!H", 80)
HEADER = 24  # struct ip_vs_get_dests up to its entry table (8-byte aligned)
ENTRY = 96  # struct ip_vs_dest_entry


def entry(address: str, port: int, flags: int = 0, weight: int = 1, upper: int = 0, lower: int = 0) -> bytes:
    return struct.pack("=4s2s2xIiII72x", socket.inet_aton(address), struct.pack("!H", port), flags, weight, upper, lower)


def service_entry(protocol: int, address: bytes, port: bytes, fwmark: int, dests: int) -> bytes:
    return struct.pack("=H2x4s2s2xI16xIIII56x", protocol, address, port, fwmark, 0, 0, 0xFFFFFFFF, dests)


class FakeKernel:
    """getsockopt as do_ip_vs_get_ctl answers it: the buffer's length must be what the request
    says, entries are copied up to the room given, the rest stays as the caller left it."""

    def __init__(self, services: list[bytes], dests: bytes | Callable[[int], bytes] | None, fail: int = 0) -> None:
        self.services, self.dests, self.fail = services, dests, fail
        self.asked: list[int] = []

    def __call__(self, _fd: int, level: int, option: int, buffer: ctypes.Array[ctypes.c_char], size: object) -> int:
        assert level == socket.IPPROTO_IP
        self.asked.append(option)
        length = size._obj.value  # type: ignore[attr-defined]
        assert length == len(buffer)
        if option == SO_GET_INFO:
            struct.pack_into("=III", buffer, 0, 0x010201, 4096, len(self.services))
        elif option == SO_GET_SERVICES:
            assert length == 8 + 104 * struct.unpack_from("=I", buffer)[0]
            ctypes.memmove(ctypes.addressof(buffer) + 8, b"".join(self.services), 104 * len(self.services))
        elif option == SO_GET_DESTS:
            room = struct.unpack_from("=I", buffer, 16)[0]
            assert length == HEADER + ENTRY * room
            if self.fail:
                ctypes.set_errno(self.fail)
                return -1
            data = self.dests(room) if callable(self.dests) else self.dests
            assert data is not None
            data = data[:ENTRY * room]
            ctypes.memmove(ctypes.addressof(buffer) + HEADER, data, len(data))
        return 0


def table(kernel: FakeKernel) -> DestTable:
    """A DestTable on a real (unused) socket with the fake kernel behind getsockopt."""
    made = DestTable(socket.socket(socket.AF_INET, socket.SOCK_DGRAM), kernel, {})
    made._counts = made._services()
    return made


def read(kernel: FakeKernel, fwmark: int = 0) -> tuple[IpvsDest, ...] | None:
    found = table(kernel)
    try:
        return found.dests(6, VIP, PORT, fwmark, make_dest)
    finally:
        found.close()


def test_a_full_answer_becomes_the_same_dests_as_netlink_builds_in_save_order() -> None:
    kernel = FakeKernel([service_entry(6, VIP, PORT, 0, 3)],
                        entry("198.51.100.3", 8080, 0, 0) + entry("198.51.100.2", 80, 3, 5, 100, 10)
                        + entry("198.51.100.2", 79, 1, 1))
    assert read(kernel) == (
        make_dest(ip_address("198.51.100.2").packed, 79, 1, 1, 0, 0, 0, 0, 0),
        IpvsDest(ip_address("198.51.100.2"), 80, Method.DIRECT, 5, 100, 10),
        IpvsDest(ip_address("198.51.100.3"), 8080, Method.NAT, 0),
    )
    assert kernel.asked == [SO_GET_INFO, SO_GET_SERVICES, SO_GET_DESTS]


def test_a_service_without_real_servers_is_answered() -> None:
    assert read(FakeKernel([service_entry(6, VIP, PORT, 0, 0)], b"")) == ()


def test_firewall_mark_services_are_found_by_mark() -> None:
    kernel = FakeKernel([service_entry(0, bytes(4), bytes(2), 21, 1)], entry("198.51.100.5", 0, 3))
    assert read(kernel, fwmark=21) == (IpvsDest(ip_address("198.51.100.5"), 0, Method.DIRECT),)


@pytest.mark.parametrize("dests", [
    pytest.param(entry("198.51.100.2", 80), id="fewer than counted: a real server of the other family"),
    pytest.param(lambda room: b"".join(entry(f"198.51.100.{n}", 80) for n in range(2, 2 + room)), id="more than counted"),
    pytest.param(entry("198.51.100.2", 80) + entry("198.51.100.3", 80, flags=2), id="tunnelled: parameters only netlink has"),
])
def test_what_it_cannot_vouch_for_is_left_to_netlink(dests: bytes | Callable[[int], bytes]) -> None:
    assert read(FakeKernel([service_entry(6, VIP, PORT, 0, 2)], dests)) is None


def test_a_service_it_never_listed_is_left_to_netlink() -> None:
    kernel = FakeKernel([service_entry(17, VIP, PORT, 0, 1)], entry("198.51.100.2", 80))
    assert read(kernel) is None  # TCP asked, only UDP listed (or an IPv6 service)
    assert SO_GET_DESTS not in kernel.asked


def test_a_service_gone_meanwhile_is_left_to_netlink() -> None:
    assert read(FakeKernel([service_entry(6, VIP, PORT, 0, 1)], None, fail=errno.ESRCH)) is None


def test_an_unknown_forwarding_method_is_left_to_netlink() -> None:
    assert read(FakeKernel([service_entry(6, VIP, PORT, 0, 1)], entry("198.51.100.2", 80, flags=5))) is None


def test_without_the_interface_there_is_no_fast_path(monkeypatch: pytest.MonkeyPatch) -> None:
    def refused(*_: object) -> socket.socket:
        raise PermissionError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(ipvs_sockopt.socket, "socket", refused)
    assert DestTable.open() is None


@pytest.mark.parametrize("make", [
    pytest.param(lambda: make_dest(bytes(4), 80, 4, 1, 0, 0, 0, 0, 0), id="forwarding method 4 (bypass)"),
    pytest.param(lambda: make_service(2, 1, bytes(4), 80, 0, "rr", 0, 0, b"\xff" * 4, None), id="protocol 1 (ICMP)"),
])
def test_numbers_the_model_has_no_name_for_are_refused_in_one_line(make: Callable[[], object]) -> None:
    with pytest.raises(ProbeError, match=r"^IPVS: the kernel reports (forwarding method 4|service protocol 1), which lvscc does not know$"):
        make()
