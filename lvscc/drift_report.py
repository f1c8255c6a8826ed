"""Drift reports: one list of drifts, several renderings (terminal table, text, JSON, SARIF,
JUnit). Quiesced servers and foreign objects are information, never failures."""

from __future__ import annotations

import dataclasses
import io
import json
from dataclasses import dataclass
from enum import Enum
from ipaddress import IPv4Address, IPv4Interface, IPv4Network, IPv6Address, IPv6Interface, IPv6Network
from typing import Callable
from xml.etree import ElementTree as ET

from lvscc import __version__
from lvscc.drift import KINDS, SECTIONS, Drift, describe, in_sync
from lvscc.model.config import PortRange
from lvscc.model.state import Address, ArpRule, IpvsDest, IpvsService, MarkRule, MasqueradeRule, RedirectRule, Route, Sysctl
from lvscc.syntax import Refused, arptables, iptables, ipvsadm, nft, printable, shell

FORMATS = ("table", "text", "json", "sarif", "junit")


@dataclass(frozen=True)
class Report:
    host: str
    source: str  # "live" or the dump directory
    drifts: tuple[Drift, ...]
    sections: frozenset[str]  # what was audited
    notes: tuple[str, ...] = ()
    config_file: str | None = None  # the audited config, where an object it never declared points

    @property
    def in_sync(self) -> bool:
        return in_sync(self.drifts)

    @property
    def summary(self) -> str:
        counts = {k: sum(1 for d in self.drifts if d.kind == k) for k in KINDS}
        state = "in sync" if self.in_sync else "drift"
        return f"{self.host} ({self.source}): {state}; " + ", ".join(f"{n} {k}" for k, n in counts.items())


def value_text(value: object, parent: IpvsService | None = None) -> str:
    """A value as the tool that holds it would print it (an ipvsadm line, an nft rule...), on
    one printable line."""
    match value:
        case None:
            return "-"
        case Enum():
            return printable(value.value)
        case tuple():
            return ",".join(value_text(v) for v in value) or "()"
        case str() | int():
            return printable(value)
    try:
        return printable(_tool_text(value, parent))
    except Refused:
        return printable(describe(value))


def _tool_text(value: object, parent: IpvsService | None) -> str:
    match value:
        case IpvsService():
            return ipvsadm.service_line(value)
        case IpvsDest() if parent is not None:
            return ipvsadm.dest_line(value, parent)
        case IpvsDest():
            return " ".join(ipvsadm.dest_options(value))
        case MarkRule() | MasqueradeRule() | RedirectRule() if value.origin is not None and value.origin.file.endswith(".rules"):
            return "; ".join(shell.join([tool, *spec[:2], "-A", *spec[2:]]) for tool, spec in iptables.rules(value))
        case MarkRule() | MasqueradeRule() | RedirectRule():
            return nft.rule(value)[1]
        case ArpRule():
            return "; ".join(shell.join(["-A", *spec]) for spec in arptables.specs(value, ("INPUT", "OUTPUT")))
        case Sysctl():
            return f"{value.key} = {value.value}"
        case Address():
            label = f" label {value.device}" if value.device != value.link else ""
            return f"{value.interface} dev {value.link}{label}"
        case Route():
            return f"{value.destination} via {value.gateway}"
    return describe(value)


def typed(value: object) -> object:
    """A value as JSON: numbers stay numbers, addresses and enums become their text, an object
    its fields (without where it came from)."""
    match value:
        case None | bool() | int() | float():
            return value
        case Enum():
            return value.value
        case str():
            return value
        case IPv4Address() | IPv6Address() | IPv4Network() | IPv6Network() | IPv4Interface() | IPv6Interface():
            return str(value)
        case PortRange():
            return {"first": value.first, "last": value.last}
        case tuple() | list():
            return [typed(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: typed(getattr(value, f.name)) for f in dataclasses.fields(value) if f.name != "origin"}
    return str(value)


def _drift_line(d: Drift) -> str:
    if d.field is not None:
        expected, observed = value_text(d.expected, d.parent), value_text(d.observed, d.parent)
        return f"{d.kind:<8} {printable(d.object)}: {d.field} expected {expected}, observed {observed}"
    shown = d.expected if d.expected is not None else d.observed
    return f"{d.kind:<8} {printable(d.object)}" + (f": {value_text(shown, d.parent)}" if shown is not None else "")


def text(report: Report) -> str:
    lines = [_drift_line(d) for d in report.drifts]
    lines += [f"note     {printable(n)}" for n in report.notes]
    lines.append(report.summary)
    return "\n".join(lines) + "\n"


def table(report: Report, width: int = 120) -> str:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    # Every cell is a Text, never markup: a foreign table named `[/bold]` is shown, not obeyed.
    grid = Table(title=Text(printable(f"lvscc audit: {report.host} ({report.source})")))
    for column in ("kind", "object", "field", "expected", "observed"):
        grid.add_column(column)
    style = {"missing": "red", "extra": "red", "changed": "yellow", "quiesced": "cyan", "standby": "cyan", "foreign": "dim"}
    for d in report.drifts:
        cells = (d.kind, printable(d.object), d.field or "", value_text(d.expected, d.parent), value_text(d.observed, d.parent))
        grid.add_row(*(Text(c) for c in cells), style=style[d.kind])
    out = io.StringIO()
    console = Console(file=out, width=width, force_terminal=False, no_color=True)
    console.print(grid)
    for note in report.notes:
        console.print(Text(f"note: {printable(note)}"), highlight=False)
    console.print(Text(printable(report.summary)), highlight=False)
    return out.getvalue()


def _drift_json(d: Drift) -> dict[str, object]:
    return {
        "kind": d.kind,
        "object": printable(d.object),
        "field": d.field,
        "expected": typed(d.expected),
        "observed": typed(d.observed),
        "expected_text": value_text(d.expected, d.parent) if d.expected is not None else None,
        "observed_text": value_text(d.observed, d.parent) if d.observed is not None else None,
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


def _sarif_location(d: Drift, config_file: str | None) -> dict[str, object]:
    """The declaration a drift is about; for an object the config never declared (`extra`), where
    its service was seen (the dump's line), else the config file itself (a live table)."""
    origin = getattr(d.want, "origin", None) or getattr(d.parent, "origin", None)
    location: dict[str, object] = {"logicalLocations": [{"name": printable(d.object), "kind": "resource"}]}
    if origin is not None:
        location["physicalLocation"] = {
            "artifactLocation": {"uri": origin.file},
            "region": {"startLine": max(origin.line, 1)},
        }
    elif config_file is not None:
        location["physicalLocation"] = {"artifactLocation": {"uri": config_file}}
    return location


def _sarif_log(results: list[dict[str, object]], invocation: dict[str, object]) -> str:
    log = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "lvscc-audit",
                        "version": __version__,
                        "rules": [{"id": f"drift/{k}", "shortDescription": {"text": f"{k} object"}} for k in KINDS],
                    }
                },
                "invocations": [invocation],
                "results": results,
            }
        ],
    }
    return json.dumps(log, indent=2) + "\n"


def sarif(report: Report) -> str:
    results: list[dict[str, object]] = [
        {
            "ruleId": f"drift/{d.kind}",
            "level": "error" if d.is_drift else "note",
            "message": {"text": _drift_line(d).split(None, 1)[1] + f" on {printable(report.host)}"},
            "locations": [_sarif_location(d, report.config_file)],
        }
        for d in report.drifts
    ]
    return _sarif_log(results, {"executionSuccessful": True})


def junit(report: Report) -> str:
    """One test case per section: failed when it drifts, skipped when it was not audited."""
    host = printable(report.host)
    suite = ET.Element("testsuite", name=f"lvscc audit {host}", tests=str(len(SECTIONS)))
    failures = skipped = 0
    for section in SECTIONS:
        case = ET.SubElement(suite, "testcase", classname=f"lvscc.audit.{host}", name=section)
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
    return _junit_document(suite, failures=failures, skipped=skipped)


def _junit_document(suite: ET.Element, failures: int = 0, skipped: int = 0, errors: int = 0) -> str:
    # junit-10.xsd requires tests, failures and errors on a testsuite.
    suite.set("failures", str(failures))
    suite.set("errors", str(errors))
    suite.set("skipped", str(skipped))
    return ET.tostring(suite, encoding="unicode", xml_declaration=True) + "\n"


def failed_run(fmt: str, message: str) -> str | None:
    """The document a machine format writes when the audit could not run (a bad config or
    dump), so CI reads "failed" instead of an empty file; None for the formats people read."""
    text = printable(message)
    if fmt == "junit":
        suite = ET.Element("testsuite", name="lvscc audit", tests="1")
        case = ET.SubElement(suite, "testcase", classname="lvscc.audit", name="audit")
        ET.SubElement(case, "error", message=text, type="AuditError").text = text
        return _junit_document(suite, errors=1)
    if fmt == "sarif":
        notification = {"level": "error", "message": {"text": text}}
        return _sarif_log([], {"executionSuccessful": False, "toolExecutionNotifications": [notification]})
    return None


RENDERERS: dict[str, Callable[[Report], str]] = {
    "table": table,
    "text": text,
    "json": json_report,
    "sarif": sarif,
    "junit": junit,
}


def render(report: Report, fmt: str) -> str:
    return RENDERERS[fmt](report)
