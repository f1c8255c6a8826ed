"""Validation: one small function per rule, registered with its code. A rule reads the whole
Config and yields Diagnostics; `check` runs them all and returns every finding, sorted."""

from __future__ import annotations

import importlib
import pkgutil
from typing import Callable, Iterable

from lvscc.diagnostics import Diagnostic
from lvscc.model.config import Config

RuleFunc = Callable[[Config], Iterable[Diagnostic]]
RULES: dict[str, RuleFunc] = {}


def rule(code: str, needed_by: tuple[str, ...] = ()) -> Callable[[RuleFunc], RuleFunc]:
    """Register a rule under its code (LVS001...). Its docstring says what breaks on a real
    router when the rule is ignored; it is shown by `lvscc check --explain CODE`. A rule
    `needed_by` backends asks for a fact only those backends need (docs/language.md, strict by
    need): `check` leaves it out, and those backends run it through `needs` when compiled,
    calling it with the backend's name (`func(config, backend)`) so its message names it."""

    def register(func: RuleFunc) -> RuleFunc:
        if code in RULES:
            raise ValueError(f"rule code {code} registered twice")
        RULES[code] = func
        func.code = code  # type: ignore[attr-defined]
        func.needed_by = needed_by  # type: ignore[attr-defined]
        return func

    return register


def _load_all() -> None:
    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")


def check(config: Config) -> list[Diagnostic]:
    _load_all()
    found = [d for func in RULES.values() if not func.needed_by for d in func(config)]  # type: ignore[attr-defined]
    return sorted(found, key=lambda d: d.sort_key)


def needs(config: Config, backend: str) -> list[Diagnostic]:
    """The findings of the rules `backend` needs, each naming the backend."""
    _load_all()
    return [d for func in RULES.values() if backend in func.needed_by  # type: ignore[attr-defined]
            for d in func(config, backend)]  # type: ignore[call-arg]
