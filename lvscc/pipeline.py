"""The pipeline end to end, all in memory: a config's compile (load → check → lower → render)
and a host's audit (lower → choose the host → probe → diff → report). The commands, watch and
serve call these; nothing here prints or writes."""

from __future__ import annotations

import gc
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator, Mapping, ParamSpec, TypeVar

from lvscc.diagnostics import Diagnostic, Severity, has_errors
from lvscc.load import IO_ERROR, load
from lvscc.model.config import Config, WeightPolicy
from lvscc.model.span import Span
from lvscc.progress import SILENT, Progress
from lvscc.rules import check

if TYPE_CHECKING:  # rendering imports jinja2, auditing rich and the probes: `check` needs none
    from lvscc.drift_report import Report
    from lvscc.model.state import HostState
    from lvscc.probes import Observation
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
def compile_file(path: str | Path, backends: list[Backend] | None = None, layout: str = "flat",
                 progress: Progress = SILENT, *, include_anywhere: bool = False) -> Result:
    """The artifacts of `backends` (default: the default set) for every host of a config."""
    from lvscc.lower import lower
    from lvscc.render import coverage, render, select

    backends = select(None) if backends is None else backends

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


# --- the host audit ---------------------------------------------------------------------


class AuditError(Exception):
    """The audit cannot start: the config does not compile, or names no such host."""


class Uncompiled(AuditError):
    """The config has errors; `checked` holds them, for the caller to show."""

    def __init__(self, path: str | Path, checked: Result) -> None:
        super().__init__(f"{path}: the config does not compile; run `lvscc check`")
        self.checked = checked


@dataclass(frozen=True)
class Audited:
    config: Config
    intent: HostState
    observation: Observation
    report: Report


def host_intent(config: Config, name: str | None) -> HostState:
    """The intent of host NAME, else of the only host, else of `primary`."""
    from lvscc.lower import lower_host

    try:
        return lower_host(config, name)
    except LookupError as e:
        raise AuditError(str(e)) from None


def observe_host(config: Config, intent: HostState, texts: Mapping[str, str],
                 notes: tuple[str, ...] = ()) -> Observation:
    """What the dump texts show of the host, with `notes` on what could not be read; ProbeError
    for a dump that is not its tool's output."""
    from lvscc.probes import Observation, observe

    found = observe(texts, intent.host, intent.role, config.audit.nft_table)
    return Observation(found.state, found.sections, notes + found.notes)


def audit_host(config: Config, intent: HostState, observation: Observation, source: str = "live") -> Audited:
    """The drifts of one host, inside what lvscc owns there and what the probes read."""
    from lvscc.audit import diff, scope_for
    from lvscc.drift_report import Report

    scope = scope_for(intent, config.audit, observation.sections)
    drifts = diff(intent, observation.state, config.audit, scope)
    report = Report(intent.host, source, tuple(drifts), observation.sections, observation.notes,
                    config.files[0] if config.files else None)
    return Audited(config, intent, observation, report)


def audit_config(config: Config, host: str | None = None, dump: Path | None = None) -> Audited:
    """Audit a compiled config's host: this machine, or the dump files in `dump`. AuditError,
    ProbeError or OSError when it cannot be done."""
    intent = host_intent(config, host)
    if dump is not None:
        from lvscc.probes import from_dumps

        return audit_host(config, intent, from_dumps(dump, intent.host, intent.role, config.audit.nft_table), str(dump))
    from lvscc.probes.live import collect

    texts, notes = collect()
    return audit_host(config, intent, observe_host(config, intent, texts, tuple(notes)))


def audit_file(path: str | Path, host: str | None = None, dump: Path | None = None,
               weight: WeightPolicy | None = None) -> Audited:
    """`audit_config` of a config file, with `weight` overriding its `audit { weight ... }`;
    Uncompiled when it has errors."""
    checked = check_file(path)
    if checked.config is None or has_errors(checked.diagnostics):
        raise Uncompiled(path, checked)
    config = checked.config
    if weight is not None:
        config = replace(config, audit=replace(config.audit, weight=weight))
    return audit_config(config, host, dump)
