"""Validation: one small function per rule, registered once with its code. A rule reads the
whole Config and yields Findings (error/warning/info below, without a code); `check` stamps
each with the rule's code and returns every finding, sorted. What a code means, its example
and its fix live in the diagnostic catalogue (lvscc/catalogue.toml, `lvscc explain CODE`)."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from typing import Callable, Iterable, Iterator

from lvscc.diagnostics import Diagnostic, Finding, Severity
from lvscc.model.config import Config
from lvscc.model.span import NOWHERE, Span

RuleFunc = Callable[[Config], Iterable[Finding]]
RULES: dict[str, RuleFunc] = {}
NEEDED_BY: dict[str, tuple[str, ...]] = {}  # code -> the backends that run it (none: `check` does)


def rule(code: str, needed_by: tuple[str, ...] = ()) -> Callable[[RuleFunc], RuleFunc]:
    """Register a rule under its code (LVS1nn). Its docstring says what breaks on a real
    router when the rule is ignored; the catalogue entry of the code says the rest. A rule
    `needed_by` backends asks for a fact only those backends need (docs/language.md, strict by
    need): `check` leaves it out, and those backends run it through `needs` when compiled,
    calling it with the backend's name (`func(config, backend)`) so its message names it."""

    def register(func: RuleFunc) -> RuleFunc:
        if code in RULES:
            raise ValueError(f"rule code {code} registered twice")
        RULES[code] = func
        NEEDED_BY[code] = needed_by
        return func

    return register


def error(message: str, span: Span = NOWHERE, hint: str | None = None) -> Finding:
    return Finding(Severity.ERROR, message, span, hint)


def warning(message: str, span: Span = NOWHERE, hint: str | None = None) -> Finding:
    return Finding(Severity.WARNING, message, span, hint)


def info(message: str, span: Span = NOWHERE, hint: str | None = None) -> Finding:
    return Finding(Severity.INFO, message, span, hint)


def load_all() -> dict[str, RuleFunc]:
    """Every rule module imported, so every rule is registered: code → rule."""
    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")
    return RULES


def docstrings() -> dict[str, str]:
    """code → what its rule's docstring says breaks, on one line."""
    return {code: " ".join((inspect.getdoc(func) or "").split()) for code, func in sorted(load_all().items())}


def _coded(code: str, func: RuleFunc, config: Config, *backend: str) -> Iterator[Diagnostic]:
    for finding in func(config, *backend):  # type: ignore[call-arg]
        if not isinstance(finding, Finding):  # a rule written against the old error(code, ...)
            raise TypeError(f"rule {code} ({func.__name__}) yields {type(finding).__name__}: yield "
                            "lvscc.rules.error/warning/info(message, span, hint); the code is the rule's")
        yield finding.coded(code)


def check(config: Config) -> list[Diagnostic]:
    found = [d for code, func in load_all().items() if not NEEDED_BY.get(code) for d in _coded(code, func, config)]
    return sorted(found, key=lambda d: d.sort_key)


def needs(config: Config, backend: str) -> list[Diagnostic]:
    """The findings of the rules `backend` needs, each naming the backend."""
    return [d for code, func in load_all().items() if backend in NEEDED_BY.get(code, ())
            for d in _coded(code, func, config, backend)]
