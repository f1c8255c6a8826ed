"""Find grammar/ and docs/ the same way in a source checkout and an installed wheel."""

from __future__ import annotations

import os
import stat
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def data_dir(name: str) -> Path:
    """`grammar` or `docs`: top level in a checkout, lvscc/_data/ in a wheel."""
    for candidate in (_PACKAGE / "_data" / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"lvscc installation is missing its {name}/ directory")


def cache_dir() -> Path | None:
    """The user's own cache directory for lvscc, or None when there is none to trust: the
    caches in it are pickles, so they are read only from a directory this user owns and nobody
    else may write to (never a shared /tmp)."""
    root = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    directory = Path(root, "lvscc")
    try:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = directory.stat()
    except OSError:  # a read-only or absent home: build in memory
        return None
    if info.st_uid != os.getuid() or info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        return None
    return directory
