"""The change sources on their own: inotify on a real temp directory, the netlink decoders on
built messages, and the netlink subscriptions in a throwaway network namespace."""

from __future__ import annotations

import errno
import os
import select
import socket
import struct
from collections.abc import Callable, Iterator
from ipaddress import ip_address
from pathlib import Path

import pytest

from lvscc.watch import netlink
from lvscc.watch.inotify import (
    IN_CLOSE_WRITE,
    IN_CREATE,
    IN_DELETE,
    IN_MOVED_TO,
    IN_Q_OVERFLOW,
    FileEvent,
    Inotify,
    InotifyError,
    parse_events,
)

from .conftest import in_netns


@pytest.fixture
def inotify() -> Iterator[Inotify]:
    notify = Inotify()
    yield notify
    notify.close()


def drain(source: Inotify, seconds: float = 0.3) -> list[FileEvent]:
    found: list[FileEvent] = []
    while select.select([source], [], [], seconds)[0]:
        found += source.read()
    return found


def seen(events: list[FileEvent], name: str, mask: int) -> bool:
    return any(e.name == name and e.mask & mask for e in events)


def test_inotify_sees_writes_rename_saves_deletion_and_recreation(tmp_path: Path, inotify: Inotify) -> None:
    inotify.watch(tmp_path)
    config = tmp_path / "lab.lvs"
    config.write_text("lvs lab {}\n")
    assert seen(drain(inotify), "lab.lvs", IN_CLOSE_WRITE)

    (tmp_path / ".lab.lvs.swp").write_text("lvs lab { }\n")
    os.replace(tmp_path / ".lab.lvs.swp", config)  # the old inode is gone: a file watch would now be blind
    assert seen(drain(inotify), "lab.lvs", IN_MOVED_TO)

    config.unlink()
    assert seen(drain(inotify), "lab.lvs", IN_DELETE)
    config.write_text("lvs lab {}\n")
    assert seen(drain(inotify), "lab.lvs", IN_CREATE)


def test_a_removed_directory_ends_its_watch(tmp_path: Path, inotify: Inotify) -> None:
    directory = tmp_path / "conf"
    directory.mkdir()
    inotify.watch(directory)
    assert inotify.directories == {directory}
    directory.rmdir()
    events = drain(inotify)
    assert any(e.directory == directory and e.name == "" and e.lost_watch for e in events)
    assert inotify.directories == frozenset()


def test_watching_a_missing_directory_fails_with_the_reason(tmp_path: Path, inotify: Inotify) -> None:
    with pytest.raises(InotifyError) as failed:
        inotify.watch(tmp_path / "missing")
    assert failed.value.errno == errno.ENOENT
    assert "missing" in str(failed.value)


def _inotify_event(wd: int, mask: int, name: bytes) -> bytes:
    padded = name + b"\0" * (16 - len(name))
    return struct.pack("iIII", wd, mask, 0, len(padded)) + padded


def test_parse_events_drops_unknown_watches_and_reports_overflow(tmp_path: Path) -> None:
    data = _inotify_event(1, IN_MOVED_TO, b"lab.lvs") + _inotify_event(7, IN_CREATE, b"x") + _inotify_event(-1, IN_Q_OVERFLOW, b"")
    assert parse_events(data, {1: tmp_path}) == [FileEvent(1, tmp_path, "lab.lvs", IN_MOVED_TO), FileEvent(-1, None, "", IN_Q_OVERFLOW)]


def _rtattr(kind: int, value: bytes) -> bytes:
    length = 4 + len(value)
    return struct.pack("=HH", length, kind) + value + b"\0" * (-length % 4)


def _newaddr(index: int, address: str, label: str | None = None) -> bytes:
    packed = ip_address(address).packed
    family = socket.AF_INET if len(packed) == 4 else socket.AF_INET6
    body = struct.pack("=BBBBI", family, 32, 0, 0, index) + _rtattr(netlink.IFA_ADDRESS, packed) + _rtattr(netlink.IFA_LOCAL, packed)
    if label is not None:
        body += _rtattr(netlink.IFA_LABEL, label.encode() + b"\0")
    return struct.pack("=IHHII", 16 + len(body), netlink.RTM_NEWADDR, 0, 0, 0) + body


def test_address_changes_decoded() -> None:
    datagram = _newaddr(2, "192.0.2.10", "eth0:1") + _newaddr(3, "2001:db8::10")
    assert netlink.address_changes(datagram) == [
        netlink.AddressChange(2, "eth0:1", ip_address("192.0.2.10")),
        netlink.AddressChange(3, None, ip_address("2001:db8::10")),
    ]
    assert netlink.link_of(netlink.address_changes(datagram)[0]) == "eth0"


def test_a_malformed_datagram_ends_decoding() -> None:
    assert netlink.messages(struct.pack("=IHHII", 0, netlink.RTM_NEWADDR, 0, 0, 0) * 3) == []
    assert netlink.address_changes(b"\xff" * 7) == []


def test_which_address_changes_matter() -> None:
    vip = ip_address("192.0.2.10")
    on_director = netlink.AddressChange(2, "eth0:1", ip_address("198.51.100.1"))
    vip_elsewhere = netlink.AddressChange(9, "lo", vip)
    unrelated = netlink.AddressChange(9, "docker0", ip_address("203.0.113.7"))
    links, vips = frozenset({"eth0"}), frozenset({vip})
    assert netlink.address_matters(on_director, "eth0", links, vips)
    assert netlink.address_matters(vip_elsewhere, "lo", links, vips)
    assert not netlink.address_matters(unrelated, "docker0", links, vips)
    assert netlink.address_matters(unrelated, None, links, vips)  # its device is already gone


@pytest.fixture
def inside(netns: str) -> Iterator[Callable[[Callable[[], netlink.Subscription]], netlink.Subscription]]:
    """Open subscriptions inside the namespace; they stay bound to it after returning."""
    from pyroute2.netns import popns, pushns

    opened: list[netlink.Subscription] = []

    def open_in(opener: Callable[[], netlink.Subscription]) -> netlink.Subscription:
        pushns(netns)
        try:
            opened.append(opener())
        finally:
            popns()
        return opened[-1]

    yield open_in
    for subscription in opened:
        subscription.close()


def wait_readable(subscription: netlink.Subscription) -> bool:
    return bool(select.select([subscription], [], [], 2.0)[0])


@pytest.mark.netns
def test_subscriptions_see_address_and_nftables_changes(netns: str, inside: Callable) -> None:
    addresses, nftables = inside(netlink.addresses), inside(netlink.nftables)
    in_netns(netns, "ip", "addr", "add", "192.0.2.10/32", "dev", "lo")
    assert wait_readable(addresses)
    datagrams, overrun = addresses.read()
    changes = [c for d in datagrams for c in netlink.address_changes(d)]
    assert not overrun and netlink.AddressChange(1, "lo", ip_address("192.0.2.10")) in changes
    assert addresses.read() == ([], False)

    in_netns(netns, "nft", "add", "table", "inet", "lvscc")
    assert wait_readable(nftables)
    datagrams, overrun = nftables.read()
    assert not overrun and any(netlink.nftables_changed(d) for d in datagrams)


@pytest.mark.netns
def test_an_overrun_is_reported_not_raised(netns: str, inside: Callable, tmp_path: Path) -> None:
    nftables = inside(lambda: netlink.nftables(buffer=1024))  # the kernel rounds this up to a few KiB
    rules = "\n".join(f"add rule inet t c ip daddr 192.0.2.{n} counter" for n in range(1, 200))
    (tmp_path / "many.nft").write_text(f"add table inet t\nadd chain inet t c\n{rules}\n")
    in_netns(netns, "nft", "-f", str(tmp_path / "many.nft"))
    assert wait_readable(nftables)
    _, overrun = nftables.read()
    assert overrun
