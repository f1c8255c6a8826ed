"""Read a config file and everything it includes, parse each, and hand the statements in
order to the builder. The only stage that touches the file system on the way in."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from lark import Tree

from lvscc.build import build
from lvscc.diagnostics import Diagnostic, error, has_errors
from lvscc.model.config import Config
from lvscc.model.span import NOWHERE, Span
from lvscc.parse import args, node_span, parse

IO_ERROR = "LVS003"  # unreadable file, not UTF-8
INCLUDE_CYCLE = "LVS004"
STRUCTURE = "LVS005"  # no lvs block, two of them, or one inside an include

MAX_FILE_BYTES = 64 * 1024 * 1024


tree_span = node_span


@dataclass
class _Loader:
    diagnostics: list[Diagnostic] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)

    def read(self, path: Path, shown: str, at: Span) -> str | None:
        try:
            if path.stat().st_size > MAX_FILE_BYTES:
                raise OSError(f"larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB")
            data = path.read_bytes()
        except OSError as e:
            self.diagnostics.append(error(IO_ERROR, f"cannot read {shown}: {e.strerror or e}", at))
            return None
        try:
            return data.decode("utf-8-sig")  # a BOM from a Windows editor is not content
        except UnicodeDecodeError as e:
            line = data[: e.start].count(b"\n") + 1
            where = Span(shown, line, e.start - data.rfind(b"\n", 0, e.start), line, 0)
            self.diagnostics.append(error(IO_ERROR, f"{shown} is not UTF-8 text", where,
                                          "lvscc reads configs as UTF-8; convert the file"))
            return None

    def statements(self, text: str, shown: str, path: Path | None, chain: tuple[Path, ...]) -> list[tuple[str, Tree]]:
        """Parse one file and return its statements with every include expanded in place."""
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

    def include(self, node: Tree, shown: str, path: Path | None, chain: tuple[Path, ...]) -> list[tuple[str, Tree]]:
        token = args(node)[0]
        at = tree_span(shown, node)
        relative = token.value[1:-1]
        base = path.parent if path is not None else Path.cwd()
        target = (base / relative).resolve()
        if target in chain:
            cycle = " -> ".join(p.name for p in chain + (target,))
            self.diagnostics.append(error(INCLUDE_CYCLE, f"include cycle: {cycle}", at,
                                          "remove one of the includes"))
            return []
        text = self.read(target, relative, at)
        if text is None:
            return []
        included = self.statements(text, str(Path(shown).parent / relative) if path else relative, target,
                                   chain + (target,))
        for file, stmt in included:
            if stmt.data == "lvs":
                self.diagnostics.append(error(STRUCTURE, "an included file cannot declare its own `lvs` block",
                                              tree_span(file, stmt), "include only pools, services and settings"))
        return [(f, s) for f, s in included if s.data != "lvs"]


def _expand(loader: _Loader, text: str, shown: str, path: Path | None) -> Config | None:
    chain = (path.resolve(),) if path is not None else ()
    top = loader.statements(text, shown, path, chain)
    blocks = [(f, s) for f, s in top if s.data == "lvs"]
    stray = [(f, s) for f, s in top if s.data != "lvs" and f == shown]
    if has_errors(loader.diagnostics):
        return None
    if len(blocks) != 1:
        what = "no `lvs NAME { ... }` block" if not blocks else "more than one `lvs` block"
        at = tree_span(*blocks[1]) if len(blocks) > 1 else Span(shown, 1, 1, 1, 1)
        loader.diagnostics.append(error(STRUCTURE, f"{shown} has {what}", at,
                                        "a config describes one cluster: `lvs NAME { ... }`"))
        return None
    for file, stmt in stray:
        loader.diagnostics.append(error(STRUCTURE, "statement outside the `lvs` block", tree_span(file, stmt),
                                        "move it inside `lvs NAME { ... }`"))
    file, block = blocks[0]
    statements: list[tuple[str, Tree]] = []
    for node in args(block)[1:]:
        if node.data == "include":
            statements += loader.include(node, file, path, chain)
        else:
            statements.append((file, node))
    config, found = build(str(args(block)[0]), tree_span(file, block), statements, tuple(loader.files))
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


def load(path: str | Path) -> Loaded:
    loader = _Loader()
    shown = str(path)
    text = loader.read(Path(path), shown, NOWHERE)
    draft = _expand(loader, text, shown, Path(path)) if text is not None else None
    config = None if has_errors(loader.diagnostics) else draft
    return Loaded(config, loader.diagnostics, loader.sources, draft)


def load_text(text: str, filename: str = "<string>") -> tuple[Config | None, list[Diagnostic]]:
    loader = _Loader()
    config = _expand(loader, text, filename, Path(filename) if filename != "<string>" else None)
    return (None if has_errors(loader.diagnostics) else config), loader.diagnostics


def load_file(path: str | Path) -> tuple[Config | None, list[Diagnostic]]:
    loaded = load(path)
    return loaded.config, loaded.diagnostics
