"""The kernel's IPVS table over generic netlink, with the standard library alone.

pyroute2 decodes every attribute of every message into generic objects (statistics included),
which costs about 1.6 ms a message under qemu TCG: 190 s for a 5000-service table with 20 real
servers each, and importing it costs about 250 ms (over 300 modules) before the first
message. This reader is about 50 times faster on the same table, so it is the one lvscc runs;
pyroute2 stays a test dependency, as the independent decoder the kernel tests cross-check this
reader against (tests/kernel/test_ipvs_reader.py). This reader decodes only what lvscc models: services by one walk over their
attributes, real servers by a struct learnt from the first message (the kernel writes their
attributes in a fixed order), checked message by message, so a whole reply is read in C. Each
distinct real server is built once per dump, since big tables put the same real server behind
many services. The real servers of IPv4 services are read by getsockopt where it can tell them
all, one system call a service (lvscc/probes/ipvs_sockopt.py); this reader reads the rest.

Wire format: include/uapi/linux/ip_vs.h, include/uapi/linux/genetlink.h and
include/uapi/linux/netlink.h; what the kernel sends: ip_vs_genl_fill_service and
ip_vs_genl_fill_dest in net/netfilter/ipvs/ip_vs_ctl.c."""

from __future__ import annotations

import errno
import os
import socket
import struct
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from ipaddress import IPv4Address, ip_address
from operator import itemgetter
from typing import TypeVar

from lvscc.model.config import Method, Protocol, TunnelType
from lvscc.model.state import IpvsDest, IpvsService
from lvscc.probes import ProbeError
from lvscc.probes.ipvs_sockopt import DestTable
from lvscc.syntax.ipvsadm import HOST_NETMASKS

# netlink.h / genetlink.h (the socket module names no NETLINK_GENERIC)
NETLINK_GENERIC = 16
NLMSG_ERROR, NLMSG_DONE = 2, 3
NLM_F_REQUEST, NLM_F_DUMP = 0x1, 0x300
NLA_TYPE_MASK = 0x3FFF  # without NLA_F_NESTED and NLA_F_NET_BYTEORDER
GENL_ID_CTRL, CTRL_CMD_GETFAMILY, CTRL_ATTR_FAMILY_ID, CTRL_ATTR_FAMILY_NAME = 0x10, 3, 1, 2

# ip_vs.h
IPVS_GENL_NAME, IPVS_GENL_VERSION = b"IPVS", 1
IPVS_CMD_GET_SERVICE, IPVS_CMD_GET_DEST = 4, 8
IPVS_CMD_ATTR_SERVICE, IPVS_CMD_ATTR_DEST = 1, 2
SVC_AF, SVC_PROTOCOL, SVC_ADDR, SVC_PORT, SVC_FWMARK = 1, 2, 3, 4, 5
SVC_SCHED_NAME, SVC_FLAGS, SVC_TIMEOUT, SVC_NETMASK, SVC_PE_NAME = 6, 7, 8, 9, 11
SVC_IDENTITY = (SVC_AF, SVC_PROTOCOL, SVC_ADDR, SVC_PORT, SVC_FWMARK)  # what IPVS_CMD_GET_DEST looks a service up by
DEST_ADDR, DEST_PORT, DEST_FWD_METHOD, DEST_WEIGHT, DEST_U_THRESH, DEST_L_THRESH = 1, 2, 3, 4, 5, 6
DEST_ADDR_FAMILY, DEST_TUN_TYPE, DEST_TUN_PORT, DEST_TUN_FLAGS = 11, 13, 14, 15
# Everything an IpvsDest is made of; the counters and statistics are left out, so two real
# servers alike in these bytes are one IpvsDest.
DEST_MODELLED = (DEST_ADDR, DEST_PORT, DEST_FWD_METHOD, DEST_WEIGHT, DEST_U_THRESH, DEST_L_THRESH,
                 DEST_ADDR_FAMILY, DEST_TUN_TYPE, DEST_TUN_PORT, DEST_TUN_FLAGS)
SVC_F_PERSISTENT, SVC_F_ONEPACKET = 0x1, 0x4  # 0x2 (HASHED) is kernel-internal and never modelled
SVC_F_SCHED = (0x8, 0x10, 0x20)
SCHED_FLAG_NAMES = {"sh": ("sh-fallback", "sh-port"), "mh": ("mh-fallback", "mh-port")}
FWD_METHODS = {0: Method.NAT, 1: Method.DIRECT, 2: Method.TUNNEL, 3: Method.DIRECT}  # 1 = local node, saved as -g
TUN_TYPES = {0: TunnelType.IPIP, 1: TunnelType.GUE, 2: TunnelType.GRE}
TUN_CSUM = {0: "nocsum", 1: "csum", 2: "remcsum"}
PROTOCOLS = {6: Protocol.TCP, 17: Protocol.UDP, 132: Protocol.SCTP}
AF_INET6 = 10

_NLMSGHDR = struct.Struct("=IHHII")
_GENLMSGHDR = struct.Struct("=BBH")
_NLA = struct.Struct("=HH")
_U16 = struct.Struct("=H")
_U32 = struct.Struct("=I")
_BE16 = struct.Struct("!H")
_HEADERS = _NLMSGHDR.size + _GENLMSGHDR.size
# A dump reply is one skb of at most 32 KiB (netlink caps max_recvmsg_len there); room to spare.
_RECEIVE = 1 << 18
_SOCKET_BUFFER = 1 << 22
_HOST_MASK = b"\xff" * 4
_NO_ADDRESS = bytes(4)


T = TypeVar("T")


class IpvsUnavailable(ProbeError):
    """The kernel has no IPVS generic-netlink family: ip_vs is not loaded or not built."""


def _attributes(data: bytes, offset: int, end: int) -> dict[int, bytes]:
    found: dict[int, bytes] = {}
    while offset + 4 <= end:
        length, kind = _NLA.unpack_from(data, offset)
        if length < 4:
            break
        found[kind & NLA_TYPE_MASK] = data[offset + 4 : offset + length]
        offset += (length + 3) & ~3
    return found


def _attribute(kind: int, value: bytes) -> bytes:
    padding = b"\0" * (-len(value) % 4)
    return _NLA.pack(4 + len(value), kind) + value + padding


def _u16(value: bytes | None, default: int = 0) -> int:
    return default if value is None else _U16.unpack_from(value)[0]


def _u32(value: bytes | None, default: int = 0) -> int:
    return default if value is None else _U32.unpack_from(value)[0]


def _be16(value: bytes | None) -> int:
    return 0 if value is None else _BE16.unpack_from(value)[0]


def _text(value: bytes | None) -> str | None:
    return None if value is None else value.split(b"\0", 1)[0].decode()


def _address(value: bytes, family: int) -> bytes:
    """An nf_inet_addr union is 16 bytes whatever the family; IPv4 uses the first 4."""
    return value[:16] if family == AF_INET6 else value[:4]


def scheduler_flags(scheduler: str, flags: int) -> tuple[str, ...]:
    """The SCHED1..3 bits by the names ipvsadm gives them (lvscc.lower.director.scheduler_flags)."""
    names = SCHED_FLAG_NAMES.get(scheduler, ("flag-1", "flag-2")) + ("flag-3",)
    return tuple(sorted(name for bit, name in zip(SVC_F_SCHED, names) if flags & bit))


def _known(names: dict[int, T], number: int, what: str) -> T:
    """The model's name for a number the kernel sent: one the model has no name for is refused,
    not guessed (the kernel is trusted no more than a dump file)."""
    try:
        return names[number]
    except KeyError:
        raise ProbeError(f"IPVS: the kernel reports {what} {number}, which lvscc does not know") from None


def make_service(af: int, protocol: int, address: bytes | str | None, port: int, fwmark: int, scheduler: str,
                 flags: int, timeout: int, netmask: bytes, pe: str | None,
                 dests: tuple[IpvsDest, ...] = ()) -> IpvsService:
    """An IpvsService from the values of the kernel's attributes, whoever decoded them."""
    family = 6 if af == AF_INET6 else 4
    persistent = bool(flags & SVC_F_PERSISTENT)
    # NETMASK is a be32 mask for IPv4, but for IPv6 the kernel keeps the prefix length that
    # ipvsadm wrote in host order (nla_put_u32) and sends it back as it is.
    mask = str(int.from_bytes(netmask, sys.byteorder)) if family == 6 else str(IPv4Address(netmask))
    return IpvsService(
        family=family,
        protocol=None if fwmark else _known(PROTOCOLS, protocol, "service protocol"),
        address=None if fwmark else ip_address(address),
        port=0 if fwmark else port,
        fwmark=fwmark,
        scheduler=scheduler,
        flags=scheduler_flags(scheduler, flags),
        persistence=timeout if persistent else None,
        netmask=None if not persistent or mask in HOST_NETMASKS else mask,
        pe=pe or None,
        ops=bool(flags & SVC_F_ONEPACKET),
        dests=dests,
    )


def make_dest(address: bytes | str, port: int, forwarding: int, weight: int, upper: int, lower: int,
              tun_type: int, tun_port: int, tun_flags: int) -> IpvsDest:
    """An IpvsDest from the values of the kernel's attributes; tun_port in host order."""
    # the upper bits are kernel-internal (IP_VS_CONN_F_FWD_MASK)
    method = _known(FWD_METHODS, forwarding & 7, "forwarding method")
    tunnel = TUN_TYPES.get(tun_type) if method is Method.TUNNEL else None
    return IpvsDest(
        address=ip_address(address),
        port=port,
        method=method,
        weight=weight,
        upper=upper,
        lower=lower,
        tun_type=tunnel,
        tun_port=tun_port if tunnel is TunnelType.GUE else None,
        tun_csum=TUN_CSUM.get(tun_flags & 3) if tunnel in (TunnelType.GUE, TunnelType.GRE) else None,
    )


def _service(svc: dict[int, bytes], dests: tuple[IpvsDest, ...]) -> IpvsService:
    af = _u16(svc.get(SVC_AF))
    flags = _u32(svc.get(SVC_FLAGS))  # struct ip_vs_flags: flags, then mask
    return make_service(
        af=af,
        protocol=_u16(svc.get(SVC_PROTOCOL)),
        address=_address(svc[SVC_ADDR], af) if SVC_ADDR in svc else None,
        port=_be16(svc.get(SVC_PORT)),
        fwmark=_u32(svc.get(SVC_FWMARK)),
        scheduler=_text(svc.get(SVC_SCHED_NAME)) or "wlc",
        flags=flags,
        timeout=_u32(svc.get(SVC_TIMEOUT)),
        netmask=svc.get(SVC_NETMASK, _HOST_MASK),
        pe=_text(svc.get(SVC_PE_NAME)),
        dests=dests,
    )


def _dest(dst: dict[int, bytes], service_af: int) -> IpvsDest:
    return make_dest(
        address=_address(dst[DEST_ADDR], _u16(dst.get(DEST_ADDR_FAMILY), service_af)),
        port=_be16(dst.get(DEST_PORT)),
        forwarding=_u32(dst.get(DEST_FWD_METHOD)),
        weight=_u32(dst.get(DEST_WEIGHT)),
        upper=_u32(dst.get(DEST_U_THRESH)),
        lower=_u32(dst.get(DEST_L_THRESH)),
        tun_type=dst[DEST_TUN_TYPE][0] if DEST_TUN_TYPE in dst else 0,
        tun_port=_be16(dst.get(DEST_TUN_PORT)),  # network byte order on the wire
        tun_flags=_u16(dst.get(DEST_TUN_FLAGS)),
    )


class IpvsReader:
    """One generic-netlink socket in the caller's network namespace (opened on creation)."""

    def __init__(self) -> None:
        try:
            self._socket = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_GENERIC)
        except OSError as error:
            raise ProbeError(f"cannot open a generic netlink socket: {error.strerror}") from error
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, _SOCKET_BUFFER)
        self._buffer = bytearray(_RECEIVE)
        self._view = memoryview(self._buffer)
        self._sequence = 0
        self.via_sockopt = 0  # services whose real servers the last services() read by getsockopt
        try:
            self._family = self._resolve()
        except ProbeError:
            self._socket.close()
            raise

    def __enter__(self) -> IpvsReader:
        return self

    def __exit__(self, *_: object) -> None:
        self._socket.close()

    def _resolve(self) -> int:
        name = _attribute(CTRL_ATTR_FAMILY_NAME, IPVS_GENL_NAME + b"\0")
        try:
            (data, start, end), = self._request(GENL_ID_CTRL, CTRL_CMD_GETFAMILY, NLM_F_REQUEST, name, version=1)
        except ProbeError as error:
            if isinstance(error.__cause__, OSError) and error.__cause__.errno == errno.ENOENT:
                raise IpvsUnavailable("the kernel has no IPVS generic netlink family (ip_vs is not loaded)") from error
            raise
        return _u16(_attributes(data, start, end).get(CTRL_ATTR_FAMILY_ID))

    def _send(self, family: int, command: int, flags: int, payload: bytes, version: int = IPVS_GENL_VERSION) -> int:
        self._sequence += 1
        header = _NLMSGHDR.pack(_HEADERS + len(payload), family, flags, self._sequence, 0)
        self._socket.send(header + _GENLMSGHDR.pack(command, version, 0) + payload)
        return self._sequence

    def _receive(self) -> bytes:
        size = self._socket.recv_into(self._buffer, _RECEIVE, socket.MSG_TRUNC)
        if size > _RECEIVE:
            raise OSError(errno.EMSGSIZE, f"a netlink reply of {size} bytes overflows the {_RECEIVE}-byte buffer")
        return bytes(self._view[:size])

    def _request(self, family: int, command: int, flags: int, payload: bytes,
                 version: int = IPVS_GENL_VERSION) -> list[tuple[bytes, int, int]]:
        """Every reply to one request as (buffer, start, end) of its attributes."""
        with _as_probe_error():
            sequence = self._send(family, command, flags, payload, version)
            replies: list[tuple[bytes, int, int]] = []
            while not _messages(self._receive(), sequence, replies):
                if replies and not flags & NLM_F_DUMP:
                    break
            return replies

    def _dests(self, svc: dict[int, bytes], dests: _Dests) -> tuple[IpvsDest, ...]:
        identity = _identity(svc)
        af = _u16(svc.get(SVC_AF))
        found: list[tuple[tuple, IpvsDest]] = []
        with _as_probe_error():
            sequence = self._send(self._family, IPVS_CMD_GET_DEST, NLM_F_REQUEST | NLM_F_DUMP,
                                  _attribute(IPVS_CMD_ATTR_SERVICE, identity))
            while True:
                data = self._receive()
                if dests.read_all(data, sequence, af, found):
                    continue
                replies: list[tuple[bytes, int, int]] = []
                done = _messages(data, sequence, replies)
                dests.read_each(replies, sequence, af, found)
                if done:
                    break
        found.sort(key=itemgetter(0))
        return tuple(map(itemgetter(1), found))

    def dest_attributes(self) -> Iterator[tuple[IpvsService, IpvsDest, dict[int, bytes]]]:
        """Every real server with its service (without dests) and all the attributes the kernel
        sent for it, counters and statistics included (IPVS_DEST_ATTR_*, nested ones as bytes
        for `nested`): the hook for readers of what the auditor leaves out (lvscc/serve/stats.py)."""
        replies = self._request(self._family, IPVS_CMD_GET_SERVICE, NLM_F_REQUEST | NLM_F_DUMP, b"")
        for svc in _nested(replies, IPVS_CMD_ATTR_SERVICE):
            service, af = _service(svc, ()), _u16(svc.get(SVC_AF))
            for dst in _nested(self._request(self._family, IPVS_CMD_GET_DEST, NLM_F_REQUEST | NLM_F_DUMP,
                                             _attribute(IPVS_CMD_ATTR_SERVICE, _identity(svc))), IPVS_CMD_ATTR_DEST):
                yield service, _dest(dst, af), dst

    def services(self, sockopt: bool = True) -> tuple[IpvsService, ...]:
        """The whole table, sorted as ipvsadm-save prints it. Every service comes from one
        netlink dump; with `sockopt`, the real servers of IPv4 services come from
        getsockopt where it can tell them all (lvscc/probes/ipvs_sockopt.py), one system call
        each instead of a netlink dump each, and from netlink otherwise."""
        replies = self._request(self._family, IPVS_CMD_GET_SERVICE, NLM_F_REQUEST | NLM_F_DUMP, b"")
        svcs = _nested(replies, IPVS_CMD_ATTR_SERVICE)
        dests = _Dests()
        fast = DestTable.open() if sockopt and svcs else None
        self.via_sockopt = 0
        try:
            found = [_service(svc, self._dests_of(svc, dests, fast)) for svc in svcs]
        finally:
            if fast is not None:
                fast.close()
        return tuple(sorted(found, key=lambda s: s.sort_key))

    def _dests_of(self, svc: dict[int, bytes], dests: _Dests, fast: DestTable | None) -> tuple[IpvsDest, ...]:
        if fast is not None and _u16(svc.get(SVC_AF)) == socket.AF_INET:
            found = fast.dests(_u16(svc.get(SVC_PROTOCOL)), svc.get(SVC_ADDR, _NO_ADDRESS)[:4], svc.get(SVC_PORT, b"\0\0"),
                               _u32(svc.get(SVC_FWMARK)), make_dest)
            if found is not None:
                self.via_sockopt += 1
                return found
        return self._dests(svc, dests)


def _identity(svc: dict[int, bytes]) -> bytes:
    """The attributes IPVS_CMD_GET_DEST finds a service by."""
    return b"".join(_attribute(k, svc[k]) for k in SVC_IDENTITY if k in svc)


def nested(value: bytes) -> dict[int, bytes]:
    """The attributes nested in one attribute's value, by type."""
    return _attributes(value, 0, len(value))


def _nested(replies: list[tuple[bytes, int, int]], kind: int) -> list[dict[int, bytes]]:
    """The attributes nested in each reply's top-level attribute `kind`."""
    found = []
    for data, start, end in replies:
        outer = _attributes(data, start, end).get(kind)
        if outer is not None:
            found.append(_attributes(outer, 0, len(outer)))
    return found


@contextmanager
def _as_probe_error() -> Iterator[None]:
    try:
        yield
    except OSError as error:
        if error.errno == errno.EPERM:
            raise ProbeError("reading IPVS over generic netlink needs CAP_NET_ADMIN (run as root)") from error
        raise ProbeError(f"IPVS over generic netlink: {error.strerror or error}") from error


def _messages(data: bytes, sequence: int, replies: list[tuple[bytes, int, int]]) -> bool:
    """Add the replies to `sequence` in `data` as (buffer, start, end) of their attributes; True
    once the reply is complete. A netlink error raises OSError."""
    offset, size = 0, len(data)
    while offset + _NLMSGHDR.size <= size:
        length, kind, _, seq, _ = _NLMSGHDR.unpack_from(data, offset)
        if length < _NLMSGHDR.size:
            raise OSError(errno.EPROTO, "malformed netlink message")
        if seq == sequence:
            if kind == NLMSG_DONE:
                return True
            if kind == NLMSG_ERROR:
                code = -struct.unpack_from("=i", data, offset + _NLMSGHDR.size)[0]
                if code:
                    raise OSError(code, os.strerror(code))
                return True
            replies.append((data, offset + _HEADERS, offset + length))
        offset += (length + 3) & ~3
    return False


_HEADER, _SEQUENCE, _VALUE = range(3)


@dataclass(frozen=True, eq=False)
class _Layout:
    """Where a dest message of one length keeps its fields. ip_vs_genl_fill_dest writes the
    attributes in a fixed order, so one struct reads a whole message: the headers (lengths,
    types, sequence number) are compared with those of the message the layout was learnt from
    before any value is trusted, and a reply made only of such messages is read in one pass."""

    message: struct.Struct
    headers: Callable[[tuple], tuple]  # the sequence number last
    expected: tuple[int, ...]  # the headers but the sequence number
    values: Callable[[tuple], tuple]
    kinds: tuple[int, ...]  # of the values, in order

    @classmethod
    def walk(cls, data: bytes, offset: int, end: int) -> _Layout:
        """Learn the layout of the message at data[offset:end]."""
        length, kind = _U32.unpack_from(data, offset)[0], _U16.unpack_from(data, offset + 4)[0]
        fields = [(0, "I", _HEADER, length), (4, "H", _HEADER, kind), (8, "I", _SEQUENCE, 0)]
        outer, outer_kind = _NLA.unpack_from(data, offset + _HEADERS)
        if outer_kind & NLA_TYPE_MASK != IPVS_CMD_ATTR_DEST:
            raise OSError(errno.EPROTO, f"a dest reply carries attribute {outer_kind}, not IPVS_CMD_ATTR_DEST")
        fields += [(_HEADERS, "H", _HEADER, outer), (_HEADERS + 2, "H", _HEADER, outer_kind)]
        at, end = _HEADERS + 4, min(end - offset, _HEADERS + outer)
        while at + 4 <= end:
            size, kind = _NLA.unpack_from(data, offset + at)
            if size < 4:
                break
            fields += [(at, "H", _HEADER, size), (at + 2, "H", _HEADER, kind)]
            if kind & NLA_TYPE_MASK in DEST_MODELLED:
                fields.append((at + 4, f"{size - 4}s", _VALUE, kind & NLA_TYPE_MASK))
            at += (size + 3) & ~3
        return cls.of(fields, (length + 3) & ~3)

    @classmethod
    def of(cls, fields: list[tuple[int, str, int, int]], size: int) -> _Layout:
        codes, at = ["="], 0
        for position, code, _, _ in fields:
            codes.append(_gap(at, position) + code)
            at = position + struct.calcsize("=" + code)
        codes.append(_gap(at, size))
        headers = [i for i, f in enumerate(fields) if f[2] == _HEADER]
        values = [i for i, f in enumerate(fields) if f[2] == _VALUE]
        if len(values) < 2:
            raise OSError(errno.EPROTO, "a dest reply without address and port")
        return cls(
            message=struct.Struct("".join(codes)),
            headers=itemgetter(*headers, 2),
            expected=tuple(fields[i][3] for i in headers),
            values=itemgetter(*values),
            kinds=tuple(fields[i][3] for i in values),
        )


def _gap(at: int, offset: int) -> str:
    return f"{offset - at}x" if offset > at else ""


class _Dests:
    """Real servers of every service, each distinct one built once per dump: big tables put the
    same real server behind many services. Entries are (sort key, IpvsDest)."""

    def __init__(self) -> None:
        self._layouts: dict[int, _Layout] = {}
        self._made: dict[tuple[_Layout, int], dict[tuple[bytes, ...], tuple[tuple, IpvsDest]]] = {}

    def read_all(self, data: bytes, sequence: int, af: int, found: list[tuple[tuple, IpvsDest]]) -> bool:
        """Read `data` in one pass if it holds only dest messages of one known layout."""
        layout = self._layouts.get(_U32.unpack_from(data)[0] if len(data) >= 4 else 0)
        if layout is None or len(data) % layout.message.size:
            return False
        rows = list(layout.message.iter_unpack(data))
        if set(map(layout.headers, rows)) != {(*layout.expected, sequence)}:
            return False
        found += self._entries(layout, af, list(map(layout.values, rows)))
        return True

    def read_each(self, replies: list[tuple[bytes, int, int]], sequence: int, af: int,
                  found: list[tuple[tuple, IpvsDest]]) -> None:
        for data, start, end in replies:
            offset = start - _HEADERS
            layout = self._layouts.get(end - offset)
            if layout is None or layout.headers(layout.message.unpack_from(data, offset)) != (*layout.expected, sequence):
                layout = self._layouts[end - offset] = _Layout.walk(data, offset, end)
            found += self._entries(layout, af, [layout.values(layout.message.unpack_from(data, offset))])

    def _entries(self, layout: _Layout, af: int, keys: list[tuple[bytes, ...]]) -> list[tuple[tuple, IpvsDest]]:
        made = self._made.setdefault((layout, af), {})
        entries = list(map(made.get, keys))
        if None in entries:
            for i, key in enumerate(keys):
                if entries[i] is None:
                    dest = _dest(dict(zip(layout.kinds, key)), af)
                    entries[i] = made[key] = (dest.sort_key, dest)
        return entries  # type: ignore[return-value]


def read_ipvs() -> tuple[IpvsService, ...]:
    """The IPVS table of the caller's network namespace. Raises IpvsUnavailable without IPVS and
    ProbeError when the kernel refuses (EPERM without CAP_NET_ADMIN) or the socket fails."""
    with IpvsReader() as reader:
        return reader.services()
