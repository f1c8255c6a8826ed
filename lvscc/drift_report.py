"""Drift reports: one list of drifts, several renderings (terminal table, text, JSON, SARIF,
JUnit). Quiesced servers and foreign objects are information, never failures."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from enum import Enum
from typing import Callable
from xml.etree import ElementTree as ET

from lvscc import __version__
from lvscc.audit import KINDS, SECTIONS, Drift, describe, in_sync

FORMATS = ("table", "text", "json", "sarif", "junit")


@dataclass(frozen=True)
class Report:
    host: str
    source: str  # "live" or the dump directory
    drifts: tuple[Drift, ...]
    sections: frozenset[str]  # what was audited
    notes: tuple[str, ...] = ()

    @property
    def in_sync(self) -> bool:
        return in_sync(self.drifts)

    @property
    def summary(self) -> str:
        counts = {k: sum(1 for d in self.drifts if d.kind == k) for k in KINDS}
        state = "in sync" if self.in_sync else "drift"
        return f"{self.host} ({self.source}): {state}; " + ", ".join(f"{n} {k}" for k, n in counts.items())


def value_text(value: object) -> str:
    match value:
        case None:
            return "-"
        case Enum():
            return str(value.value)
        case tuple():
            return ",".join(value_text(v) for v in value) or "()"
        case str() | int():
            return str(value)
    return describe(value)


def _drift_line(d: Drift) -> str:
    if d.field is not None:
        return f"{d.kind:<8} {d.object}: {d.field} expected {value_text(d.expected)}, observed {value_text(d.observed)}"
    return f"{d.kind:<8} {d.object}"


def text(report: Report) -> str:
    lines = [_drift_line(d) for d in report.drifts]
    lines += [f"note     {n}" for n in report.notes]
    lines.append(report.summary)
    return "\n".join(lines) + "\n"


def table(report: Report, width: int = 120) -> str:
    from rich.console import Console
    from rich.table import Table

    grid = Table(title=f"lvscc audit: {report.host} ({report.source})")
    for column in ("kind", "object", "field", "expected", "observed"):
        grid.add_column(column)
    style = {"missing": "red", "extra": "red", "changed": "yellow", "quiesced": "cyan", "standby": "cyan", "foreign": "dim"}
    for d in report.drifts:
        grid.add_row(d.kind, d.object, d.field or "", value_text(d.expected), value_text(d.observed), style=style[d.kind])
    out = io.StringIO()
    console = Console(file=out, width=width, force_terminal=False, no_color=True)
    console.print(grid)
    for note in report.notes:
        console.print(f"note: {note}", markup=False, highlight=False)
    console.print(report.summary, markup=False, highlight=False)
    return out.getvalue()


def _drift_json(d: Drift) -> dict[str, object]:
    return {
        "kind": d.kind,
        "object": d.object,
        "field": d.field,
        "expected": value_text(d.expected) if d.expected is not None else None,
        "observed": value_text(d.observed) if d.observed is not None else None,
        "section": d.section,
    }


def json_report(report: Report) -> str:
    body = {
        "host": report.host,
        "source": report.source,
        "in_sync": report.in_sync,
        "audited": sorted(report.sections),
        "not_audited": [s for s in SECTIONS if s not in report.sections],
        "drifts": [_drift_json(d) for d in report.drifts],
        "notes": list(report.notes),
    }
    return json.dumps(body, indent=2) + "\n"


def _sarif_location(d: Drift) -> dict[str, object]:
    origin = getattr(d.want, "origin", None)
    location: dict[str, object] = {"logicalLocations": [{"name": d.object, "kind": "resource"}]}
    if origin is not None:
        location["physicalLocation"] = {
            "artifactLocation": {"uri": origin.file},
            "region": {"startLine": max(origin.line, 1)},
        }
    return location


def sarif(report: Report) -> str:
    kinds = KINDS
    results = [
        {
            "ruleId": f"drift/{d.kind}",
            "level": "error" if d.is_drift else "note",
            "message": {"text": _drift_line(d).split(None, 1)[1] + f" on {report.host}"},
            "locations": [_sarif_location(d)],
        }
        for d in report.drifts
    ]
    log = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "lvscc-audit",
                        "version": __version__,
                        "rules": [{"id": f"drift/{k}", "shortDescription": {"text": f"{k} object"}} for k in kinds],
                    }
                },
                "results": results,
            }
        ],
    }
    return json.dumps(log, indent=2) + "\n"


def junit(report: Report) -> str:
    """One test case per section: failed when it drifts, skipped when it was not audited."""
    suite = ET.Element("testsuite", name=f"lvscc audit {report.host}", tests=str(len(SECTIONS)))
    failures = skipped = 0
    for section in SECTIONS:
        case = ET.SubElement(suite, "testcase", classname=f"lvscc.audit.{report.host}", name=section)
        drifts = [d for d in report.drifts if d.section == section and d.is_drift]
        if section not in report.sections:
            ET.SubElement(case, "skipped", message="not audited")
            skipped += 1
        elif drifts:
            failure = ET.SubElement(case, "failure", message=f"{len(drifts)} drift(s)")
            failure.text = "\n".join(_drift_line(d) for d in drifts)
            failures += 1
    info = [d for d in report.drifts if not d.is_drift]
    if info:
        ET.SubElement(suite, "system-out").text = "\n".join(_drift_line(d) for d in info)
    suite.set("failures", str(failures))
    suite.set("skipped", str(skipped))
    return ET.tostring(suite, encoding="unicode", xml_declaration=True) + "\n"


RENDERERS: dict[str, Callable[[Report], str]] = {
    "table": table,
    "text": text,
    "json": json_report,
    "sarif": sarif,
    "junit": junit,
}


def render(report: Report, fmt: str) -> str:
    return RENDERERS[fmt](report)
