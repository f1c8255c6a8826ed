"""Source positions carried by every IR node, so diagnostics can point at the text."""

from __future__ import annotations

from lvscc.model.value import Value, value_class


@value_class(order=True)
class Span(Value):
    file: str
    line: int
    column: int
    end_line: int
    end_column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


NOWHERE = Span("<builtin>", 0, 0, 0, 0)
