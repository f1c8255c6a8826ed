"""File events from the kernel's inotify, through libc (ctypes): no dependency, one file
descriptor for the event loop.

Directories are watched, not files: an editor that saves by writing a temporary file and
renaming it over the original replaces the inode, and a watch on the old inode would go
silent. A directory watch sees the rename (IN_MOVED_TO), a deletion and a re-creation alike."""

from __future__ import annotations

import ctypes
import os
import struct
from dataclasses import dataclass
from pathlib import Path

IN_NONBLOCK = os.O_NONBLOCK
IN_CLOEXEC = os.O_CLOEXEC
IN_ATTRIB = 0x00000004  # chmod: a file may have become readable again
IN_CLOSE_WRITE = 0x00000008
IN_MOVED_FROM = 0x00000040
IN_MOVED_TO = 0x00000080
IN_CREATE = 0x00000100
IN_DELETE = 0x00000200
IN_DELETE_SELF = 0x00000400
IN_MOVE_SELF = 0x00000800
IN_Q_OVERFLOW = 0x00004000
IN_IGNORED = 0x00008000  # the watch is gone (directory deleted or unmounted)
IN_ONLYDIR = 0x01000000

# Not IN_MODIFY: a large write is many of those, and the file is complete only at IN_CLOSE_WRITE.
DIRECTORY_MASK = (IN_ATTRIB | IN_CLOSE_WRITE | IN_MOVED_FROM | IN_MOVED_TO | IN_CREATE | IN_DELETE
                  | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR)
_HEADER = struct.Struct("iIII")  # struct inotify_event: wd, mask, cookie, len; then the name
READ_SIZE = 64 * 1024


@dataclass(frozen=True)
class FileEvent:
    watch: int
    directory: Path | None  # None when the kernel's queue overflowed: anything may have changed
    name: str  # "" for an event on the directory itself
    mask: int

    @property
    def lost_watch(self) -> bool:
        return bool(self.mask & (IN_IGNORED | IN_DELETE_SELF | IN_MOVE_SELF))


def parse_events(data: bytes, directories: dict[int, Path]) -> list[FileEvent]:
    """Decode a read() of the inotify descriptor; events of unknown watches are dropped."""
    events: list[FileEvent] = []
    offset = 0
    while offset + _HEADER.size <= len(data):
        wd, mask, _cookie, length = _HEADER.unpack_from(data, offset)
        raw = data[offset + _HEADER.size: offset + _HEADER.size + length]
        offset += _HEADER.size + length
        name = os.fsdecode(raw.split(b"\0", 1)[0])
        if mask & IN_Q_OVERFLOW:
            events.append(FileEvent(wd, None, "", mask))
        elif wd in directories:
            events.append(FileEvent(wd, directories[wd], name, mask))
    return events


class InotifyError(OSError):
    pass


class Inotify:
    """One inotify instance watching a set of directories."""

    def __init__(self) -> None:
        self._libc = ctypes.CDLL(None, use_errno=True)
        fd = self._libc.inotify_init1(IN_NONBLOCK | IN_CLOEXEC)
        if fd < 0:
            raise InotifyError(ctypes.get_errno(), f"inotify_init1: {os.strerror(ctypes.get_errno())}")
        self._fd = fd
        self._directories: dict[int, Path] = {}

    def fileno(self) -> int:
        return self._fd

    @property
    def directories(self) -> frozenset[Path]:
        return frozenset(self._directories.values())

    def watch(self, directory: Path) -> None:
        """Watch a directory; adding one already watched is harmless (the kernel returns the
        same watch). Raises InotifyError when it does not exist or cannot be read."""
        wd = self._libc.inotify_add_watch(self._fd, os.fsencode(directory), DIRECTORY_MASK)
        if wd < 0:
            code = ctypes.get_errno()
            raise InotifyError(code, f"cannot watch {directory}: {os.strerror(code)}")
        self._directories[wd] = directory

    def read(self) -> list[FileEvent]:
        try:
            data = os.read(self._fd, READ_SIZE)
        except BlockingIOError:
            return []
        events = parse_events(data, self._directories)
        for event in events:
            if event.mask & IN_IGNORED:
                self._directories.pop(event.watch, None)
        return events

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1
