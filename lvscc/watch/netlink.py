"""Kernel change notifications over netlink: address changes (rtnetlink) and nftables ruleset
changes (the NFNLGRP_NFTABLES multicast group `nft monitor` listens to). IPVS sends none, so
the loop polls it.

Plain stdlib sockets, not pyroute2: pyroute2 0.9's IPRoute reads its socket through its own
buffer, so after one get() the descriptor no longer turns readable for messages it already
holds and a selectors loop misses them. Only a few header fields are decoded here; every
message is otherwise just a reason to audit again."""

from __future__ import annotations

import errno
import socket
import struct
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv6Address

from lvscc.model.config import IPAddress

NETLINK_ROUTE, NETLINK_NETFILTER = 0, 12
RTMGRP_IPV4_IFADDR, RTMGRP_IPV6_IFADDR = 0x10, 0x100
NFNLGRP_NFTABLES = 7
SOL_NETLINK, NETLINK_ADD_MEMBERSHIP = 270, 1
RTM_NEWADDR, RTM_DELADDR = 20, 21
IFA_ADDRESS, IFA_LOCAL, IFA_LABEL = 1, 2, 3
NFNL_SUBSYS_NFTABLES = 10
RECEIVE_BUFFER = 1 << 20  # a large `nft -f` is thousands of messages
DATAGRAM = 1 << 16  # one multicast notification is one message, far smaller

_NLMSGHDR = struct.Struct("=IHHII")  # len, type, flags, seq, pid
_IFADDRMSG = struct.Struct("=BBBBI")  # family, prefixlen, flags, scope, index
_RTATTR = struct.Struct("=HH")  # len, type


def _align(n: int) -> int:
    return (n + 3) & ~3


def messages(datagram: bytes) -> list[tuple[int, bytes]]:
    """(type, payload) of every netlink message in one datagram."""
    found: list[tuple[int, bytes]] = []
    offset = 0
    while offset + _NLMSGHDR.size <= len(datagram):
        length, kind, _flags, _seq, _pid = _NLMSGHDR.unpack_from(datagram, offset)
        if length < _NLMSGHDR.size:
            break  # malformed: never loop on it
        found.append((kind, datagram[offset + _NLMSGHDR.size: offset + length]))
        offset += _align(length)
    return found


@dataclass(frozen=True)
class AddressChange:
    index: int  # interface index
    label: str | None  # IPv4 only: "eth0:2"
    address: IPAddress | None


def _attributes(payload: bytes) -> dict[int, bytes]:
    found: dict[int, bytes] = {}
    offset = 0
    while offset + _RTATTR.size <= len(payload):
        length, kind = _RTATTR.unpack_from(payload, offset)
        if length < _RTATTR.size:
            break
        found[kind] = payload[offset + _RTATTR.size: offset + length]
        offset += _align(length)
    return found


def _address(raw: bytes | None) -> IPAddress | None:
    if raw is None or len(raw) not in (4, 16):
        return None
    return IPv4Address(raw) if len(raw) == 4 else IPv6Address(raw)


def address_changes(datagram: bytes) -> list[AddressChange]:
    changes: list[AddressChange] = []
    for kind, payload in messages(datagram):
        if kind not in (RTM_NEWADDR, RTM_DELADDR) or len(payload) < _IFADDRMSG.size:
            continue
        index = _IFADDRMSG.unpack_from(payload)[4]
        attrs = _attributes(payload[_IFADDRMSG.size:])
        label = attrs[IFA_LABEL].split(b"\0", 1)[0].decode(errors="replace") if IFA_LABEL in attrs else None
        # IFA_LOCAL is the address itself; IFA_ADDRESS is the peer on a point-to-point link.
        changes.append(AddressChange(index, label, _address(attrs.get(IFA_LOCAL, attrs.get(IFA_ADDRESS)))))
    return changes


def nftables_changed(datagram: bytes) -> bool:
    return any(kind >> 8 == NFNL_SUBSYS_NFTABLES for kind, _ in messages(datagram))


def link_of(change: AddressChange) -> str | None:
    """The device an address change is on; None when it is already gone."""
    if change.label:
        return change.label.split(":", 1)[0]
    try:
        return socket.if_indextoname(change.index)
    except OSError:
        return None


def address_matters(change: AddressChange, link: str | None, links: frozenset[str], vips: frozenset[IPAddress]) -> bool:
    """Whether an address change can alter the audit: one on the director's own devices, any
    change of a VIP wherever it lands, and any change we cannot place."""
    return link is None or link in links or change.address is None or change.address in vips


class Subscription:
    """One netlink socket joined to one multicast group; `read` drains it."""

    def __init__(self, name: str, protocol: int, groups: int = 0, group: int | None = None,
                 buffer: int = RECEIVE_BUFFER) -> None:
        self.name = name
        self._socket = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW | socket.SOCK_NONBLOCK | socket.SOCK_CLOEXEC, protocol)
        try:
            self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, buffer)
            self._socket.bind((0, groups))
            if group is not None:
                self._socket.setsockopt(SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, group)
        except OSError:
            self._socket.close()
            raise

    def fileno(self) -> int:
        return self._socket.fileno()

    def read(self) -> tuple[list[bytes], bool]:
        """(datagrams, overrun): an overrun (ENOBUFS) means notifications were dropped."""
        datagrams: list[bytes] = []
        while True:
            try:
                datagrams.append(self._socket.recv(DATAGRAM))
            except BlockingIOError:
                return datagrams, False
            except OSError as e:
                if e.errno == errno.ENOBUFS:
                    return datagrams, True
                raise

    def close(self) -> None:
        self._socket.close()


def addresses(buffer: int = RECEIVE_BUFFER) -> Subscription:
    return Subscription("addresses", NETLINK_ROUTE, groups=RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR, buffer=buffer)


def nftables(buffer: int = RECEIVE_BUFFER) -> Subscription:
    return Subscription("nftables", NETLINK_NETFILTER, group=NFNLGRP_NFTABLES, buffer=buffer)
