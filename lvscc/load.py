"""Read a config file and everything it includes, parse each, and hand the statements in
order to the builder. The only stage that touches the file system on the way in."""

from __future__ import annotations

import errno
import os
import stat
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from lvscc import ir_cache
from lvscc.diagnostics import Diagnostic, error, has_errors
from lvscc.model.config import Config
from lvscc.model.span import NOWHERE, Span

if TYPE_CHECKING:
    from lark import Tree

# lark, the parser and the builder are imported where a file is parsed: a load answered by
# lvscc.ir_cache never imports them.

IO_ERROR = "LVS003"  # unreadable file, not UTF-8, not a regular file
INCLUDE_CYCLE = "LVS004"
STRUCTURE = "LVS005"  # no lvs block, two of them, or one inside an include
INCLUDE_REPEAT = "LVS006"
INCLUDE_OUTSIDE = "LVS007"

MAX_FILE_BYTES = 64 * 1024 * 1024
STDIN = "-"
STDIN_NAME = "<stdin>"


def read_bytes(path: str | Path, limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of a regular file, or of stdin for `-`. Refuses (OSError) FIFOs, devices and
    anything larger than `limit`, before reading it: `include "/dev/zero"` must not grow
    without end, and a FIFO must not block. The cap is enforced while reading, as a file can
    grow after its size was looked at."""
    if str(path) == STDIN:
        return _capped(sys.stdin.buffer.read, limit)
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC)
    with os.fdopen(fd, "rb") as file:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, "not a regular file")
        return _capped(file.read, limit)


def _capped(read: Callable[[int], bytes], limit: int) -> bytes:
    data = read(limit + 1)
    if len(data) > limit:
        raise OSError(errno.EFBIG, f"larger than {limit // (1024 * 1024)} MiB")
    return data


def decode(data: bytes, shown: str) -> str | Diagnostic:
    """UTF-8 text, or the error at the first byte that is not."""
    try:
        return data.decode("utf-8-sig")  # a BOM from a Windows editor is not content
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        where = Span(shown, line, e.start - data.rfind(b"\n", 0, e.start), line, 0)
        return error(IO_ERROR, f"{shown} is not UTF-8 text", where, "lvscc reads configs as UTF-8; convert the file")


@dataclass
class _Loader:
    root: Path | None  # includes must stay under it; None: anywhere
    diagnostics: list[Diagnostic] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)
    included: dict[Path, Span] = field(default_factory=dict)  # every file read, and the include that read it
    reads: list[ir_cache.Read] = field(default_factory=list)  # what the result depends on

    def read(self, path: Path | str, shown: str, at: Span) -> str | None:
        text = self.text(path, shown, at)
        if str(path) != STDIN:
            self.reads.append(ir_cache.Read(str(path), os.path.realpath(path), ir_cache.text_digest(text)))
        return text

    def text(self, path: Path | str, shown: str, at: Span) -> str | None:
        try:
            data = read_bytes(path)
        except OSError as e:
            self.diagnostics.append(error(IO_ERROR, f"cannot read {shown}: {e.strerror or e}", at))
            return None
        text = decode(data, shown)
        if isinstance(text, Diagnostic):
            self.diagnostics.append(text)
            return None
        return text

    def statements(self, text: str, shown: str, path: Path | None, chain: tuple[Path, ...]) -> list[tuple[str, Tree]]:
        """Parse one file and return its statements with every include expanded in place."""
        from lvscc.parse import args, parse
        self.files.append(shown)
        self.sources[shown] = text
        tree, found = parse(text, shown)
        self.diagnostics += found
        if tree is None:
            return []
        out: list[tuple[str, Tree]] = []
        for node in args(tree):
            if node.data == "include":
                out += self.include(node, shown, path, chain)
            else:
                out.append((shown, node))
        return out

    def refused(self, target: Path, relative: str, chain: tuple[Path, ...], at: Span) -> Diagnostic | None:
        """Why an include may not be read: a cycle, a second inclusion, or a file outside the
        config's directory tree. Nothing of a refused file is read, so no diagnostic can show
        its lines."""
        if target in chain:
            cycle = " -> ".join(p.name for p in chain + (target,))
            return error(INCLUDE_CYCLE, f"include cycle: {cycle}", at, "remove one of the includes")
        if target in self.included:
            return error(INCLUDE_REPEAT, f"{relative} is already included (at {self.included[target]})", at,
                         "include each file once")
        if self.root is not None and not target.is_relative_to(self.root):
            return error(INCLUDE_OUTSIDE, f"{relative} is outside {self.root}, the config's directory", at,
                         "move the file next to the config, or run with --allow-include-outside")
        return None

    def include(self, node: Tree, shown: str, path: Path | None, chain: tuple[Path, ...]) -> list[tuple[str, Tree]]:
        from lvscc.parse import args, node_span
        token = args(node)[0]
        at = node_span(shown, node)
        relative = token.value[1:-1]
        base = path.parent if path is not None else Path.cwd()
        target = Path(os.path.realpath(base / relative))  # a symlink loop stays as it is and fails to open
        refusal = self.refused(target, relative, chain, at)
        if refusal is not None:
            self.diagnostics.append(refusal)
            return []
        self.included[target] = at
        text = self.read(target, relative, at)
        if text is None:
            return []
        included = self.statements(text, str(Path(shown).parent / relative) if path else relative, target,
                                   chain + (target,))
        for file, stmt in included:
            if stmt.data == "lvs":
                self.diagnostics.append(error(STRUCTURE, "an included file cannot declare its own `lvs` block",
                                              node_span(file, stmt), "include only pools, services and settings"))
        return [(f, s) for f, s in included if s.data != "lvs"]


def _expand(loader: _Loader, text: str, shown: str, path: Path | None) -> Config | None:
    from lvscc.builder import build
    from lvscc.parse import args, node_span
    chain = (Path(os.path.realpath(path)),) if path is not None else ()
    top = loader.statements(text, shown, path, chain)
    blocks = [(f, s) for f, s in top if s.data == "lvs"]
    stray = [(f, s) for f, s in top if s.data != "lvs" and f == shown]
    if has_errors(loader.diagnostics):
        return None
    if len(blocks) != 1:
        what = "no `lvs NAME { ... }` block" if not blocks else "more than one `lvs` block"
        at = node_span(*blocks[1]) if len(blocks) > 1 else Span(shown, 1, 1, 1, 1)
        loader.diagnostics.append(error(STRUCTURE, f"{shown} has {what}", at,
                                        "a config describes one cluster: `lvs NAME { ... }`"))
        return None
    for file, stmt in stray:
        loader.diagnostics.append(error(STRUCTURE, "statement outside the `lvs` block", node_span(file, stmt),
                                        "move it inside `lvs NAME { ... }`"))
    file, block = blocks[0]
    name, span = str(args(block)[0]), node_span(file, block)
    statements: list[tuple[str, Tree]] = []
    for node in args(block)[1:]:
        if node.data == "include":
            statements += loader.include(node, file, path, chain)
        else:
            statements.append((file, node))
    # The builder is the statements' only holder from here, and drops each tree once read: a
    # big file's tree is larger than its IR (benchmarks/README.md), so the peak is the larger
    # of the two, not their sum.
    block.children = []
    del top, blocks
    config, found = build(name, span, statements, tuple(loader.files))
    loader.diagnostics += found
    return config  # a draft when there were errors: see Loaded.draft


@dataclass(frozen=True)
class Loaded:
    config: Config | None
    diagnostics: list[Diagnostic]
    sources: dict[str, str]  # file name as shown in diagnostics -> its text
    # The cluster as far as it could be built despite errors (malformed statements left out):
    # checked by the rules so one run reports every error of a file, never compiled.
    draft: Config | None = None


def _root(path: Path | None, include_anywhere: bool) -> Path | None:
    """The directory tree includes must stay in: the config's own (the working directory for
    stdin), unless the operator opted out."""
    if include_anywhere:
        return None
    return Path(os.path.realpath(path.parent if path is not None else Path.cwd()))


def load(path: str | Path, *, include_anywhere: bool = False) -> Loaded:
    """Load a config file, or stdin for `-` (shown as <stdin>, includes relative to the
    working directory)."""
    file = None if str(path) == STDIN else Path(path)
    if file is not None:
        cached = ir_cache.lookup(file, include_anywhere, _text_or_none)
        if cached is not None:
            return cached
    shown = STDIN_NAME if file is None else str(path)
    loader = _Loader(_root(file, include_anywhere))
    text = loader.read(STDIN if file is None else file, shown, NOWHERE)
    draft = _expand(loader, text, shown, file) if text is not None else None
    config = None if has_errors(loader.diagnostics) else draft
    loaded = Loaded(config, loader.diagnostics, loader.sources, draft)
    if file is not None:
        ir_cache.store(file, include_anywhere, tuple(loader.reads), loaded)
    return loaded


def _text_or_none(path: str) -> str | None:
    try:
        text = decode(read_bytes(path), path)
    except OSError:
        return None
    return None if isinstance(text, Diagnostic) else text


def load_text(text: str, filename: str = "<string>", *, include_anywhere: bool = False) -> tuple[Config | None, list[Diagnostic]]:
    path = Path(filename) if filename != "<string>" else None
    loader = _Loader(_root(path, include_anywhere))
    config = _expand(loader, text, filename, path)
    return (None if has_errors(loader.diagnostics) else config), loader.diagnostics


def load_file(path: str | Path) -> tuple[Config | None, list[Diagnostic]]:
    loaded = load(path)
    return loaded.config, loaded.diagnostics
