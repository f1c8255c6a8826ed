"""The compile pipeline end to end: load → check → lower → render, all in memory.
Commands call these; nothing here prints or writes."""

from __future__ import annotations

import gc
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import wraps
from pathlib import Path
from typing import Callable, Iterator, ParamSpec, TypeVar

from lvscc.diagnostics import Diagnostic, has_errors
from lvscc.load import IO_ERROR, load
from lvscc.model.config import Config
from lvscc.render import Artifact, Backend, coverage, render
from lvscc.rules import check


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


@_without_cycle_collection
def check_file(path: str | Path) -> Result:
    loaded = load(path)
    found = list(loaded.diagnostics)
    if loaded.config is not None:
        found += check(loaded.config)
    return Result(loaded.config, sorted(found, key=lambda d: d.sort_key), loaded.sources)


@_without_cycle_collection
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
    found += coverage(checked.config, intent, backends)
    return Result(checked.config, found, checked.sources, artifacts)
