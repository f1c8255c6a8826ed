"""The compile pipeline end to end: load → check → lower → render, all in memory.
Commands call these; nothing here prints or writes."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from lvscc.diagnostics import Diagnostic, has_errors
from lvscc.load import IO_ERROR, load
from lvscc.model.config import Config
from lvscc.render import Artifact, Backend, render
from lvscc.rules import check


@dataclass(frozen=True)
class Result:
    config: Config | None
    diagnostics: list[Diagnostic]
    sources: dict[str, str]
    artifacts: list[Artifact] = field(default_factory=list)

    @property
    def unreadable(self) -> bool:
        """The main file itself could not be read: a usage/I-O failure, not a finding."""
        return any(d.code == IO_ERROR and d.span.line == 0 for d in self.diagnostics)


def check_file(path: str | Path) -> Result:
    loaded = load(path)
    found = list(loaded.diagnostics)
    if loaded.config is not None:
        found += check(loaded.config)
    return Result(loaded.config, sorted(found, key=lambda d: d.sort_key), loaded.sources)


def compile_file(path: str | Path, backends: list[Backend], layout: str = "flat") -> Result:
    from lvscc.lower import lower

    checked = check_file(path)
    if checked.config is None or has_errors(checked.diagnostics):
        return checked
    found = checked.diagnostics + [d for b in backends for d in b.unsupported(checked.config)]
    if has_errors(found):
        return Result(checked.config, found, checked.sources)
    intent = lower(checked.config)
    artifacts = render(checked.config, intent, backends, layout)
    return Result(checked.config, found, checked.sources, artifacts)
