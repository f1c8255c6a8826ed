"""The compile pipeline end to end: load → check → lower → render, all in memory.
Commands call these; nothing here prints or writes."""

from __future__ import annotations

import gc
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator, ParamSpec, TypeVar

from lvscc.diagnostics import Diagnostic, Severity, has_errors
from lvscc.load import IO_ERROR, load
from lvscc.model.config import Config
from lvscc.model.span import Span
from lvscc.progress import SILENT, Progress
from lvscc.rules import check

if TYPE_CHECKING:  # rendering imports jinja2, which `check` never needs
    from lvscc.render import Artifact, Backend


P = ParamSpec("P")
R = TypeVar("R")


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """A big config is hundreds of thousands of short-lived, acyclic objects (tokens, trees,
    IR nodes): the cyclic collector's repeated full scans of them took more than half of a
    5000-service check. Reference counting still frees them; the collector resumes after."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        # What survives (the Config) would all sit in the youngest generation, and the first
        # collection after re-enabling would scan every object of it at once (a quarter of a
        # second at 5000 services). Freezing and unfreezing moves them to the oldest generation
        # instead, still collectable, where only the collector's rare full passes look.
        gc.freeze()
        gc.unfreeze()
        if was_enabled:
            gc.enable()


def _without_cycle_collection(func: Callable[P, R]) -> Callable[P, R]:
    @wraps(func)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        with _no_cycle_collection():
            return func(*args, **kwargs)

    return run


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


def _overlap(a: Span, b: Span) -> bool:
    return a.file == b.file and (a.line, a.column) < (b.end_line, b.end_column) \
        and (b.line, b.column) < (a.end_line, a.end_column)


def _beside(findings: list[Diagnostic], errors: list[Diagnostic]) -> list[Diagnostic]:
    """Rule findings on a draft, less the echoes of its build errors: a finding that touches
    the text of an error (a director whose address was malformed "has no address") says
    nothing new. Findings elsewhere in the file are real and stay."""
    spans = [e.span for e in errors if e.severity is Severity.ERROR]
    return [d for d in findings if not any(_overlap(d.span, span) for span in spans)]


@_without_cycle_collection
def check_file(path: str | Path, *, include_anywhere: bool = False) -> Result:
    """Every finding of a file in one run: its load errors, and the rules' findings on what
    could be built — on the draft when there were errors, without their echoes."""
    loaded = load(path, include_anywhere=include_anywhere)
    found = list(loaded.diagnostics)
    if loaded.config is not None:
        found += check(loaded.config)
    elif loaded.draft is not None:
        found += _beside(check(loaded.draft), found)
    return Result(loaded.config, sorted(found, key=lambda d: d.sort_key), loaded.sources)


@_without_cycle_collection
def compile_file(path: str | Path, backends: list[Backend], layout: str = "flat",
                 progress: Progress = SILENT, *, include_anywhere: bool = False) -> Result:
    from lvscc.lower import lower
    from lvscc.render import coverage, render

    progress.phase("checking")
    checked = check_file(path, include_anywhere=include_anywhere)
    if checked.config is None or has_errors(checked.diagnostics):
        return checked
    found = checked.diagnostics + [d for b in backends for d in b.unsupported(checked.config)]
    if has_errors(found):
        return Result(checked.config, found, checked.sources)
    progress.phase("lowering")
    intent = lower(checked.config)
    artifacts = render(checked.config, intent, backends, layout, progress)
    found += coverage(checked.config, intent, backends)
    return Result(checked.config, found, checked.sources, artifacts)
