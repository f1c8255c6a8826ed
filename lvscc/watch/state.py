"""What `lvscc watch` knows after each step, and everything derived from it without side
effects: the event a step emits and the Prometheus textfile. The loop only runs steps and
hands their outcomes here."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import TYPE_CHECKING

from lvscc.drift import KINDS
from lvscc.diagnostics import Diagnostic, Severity
from lvscc.drift_report import Report, json_report
from lvscc.diagnostic_report import render_json

if TYPE_CHECKING:
    from lvscc.pipeline import Audited, Result


@dataclass(frozen=True)
class CompileOutcome:
    time: float  # seconds since the epoch
    diagnostics: tuple[Diagnostic, ...]
    cluster: str | None = None  # set when it compiled
    files: tuple[str, ...] = ()  # the config and its includes
    hosts: tuple[str, ...] = ()
    artifacts: int = 0
    output: str | None = None  # where the artifacts were written
    failure: str | None = None  # writing the artifacts failed
    # The whole compile, for a caller that shows more than the event (lvscc serve's page).
    result: Result | None = field(default=None, compare=False, repr=False)

    @property
    def ok(self) -> bool:
        return self.cluster is not None and self.failure is None

    @property
    def errors(self) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.diagnostics if d.severity is Severity.ERROR)


@dataclass(frozen=True)
class AuditOutcome:
    time: float
    report: Report | None = None
    failure: str | None = None  # the probes or the host choice failed
    # The whole audit (config, intent, observation), for a caller that shows more than the report.
    audited: Audited | None = field(default=None, compare=False, repr=False)

    @property
    def result(self) -> tuple[object, ...]:
        """What decides whether this audit says something new."""
        if self.report is None:
            return ("error", self.failure)
        return (self.report.host, self.report.drifts, self.report.sections)


@dataclass(frozen=True)
class WatchState:
    config: str
    compiled: CompileOutcome | None = None  # the latest attempt
    last_good: CompileOutcome | None = None  # its artifacts are the ones in place
    audited: AuditOutcome | None = None
    compile_errors: int = 0
    audit_errors: int = 0


def after_compile(state: WatchState, outcome: CompileOutcome) -> WatchState:
    if outcome.ok:
        return replace(state, compiled=outcome, last_good=outcome)
    return replace(state, compiled=outcome, compile_errors=state.compile_errors + 1)


def after_audit(state: WatchState, outcome: AuditOutcome) -> WatchState:
    return replace(state, audited=outcome, audit_errors=state.audit_errors + (outcome.report is None))


# --- events ---------------------------------------------------------------------------------


def timestamp(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _diagnostics(found: tuple[Diagnostic, ...]) -> list[dict[str, object]]:
    return json.loads(render_json(list(found)))


def compile_event(state: WatchState, trigger: tuple[str, ...]) -> dict[str, object]:
    outcome = state.compiled
    assert outcome is not None, "compile_event before any compile"
    if outcome.ok:
        return {**_head(outcome.time, "compiled", state, trigger), "cluster": outcome.cluster, "files": list(outcome.files),
                "hosts": list(outcome.hosts), "artifacts": outcome.artifacts, "output": outcome.output,
                "diagnostics": _diagnostics(outcome.diagnostics)}
    kept = state.last_good
    return {**_head(outcome.time, "compile_error", state, trigger), "errors": len(outcome.errors) + (outcome.failure is not None),
            "failure": outcome.failure, "diagnostics": _diagnostics(outcome.diagnostics),
            "last_good": timestamp(kept.time) if kept else None}


def audit_event(before: WatchState, after: WatchState, trigger: tuple[str, ...]) -> dict[str, object] | None:
    """The event of the latest audit, or None when it found what the previous one found: a
    steady state is silent (the metrics file carries the heartbeat)."""
    outcome = after.audited
    assert outcome is not None, "audit_event before any audit"
    if before.audited is not None and before.audited.result == outcome.result:
        return None
    if outcome.report is None:
        return {**_head(outcome.time, "audit_error", after, trigger), "message": outcome.failure}
    kind = "in_sync" if outcome.report.in_sync else "drift"
    body = json.loads(json_report(outcome.report))
    return {**_head(outcome.time, kind, after, trigger), "counts": drift_counts(outcome.report), **body}


def _head(when: float, kind: str, state: WatchState, trigger: tuple[str, ...]) -> dict[str, object]:
    return {"time": timestamp(when), "event": kind, "config": state.config, "trigger": list(trigger)}


def source_event(now: float, source: str, message: str) -> dict[str, object]:
    """A change source (a watched directory, a netlink socket) failed; the loop carries on."""
    return {"time": timestamp(now), "event": "source_error", "source": source, "message": message}


def drift_counts(report: Report) -> dict[str, int]:
    return {kind: sum(1 for d in report.drifts if d.kind == kind) for kind in KINDS}


# --- Prometheus textfile ----------------------------------------------------------------------


def _label(value: str) -> str:
    """A label value in the text exposition format: backslash, quote and newline escaped."""
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _metric(name: str, kind: str, help_text: str, samples: list[tuple[dict[str, str], float]]) -> list[str]:
    lines = [f"# HELP {name} {help_text}", f"# TYPE {name} {kind}"]
    for labels, value in samples:
        text = ",".join(f'{k}="{_label(v)}"' for k, v in labels.items())
        lines.append(f"{name}{{{text}}} {value!r}")
    return lines


def metrics(state: WatchState) -> str:
    config = {"config": state.config}
    lines = _metric("lvscc_compile_ok", "gauge", "1 when the latest compile of the config succeeded.",
                    [(config, float(bool(state.compiled and state.compiled.ok)))])
    lines += _metric("lvscc_compile_errors_total", "counter", "Failed compiles since lvscc watch started.",
                     [(config, float(state.compile_errors))])
    if state.last_good is not None:
        lines += _metric("lvscc_last_good_compile_timestamp_seconds", "gauge",
                         "When the artifacts in place were compiled.", [(config, state.last_good.time)])
    if state.audited is not None:
        lines += _audit_metrics(state, state.audited)
    return "\n".join(lines) + "\n"


def _audit_metrics(state: WatchState, outcome: AuditOutcome) -> list[str]:
    lines = _metric("lvscc_audit_errors_total", "counter", "Audits that could not run since lvscc watch started.",
                    [({"config": state.config}, float(state.audit_errors))])
    report = outcome.report
    if report is None:
        return lines
    host = {"config": state.config, "host": report.host}
    lines += _metric("lvscc_last_audit_timestamp_seconds", "gauge", "When the host was last audited.",
                     [(host, outcome.time)])
    lines += _metric("lvscc_in_sync", "gauge", "1 when the last audit found no drift (missing, extra, changed).",
                     [(host, float(report.in_sync))])
    counts = drift_counts(report)
    lines += _metric("lvscc_drift_objects", "gauge",
                     "Objects the last audit reported, by kind; only missing, extra and changed are drift.",
                     [({**host, "kind": kind}, float(n)) for kind, n in counts.items()])
    return lines
