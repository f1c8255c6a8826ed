"""A content-hash cache of loaded configs: a re-check of an unchanged file (watch, an editor,
a pre-commit hook, CI) reads the built IR and its diagnostics back instead of importing lark,
parsing and building again.

One entry per config path, in the user's own cache directory (lvscc.resources.cache_dir: it
is a pickle, never read from a directory another user may write to). An entry is used only
when the lvscc code and grammar that built it, the path as given, the working directory, the
include policy, and the text of the config and of every file it included (or failed to read)
are all what they were; otherwise it is rebuilt and replaced. LVSCC_NO_IR_CACHE=1 turns it
off (benchmarks/startup.py --no-ir-cache measures a first check with it)."""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import sys
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Callable

import lvscc
from lvscc.resources import cache_dir, data_dir

if TYPE_CHECKING:
    from lvscc.load import Loaded

_PACKAGE = Path(__file__).resolve().parent
# The code whose change changes what load() returns.
_BUILT_BY = ("load.py", "parse.py", "parse_scan.py", "diagnostics.py", "catalogue.py", "catalogue.toml", "builder", "model")


@dataclass(frozen=True, slots=True)
class Read:
    """One file a load read: the path as joined, where it resolved to, and a digest of its text
    (None: it could not be read)."""

    path: str
    resolved: str
    digest: str | None


@dataclass(frozen=True, slots=True)
class _Entry:
    reads: tuple[Read, ...]
    loaded: Loaded


def text_digest(text: str | None) -> str | None:
    return None if text is None else hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


@cache
def _code_digest() -> str:
    digest = hashlib.sha256(f"{lvscc.__version__}\0{sys.version}".encode())
    paths = sorted(data_dir("grammar").glob("*.lark"))
    for name in _BUILT_BY:
        found = _PACKAGE / name
        paths += sorted(found.glob("*.py")) if found.is_dir() else [found] if found.exists() else []
    for path in paths:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _entry_file(path: Path, include_anywhere: bool) -> Path | None:
    directory = None if os.environ.get("LVSCC_NO_IR_CACHE") else cache_dir()
    if directory is None:
        return None
    key = f"{_code_digest()}\0{path}\0{os.getcwd()}\0{include_anywhere}"
    return directory / f"ir-{hashlib.sha256(key.encode()).hexdigest()[:32]}.pickle"


def _unchanged(read: Read, text_of: Callable[[str], str | None]) -> bool:
    return os.path.realpath(read.path) == read.resolved and text_digest(text_of(read.resolved)) == read.digest


def lookup(path: Path, include_anywhere: bool, text_of: Callable[[str], str | None]) -> Loaded | None:
    """The cached result of loading `path`, if every file it read still reads the same;
    `text_of` reads one file's text (None when it cannot)."""
    entry_file = _entry_file(path, include_anywhere)
    if entry_file is None:
        return None
    try:
        with entry_file.open("rb") as f:
            entry = pickle.load(f)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError, ValueError):
        return None
    if not isinstance(entry, _Entry) or not all(_unchanged(r, text_of) for r in entry.reads):
        return None
    return entry.loaded


def store(path: Path, include_anywhere: bool, reads: tuple[Read, ...], loaded: Loaded) -> None:
    """Keep `loaded` for the next run; a cache that cannot be written is no error."""
    entry_file = _entry_file(path, include_anywhere)
    if entry_file is None:
        return
    try:
        file = tempfile.NamedTemporaryFile("wb", dir=entry_file.parent, prefix=".ir-", delete=False)
    except OSError:
        return
    try:
        with file:
            pickle.dump(_Entry(reads, loaded), file, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(file.name, entry_file)
    except (OSError, pickle.PicklingError):  # a full disk, say: no half-written entry is left behind
        with contextlib.suppress(OSError):
            os.unlink(file.name)
