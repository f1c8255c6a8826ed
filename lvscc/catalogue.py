"""The diagnostic catalogue: every code lvscc can emit, with its severity, a title, what it
protects, an example and the fix. The entries live in catalogue.toml beside this module;
`lvscc explain`, the SARIF rule list and docs/rules.md are all generated from them."""

from __future__ import annotations

import textwrap
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from lvscc.diagnostics import Severity
from lvscc.resources import data_dir

SOURCE = Path(__file__).with_name("catalogue.toml")
WIDTH = 88
STAGES = {
    "0": "reading and building a config",
    "1": "validation rules",
    "2": "checks against a target router",
    "3": "what a backend's format cannot say",
    "5": "importers",
}


@dataclass(frozen=True)
class Entry:
    code: str
    severity: Severity
    title: str
    explanation: str
    example: str
    fix: str

    @property
    def stage(self) -> str:
        return STAGES[self.code[3]]

    @property
    def help_uri(self) -> str:
        """docs/rules.md#CODE as an absolute URI (SARIF asks for one): the copy in the source
        checkout, or the one the wheel installs."""
        return f"{(data_dir('docs') / 'rules.md').as_uri()}#{self.code}"


class UnknownCode(LookupError):
    pass


@cache
def catalogue() -> dict[str, Entry]:
    """code → entry, in code order."""
    tables = tomllib.loads(SOURCE.read_text(encoding="utf-8"))
    return {code: _entry(code, table) for code, table in sorted(tables.items())}


def _entry(code: str, table: dict[str, str]) -> Entry:
    prose = {key: " ".join(str(table[key]).split()) for key in ("title", "explanation", "fix")}
    return Entry(code, Severity(table["severity"]), example=str(table["example"]).strip("\n"), **prose)


def lookup(code: str) -> Entry:
    """The entry of a code, written in any case (`lvs101` too)."""
    try:
        return catalogue()[code.upper()]
    except KeyError:
        raise UnknownCode(code) from None


def markdown(entry: Entry, level: int = 1) -> str:
    """One entry as Markdown: what `lvscc explain` prints and docs/rules.md holds."""
    head = "#" * level
    return "\n".join([
        f"{head} {entry.code}: {entry.title}",
        "",
        f"{entry.severity.value.capitalize()}, {entry.stage}.",
        "",
        textwrap.fill(entry.explanation, WIDTH),
        "",
        f"{head}# Example",
        "",
        "```",
        entry.example,
        "```",
        "",
        f"{head}# Fix",
        "",
        textwrap.fill(entry.fix, WIDTH),
        "",
    ])


def document() -> str:
    """docs/rules.md: every code, grouped by stage, each under an anchor named by its code."""
    out = ["# lvscc diagnostic codes", "",
           "Generated from `lvscc/catalogue.toml` by `scripts/gen-docs.py`; do not edit by hand.",
           "`lvscc explain CODE` prints the same text.", ""]
    for digit, stage in STAGES.items():
        entries = [e for e in catalogue().values() if e.code[3] == digit]
        out += [f"## LVS{digit}xx: {stage}", ""]
        out += [f"- [{e.code}](#{e.code}) {e.title}" for e in entries] + [""]
        for entry in entries:
            out += [f'<a id="{entry.code}"></a>', "", markdown(entry, level=3)]
    return "\n".join(out)
