"""Render a list of diagnostics for people (compiler-style text), for scripts (JSON) and for
code-scanning tools (SARIF 2.1.0). Pure: diagnostics and source texts in, one string out.
(A host's drifts are reported by lvscc/drift_report.py.)"""

from __future__ import annotations

import io
import json
import unicodedata
from collections import Counter
from pathlib import Path
from typing import Iterable

from lvscc import __version__
from lvscc.diagnostics import Diagnostic, Severity
from lvscc.model.span import Span

# A line of text findings as (text, style) segments: plain output joins the texts, and rich (slow
# to import) is loaded only to colour them.
Line = list[tuple[str, str | None]]

TAB = "    "
STYLES = {Severity.ERROR: "bold red", Severity.WARNING: "bold yellow", Severity.INFO: "bold cyan"}
SARIF_LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
GUTTER = "bold blue"


def _located(span: Span) -> bool:
    return span.line > 0


# ---- text ---------------------------------------------------------------------------------


def _width(text: str) -> int:
    """Terminal cells: East Asian wide characters take two, combining marks none."""
    cells = 0
    for char in text:
        if unicodedata.combining(char):
            continue
        cells += 2 if unicodedata.east_asian_width(char) in "WF" else 1
    return cells


def _printable(text: str) -> str:
    """A source line, message or hint as shown: tabs expanded, other control characters made visible."""
    text = text.replace("\t", TAB)
    return "".join(char if char.isprintable() else "\N{REPLACEMENT CHARACTER}" for char in text)


def _caret(line: str, span: Span) -> tuple[int, int]:
    """Offset and width, in cells, of the span's part of its first line."""
    start = min(max(span.column, 1) - 1, len(line))
    end = span.end_column - 1 if span.end_line == span.line else len(line)
    end = min(max(end, start), len(line))
    offset = _width(_printable(line[:start]))
    return offset, max(_width(_printable(line[start:end])), 1)


def _header(diagnostic: Diagnostic) -> Line:
    span = diagnostic.span
    where = f"{span.file}:{span.line}:{span.column}: " if _located(span) else ""
    return [
        (where, "bold"),
        (f"{diagnostic.severity.value}[{diagnostic.code}]", STYLES[diagnostic.severity]),
        (f": {_printable(diagnostic.message)}", "bold"),  # a message quotes imported text: no raw escapes
    ]


def _snippet(diagnostic: Diagnostic, sources: dict[str, list[str]]) -> list[Line]:
    span = diagnostic.span
    lines = sources.get(span.file, [])
    if not _located(span) or span.line > len(lines):
        return []
    line = lines[span.line - 1]
    number = str(span.line)
    pad = " " * len(number)
    offset, width = _caret(line, span)
    return [
        [(f"{pad} |", GUTTER)],
        [(f"{number} | ", GUTTER), (_printable(line), None)],
        [(f"{pad} | ", GUTTER), (" " * offset + "^" * width, STYLES[diagnostic.severity])],
    ]


def _one(diagnostic: Diagnostic, sources: dict[str, list[str]]) -> list[Line]:
    out = [_header(diagnostic), *_snippet(diagnostic, sources)]
    if diagnostic.hint:
        pad = " " * (len(str(diagnostic.span.line)) if _located(diagnostic.span) else 1)
        out.append([(f"{pad} = ", GUTTER), ("hint", "bold"), (f": {_printable(diagnostic.hint)}", None)])
    return out


def summary(diagnostics: Iterable[Diagnostic]) -> str:
    """`2 errors, 1 warning`: counts by severity, most severe first, zero counts left out."""
    counts = Counter(d.severity for d in diagnostics)
    words = {Severity.ERROR: ("error", "errors"), Severity.WARNING: ("warning", "warnings"),
             Severity.INFO: ("info", "info")}
    parts = [f"{counts[s]} {words[s][counts[s] != 1]}" for s in sorted(counts, key=lambda s: -s.rank)]
    return ", ".join(parts)


def _to_ansi(segments: Line) -> str:
    """Styles attached to spans of text (rich's Text), so user text is never read as markup."""
    from rich.console import Console
    from rich.text import Text

    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=True, color_system="standard", width=1 << 16,
                      soft_wrap=True, highlight=False, markup=False, emoji=False)
    console.print(Text.assemble(*segments), end="")
    return buffer.getvalue()


def _joined(parts: list[Line], separator: str) -> Line:
    joined: Line = []
    for index, part in enumerate(parts):
        if index:
            joined.append((separator, None))
        joined += part
    return joined


def render_text(diagnostics: list[Diagnostic], sources: dict[str, str], color: bool = False) -> str:
    """Compiler-style text (file:line:col: severity[CODE]: message, the source line with a
    caret, the hint), one blank line between diagnostics and a summary line at the end.
    Plain text is the segments joined; rich is imported only to colour them."""
    if not diagnostics:
        return ""
    lines = {name: text.splitlines() for name, text in sources.items()}  # once per file, not per finding
    blocks = [_joined(_one(d, lines), "\n") for d in diagnostics]
    whole = [*_joined([*blocks, [(summary(diagnostics), "bold")]], "\n\n"), ("\n", None)]
    return _to_ansi(whole) if color else "".join(text for text, _ in whole)


# ---- JSON ---------------------------------------------------------------------------------


def _location(span: Span) -> dict[str, object]:
    if not _located(span):
        return {"file": None, "line": None, "column": None, "end_line": None, "end_column": None}
    return {"file": span.file, "line": span.line, "column": span.column,
            "end_line": span.end_line, "end_column": span.end_column}


def render_json(diagnostics: list[Diagnostic]) -> str:
    """A JSON list of objects: code, severity, message, file, line, column, end_line,
    end_column, hint (null where unknown). Lines and columns are 1-based; end_column is
    the column just after the last character."""
    rows = [
        {"code": d.code, "severity": d.severity.value, "message": d.message, **_location(d.span), "hint": d.hint}
        for d in diagnostics
    ]
    return json.dumps(rows, indent=2, ensure_ascii=False)


# ---- SARIF --------------------------------------------------------------------------------


def _sarif_rule(code: str) -> dict[str, object]:
    """A code's reportingDescriptor, from its catalogue entry: a code without one (a new code
    not yet catalogued) still gets its id, so every result points at a rule."""
    from lvscc.catalogue import UnknownCode, lookup

    try:
        entry = lookup(code)
    except UnknownCode:
        return {"id": code}
    return {
        "id": code,
        "shortDescription": {"text": entry.title},
        "fullDescription": {"text": entry.explanation},
        "help": {"text": f"{entry.explanation}\n\nFix: {entry.fix}",
                 "markdown": f"{entry.explanation}\n\n**Fix:** {entry.fix}\n\n```\n{entry.example}\n```"},
        "helpUri": entry.help_uri,
        "defaultConfiguration": {"level": SARIF_LEVELS[entry.severity]},
    }


def _artifact_uri(file: str) -> str:
    path = Path(file)
    return path.as_uri() if path.is_absolute() else path.as_posix()


def _sarif_result(diagnostic: Diagnostic, index: int) -> dict[str, object]:
    message = diagnostic.message + (f" (hint: {diagnostic.hint})" if diagnostic.hint else "")
    result: dict[str, object] = {
        "ruleId": diagnostic.code,
        "ruleIndex": index,
        "level": SARIF_LEVELS[diagnostic.severity],
        "message": {"text": message},
    }
    span = diagnostic.span
    if _located(span):
        start = max(span.column, 1)
        end_line = max(span.end_line, span.line)
        end = max(span.end_column, start if end_line == span.line else 1)
        region = {"startLine": span.line, "startColumn": start, "endLine": end_line, "endColumn": end}
        result["locations"] = [{"physicalLocation": {
            "artifactLocation": {"uri": _artifact_uri(span.file)},
            "region": region,
        }}]
    return result


def render_sarif(diagnostics: list[Diagnostic]) -> str:
    """SARIF 2.1.0 with one run: the driver lists every code of the catalogue (and any other
    code the diagnostics use), each result points at its rule and its source region.
    The catalogue (tomllib and its TOML) is read here only: text and JSON findings never need it."""
    from lvscc.catalogue import catalogue

    known = list(catalogue())
    codes = known + sorted({d.code for d in diagnostics} - set(known))
    index = {code: i for i, code in enumerate(codes)}
    log = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "lvscc",
                "version": __version__,
                "rules": [_sarif_rule(code) for code in codes],
            }},
            "results": [_sarif_result(d, index[d.code]) for d in diagnostics],
        }],
    }
    return json.dumps(log, indent=2, ensure_ascii=False)
