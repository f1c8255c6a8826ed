"""Writing compiled artifacts: all or nothing. Everything is rendered in memory first, written
to a fresh directory beside the target, and swapped in by one atomic exchange; a failure at any
point, even SIGKILL, leaves the target exactly as it was or exactly as the new run wrote it.

What lvscc replaces is only its own: a directory whose manifest.json names lvscc as its
generator (every manifest lvscc has written carries that key)."""

from __future__ import annotations

import ctypes
import errno
import fcntl
import hashlib
import json
import os
import re
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from lvscc import __version__
from lvscc.progress import SILENT, Progress
from lvscc.render import Artifact

MANIFEST = "manifest.json"
GENERATOR = "lvscc"
# Present in a staging directory until its manifest is complete: together with an lvscc
# manifest, what marks a leftover beside the target as ours to delete.
STAGING_MARK = ".lvscc-staging"
RENAME_EXCHANGE = 2  # linux/fs.h
AT_FDCWD = -100


class OutputError(Exception):
    pass


def manifest(artifacts: list[Artifact], cluster: str, source: str, layout: str) -> str:
    entries = [
        {"host": a.host, "backend": a.backend, "path": a.path,
         "sha256": hashlib.sha256(a.content.encode()).hexdigest()}
        for a in sorted(artifacts, key=lambda a: a.path)
    ]
    return json.dumps({"generator": f"{GENERATOR} {__version__}", "cluster": cluster, "source": source,
                       "layout": layout, "artifacts": entries}, indent=2) + "\n"


def _ours(directory: Path) -> bool:
    """Whether `directory` holds a manifest lvscc wrote: a JSON object naming lvscc as its
    generator, with a list of artifacts."""
    try:
        data = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return (isinstance(data, dict) and str(data.get("generator", "")).startswith(f"{GENERATOR} ")
            and isinstance(data.get("artifacts"), list))


def _writable_target(target: Path) -> None:
    """Refuse to replace a directory that lvscc did not write (`-o .` must not wipe a checkout,
    nor `-o webapp` a tree that happens to hold a manifest.json of its own)."""
    if not target.exists():
        return
    if not target.is_dir():
        raise OutputError(f"{target} exists and is not a directory; choose an empty or new directory")
    if not any(target.iterdir()):
        return
    if not _ours(target):
        raise OutputError(f"{target} exists and is not an lvscc output directory (no {MANIFEST} written by lvscc); "
                          "choose an empty or new directory")


def write(target: Path, artifacts: list[Artifact], manifest_text: str, progress: Progress = SILENT) -> None:
    if target.is_symlink():
        target = target.resolve()  # replace what the link points at, keep the link
    target.parent.mkdir(parents=True, exist_ok=True)
    with _locked(target.parent):
        _recover(target)
        _writable_target(target)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
        progress.phase("writing", len(artifacts))
        try:
            (staging / STAGING_MARK).touch()
            _write_artifacts(staging, artifacts, progress)
            (staging / MANIFEST).write_text(manifest_text)
            (staging / STAGING_MARK).unlink()
            os.chmod(staging, 0o755)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        swap(staging, target)


def _write_artifacts(staging: Path, artifacts: list[Artifact], progress: Progress) -> None:
    """Each file created with its mode and written whole: open, one write, close (a full
    compile writes 100,000 small files, where the per-file calls of Path.write_text and chmod
    cost more than the bytes). Each directory is made once."""
    umask = _umask()
    made: set[str] = set()
    for artifact in artifacts:
        progress.advance()
        path = os.path.join(staging, artifact.path)
        parent = os.path.dirname(path)
        if parent not in made:
            _directory(parent)
            made.add(parent)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, artifact.mode)
        try:
            data = memoryview(artifact.content.encode())
            while data:
                data = data[os.write(fd, data):]
            if artifact.mode & umask:  # the umask took a bit the artifact needs (a script's x)
                os.fchmod(fd, artifact.mode)
        finally:
            os.close(fd)


def _directory(path: str) -> None:
    """Make `path`: one mkdir when its parent exists (a host's directory in the staging tree),
    where os.makedirs would first stat every ancestor."""
    try:
        os.mkdir(path)
    except FileNotFoundError:
        os.makedirs(path, exist_ok=True)
    except FileExistsError:
        pass


@contextmanager
def _locked(directory: Path) -> Iterator[None]:
    """One writer per output parent at a time, so what `_recover` finds is a dead run's."""
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _leftovers(target: Path) -> list[Path]:
    """Staging and retired trees of runs that were killed before they cleaned up."""
    pattern = re.compile(rf"\.{re.escape(target.name)}\.(?:old\.)?[a-z0-9_]{{8}}")
    found = []
    for entry in target.parent.iterdir():
        if pattern.fullmatch(entry.name) and entry.is_dir() and not entry.is_symlink():
            if (entry / STAGING_MARK).is_file() or _ours(entry):
                found.append(entry)
    return found


def _recover(target: Path) -> None:
    """Put back a tree a killed fallback swap left retired, then delete every leftover."""
    leftovers = _leftovers(target)
    if not target.exists():
        retired = [p for p in leftovers if ".old." in p.name and (p / MANIFEST).is_file()]
        if retired:
            newest = max(retired, key=lambda p: p.stat().st_mtime)
            newest.rename(target)
            leftovers.remove(newest)
    for leftover in leftovers:
        shutil.rmtree(leftover, ignore_errors=True)


def _renameat2() -> ctypes._CFuncPtr | None:
    try:
        func = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):
        return None  # a libc older than glibc 2.28
    func.argtypes = (ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint)
    return func


def exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (renameat2 RENAME_EXCHANGE); False when the kernel, libc or
    file system cannot."""
    func = _renameat2()
    if func is None:
        return False
    if func(AT_FDCWD, os.fsencode(a), AT_FDCWD, os.fsencode(b), RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(b))


def swap(staging: Path, target: Path) -> None:
    if not target.exists():
        staging.rename(target)
        return
    if exchange(staging, target):
        shutil.rmtree(staging, ignore_errors=True)  # now the previous tree
        return
    # No exchange here (e.g. NFS): two renames. A kill between them leaves the previous tree
    # retired beside the target, and the next run's _recover puts it back.
    retired = Path(tempfile.mkdtemp(prefix=f".{target.name}.old.", dir=target.parent))
    retired.rmdir()
    target.rename(retired)
    try:
        staging.rename(target)
    except BaseException:
        retired.rename(target)
        raise
    shutil.rmtree(retired, ignore_errors=True)


def write_file(path: Path, text: str) -> None:
    """Replace one text file atomically (temp file + rename beside it). A symlink is written
    through, not replaced, and an existing file keeps its mode, owner and group; when they
    cannot be kept (another user's file) nothing is written and OSError says why."""
    path = Path(os.path.realpath(path))
    if path.is_dir():
        raise OSError(errno.EISDIR, "is a directory", str(path))
    old = path.stat() if path.exists() else None
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
            if old is not None and (old.st_uid, old.st_gid) != (os.getuid(), os.getgid()):
                _keep_owner(out.fileno(), old, path)
            os.fchmod(out.fileno(), old.st_mode & 0o7777 if old is not None else 0o666 & ~_umask())
        os.replace(temp, path)
    except BaseException:
        os.unlink(temp)
        raise


def _keep_owner(fd: int, old: os.stat_result, path: Path) -> None:
    try:
        os.fchown(fd, old.st_uid, old.st_gid)
    except PermissionError:
        raise OSError(errno.EPERM, "rewriting it would change its owner or group", str(path)) from None


def _umask() -> int:
    mask = os.umask(0o22)
    os.umask(mask)
    return mask
