"""Real servers of IPv4 services through IPVS's older control interface, getsockopt(IP_VS_SO_GET_*)
on a raw IPv4 socket, which ipvsadm itself falls back to without generic netlink.

Why: an audit cannot avoid one request per service, because every real server's thresholds
(-x/-y) are kept nowhere else: /proc/net/ip_vs prints no thresholds, no tunnel parameters, no
scheduler flags, no persistence engine, no family of a firewall-mark service, no one-packet flag
of an IPv6 service, and persistence in jiffies (ip_vs_info_seq_show in ip_vs_ctl.c); reading it
also restarts the walk over the services at every page (seq_file): 1.5 s of kernel time for a
5000x20 table under TCG. A generic-netlink dump per service costs a request, a reply of about 35
attributes per real server and a closing NLMSG_DONE; one getsockopt(IP_VS_SO_GET_DESTS) returns
the service's real servers as fixed structs in one system call. Figures: benchmarks/README.md.

What this interface cannot show is left to generic netlink (lvscc/probes/ipvs_netlink.py), which
also reads every service: IPv6 services (never listed here), tunnel parameters (so a service
with a tunnelled real server), and real servers of the other family (skipped here, which the
count from IP_VS_SO_GET_SERVICES reveals). A reading is used only when it holds exactly the
count of real servers that listing gave, with room for one more, so a table changed in between
falls back to netlink rather than being cut short.

Structures: include/uapi/linux/ip_vs.h (struct ip_vs_getinfo, ip_vs_get_services,
ip_vs_service_entry, ip_vs_get_dests, ip_vs_dest_entry); filled by do_ip_vs_get_ctl,
__ip_vs_get_service_entries and __ip_vs_get_dest_entries in net/netfilter/ipvs/ip_vs_ctl.c."""

from __future__ import annotations

import ctypes
import socket
import struct
from collections.abc import Callable
from operator import itemgetter
from typing import Any

from lvscc.model.state import IpvsDest

# IP_VS_BASE_CTL = 64 + 1024 + 64
SO_GET_INFO, SO_GET_SERVICES, SO_GET_DESTS = 1153, 1154, 1156
_INFO = struct.Struct("=III")  # version, size, num_services
_SERVICES_HEADER = 8  # num_services, then 8-byte aligned entries
# protocol, addr, port, fwmark, sched_name, flags, timeout, netmask, num_dests, stats
_SERVICE_ENTRY = struct.Struct("=H2x4s2s2xI16xIII" + "I56x")
_DESTS_HEADER = struct.Struct("=H2x4s2s2xII4x")  # protocol, addr, port, fwmark, num_dests
# addr, port, conn_flags, weight, u_threshold, l_threshold; then the counters and statistics
_DEST_ENTRY = struct.Struct("=4s2s2xIiII72x")
_EMPTY = b"\0\0\0\0"  # no real server has address 0.0.0.0 (the kernel takes unicast ones only)
_PLAIN = (0, 1, 3)  # IP_VS_CONN_F_MASQ, _LOCALNODE, _DROUTE: nothing to them beyond this struct

ServiceId = tuple  # ("fwmark", mark) or (protocol, address bytes, port bytes)
Make = Callable[..., IpvsDest]


class DestTable:
    """One raw socket; `dests` answers for an IPv4 service or returns None (ask netlink)."""

    def __init__(self, raw: socket.socket, getsockopt: Any, counts: dict[ServiceId, int]) -> None:
        self._raw, self._getsockopt, self._counts = raw, getsockopt, counts
        self._made: dict[bytes, tuple[tuple, IpvsDest]] = {}  # each distinct real server built once

    @classmethod
    def open(cls) -> DestTable | None:
        """None when the interface is not there or not allowed (no CAP_NET_RAW/CAP_NET_ADMIN,
        no ip_vs): netlink then reads everything and reports what is wrong."""
        try:
            raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
        except OSError:
            return None
        getsockopt = ctypes.CDLL(None, use_errno=True).getsockopt
        getsockopt.argtypes = (ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_void_p, ctypes.POINTER(ctypes.c_uint))
        table = cls(raw, getsockopt, {})
        try:
            table._counts = table._services()
        except OSError:
            raw.close()
            return None
        return table

    def close(self) -> None:
        self._raw.close()

    def _get(self, option: int, buffer: ctypes.Array[ctypes.c_char]) -> None:
        size = ctypes.c_uint(len(buffer))
        if self._getsockopt(self._raw.fileno(), socket.IPPROTO_IP, option, buffer, ctypes.byref(size)) != 0:
            error = ctypes.get_errno()
            raise OSError(error, f"getsockopt IPVS {option}: errno {error}")

    def _services(self) -> dict[ServiceId, int]:
        """Each IPv4 service's number of real servers (of either family)."""
        info = ctypes.create_string_buffer(_INFO.size)
        self._get(SO_GET_INFO, info)
        count = _INFO.unpack(info.raw)[2]
        buffer = ctypes.create_string_buffer(_SERVICES_HEADER + count * _SERVICE_ENTRY.size)
        struct.pack_into("=I", buffer, 0, count)
        self._get(SO_GET_SERVICES, buffer)
        found: dict[ServiceId, int] = {}
        for protocol, address, port, fwmark, _flags, _timeout, _netmask, dests in \
                _SERVICE_ENTRY.iter_unpack(buffer.raw[_SERVICES_HEADER:]):
            if protocol or fwmark:  # entries past the IPv4 services stay zero
                found[service_id(protocol, address, port, fwmark)] = dests
        return found

    def dests(self, protocol: int, address: bytes, port: bytes, fwmark: int, make: Make) -> tuple[IpvsDest, ...] | None:
        """The real servers of an IPv4 service in ipvsadm-save order, built by make(address, port,
        forwarding, weight, upper, lower, tun_type, tun_port, tun_flags); None when this
        interface cannot tell them all."""
        expected = self._counts.get(service_id(protocol, address, port, fwmark))
        if expected is None:
            return None
        room = expected + 1
        buffer = ctypes.create_string_buffer(_DESTS_HEADER.size + room * _DEST_ENTRY.size)
        _DESTS_HEADER.pack_into(buffer, 0, protocol, address, port, fwmark, room)
        try:
            self._get(SO_GET_DESTS, buffer)
        except OSError:
            return None  # the service went away meanwhile: netlink says what is there now
        data = buffer.raw
        size = _DEST_ENTRY.size
        start = _DESTS_HEADER.size
        if data[start + expected * size:start + expected * size + 4] != _EMPTY:
            return None  # more than counted: the table changed
        found = []
        for offset in range(start, start + expected * size, size):
            key = data[offset:offset + 24]
            entry = self._made.get(key)
            if entry is None:
                address_, port_, flags, weight, upper, lower = _DEST_ENTRY.unpack_from(data, offset)
                if address_ == _EMPTY or flags & 7 not in _PLAIN:
                    return None  # fewer than counted (other family, or removed), or tunnel parameters
                dest = make(address_, int.from_bytes(port_, "big"), flags, weight, upper, lower, 0, 0, 0)
                entry = self._made[key] = (dest.sort_key, dest)
            found.append(entry)
        found.sort(key=itemgetter(0))
        return tuple(map(itemgetter(1), found))


def service_id(protocol: int, address: bytes, port: bytes, fwmark: int) -> ServiceId:
    return ("fwmark", fwmark) if fwmark else (protocol, address, port)

