"""Diagnostics are data: every stage returns them, every renderer (text, JSON, SARIF)
consumes the same list. No stage prints."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from enum import StrEnum
from typing import Iterable

from lvscc.model.span import NOWHERE, Span


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"error": 2, "warning": 1, "info": 0}[self.value]


@dataclass(frozen=True)
class Diagnostic:
    code: str  # "LVS012"
    severity: Severity
    message: str
    span: Span = NOWHERE
    hint: str | None = None

    @property
    def sort_key(self) -> tuple:
        return (self.span.file, self.span.line, self.span.column, self.code)


def error(code: str, message: str, span: Span = NOWHERE, hint: str | None = None) -> Diagnostic:
    return Diagnostic(code, Severity.ERROR, message, span, hint)


def warning(code: str, message: str, span: Span = NOWHERE, hint: str | None = None) -> Diagnostic:
    return Diagnostic(code, Severity.WARNING, message, span, hint)


def info(code: str, message: str, span: Span = NOWHERE, hint: str | None = None) -> Diagnostic:
    return Diagnostic(code, Severity.INFO, message, span, hint)


def has_errors(diagnostics: list[Diagnostic]) -> bool:
    return any(d.severity is Severity.ERROR for d in diagnostics)


@dataclass(frozen=True)
class Finding:
    """What a validation rule found: a diagnostic still without its code, which `check`
    stamps on from the rule's registration (so a rule names its code once)."""

    severity: Severity
    message: str
    span: Span = NOWHERE
    hint: str | None = None

    def coded(self, code: str) -> Diagnostic:
        return Diagnostic(code, self.severity, self.message, self.span, self.hint)


# Close enough to be the word meant: `persistance`/`persistence` and `wlcc`/`wlc` pass,
# `sh-port` for `mh port` does not outrank `mh-port`.
SIMILARITY = 0.6


def did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    """The one "did you mean" of lvscc: the closest of `choices` (the words that are valid
    right here, never the whole vocabulary), as a hint, or None when nothing is close."""
    words = sorted(set(choices))
    close = difflib.get_close_matches(word, words, n=1, cutoff=SIMILARITY)
    return f"did you mean `{close[0]}`?" if close else None
