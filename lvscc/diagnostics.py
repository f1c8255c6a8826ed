"""Diagnostics are data: every stage returns them, every renderer (text, JSON, SARIF)
consumes the same list. No stage prints."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

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


class CompileError(Exception):
    """Raised by a stage that cannot go on; carries every diagnostic found so far."""

    def __init__(self, diagnostics: list[Diagnostic]):
        super().__init__("; ".join(d.message for d in diagnostics))
        self.diagnostics = diagnostics
