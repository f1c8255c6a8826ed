"""How `lvscc watch` shows its events: JSON lines, one plain line per event (a log, a pipe,
journald), or a live view on a terminal redrawn from the state after every event."""

from __future__ import annotations

import json
from collections import deque
from typing import TextIO

from rich.console import Console, Group, RenderableType
from rich.live import Live
from rich.table import Table
from rich.text import Text

from lvscc.drift_report import Report
from lvscc.watch.state import WatchState, drift_counts, timestamp

RECENT = 8  # events the live view lists


def event_line(event: dict[str, object]) -> str:
    """One line per event for a log: time, event, and what it says in a few words."""
    kind = event["event"]
    match kind:
        case "compiled":
            detail = f"{event['cluster']}: {event['artifacts']} files for {len(event['hosts'])} hosts"  # type: ignore[arg-type]
            detail += f" written to {event['output']}" if event["output"] else ""
        case "compile_error":
            messages = [f"{d['file']}:{d['line']}: {d['message']}" if d["file"] else str(d["message"])
                        for d in event["diagnostics"] if d["severity"] == "error"]  # type: ignore[attr-defined]
            messages += [str(event["failure"])] if event["failure"] else []
            kept = f"; kept the artifacts of {event['last_good']}" if event["last_good"] else ""
            detail = "; ".join(messages) + kept
        case "drift" | "in_sync":
            counts = event["counts"]
            detail = f"{event['host']}: " + ", ".join(f"{n} {k}" for k, n in counts.items())  # type: ignore[attr-defined]
        case "audit_error":
            detail = str(event["message"])
        case _:
            detail = f"{event.get('source')}: {event.get('message')}"
    return f"{event['time']} {kind} {detail}"


def json_line(event: dict[str, object]) -> str:
    return json.dumps(event, ensure_ascii=False)


class Lines:
    def __init__(self, out: TextIO) -> None:
        self.out = out

    def __call__(self, event: dict[str, object], state: WatchState) -> None:
        self.out.write(event_line(event) + "\n")
        self.out.flush()


class JsonLines:
    def __init__(self, out: TextIO) -> None:
        self.out = out

    def __call__(self, event: dict[str, object], state: WatchState) -> None:
        self.out.write(json_line(event) + "\n")
        self.out.flush()


STYLES = {"compiled": "green", "in_sync": "green", "compile_error": "red", "drift": "red",
          "audit_error": "yellow", "source_error": "yellow"}


def render(state: WatchState, recent: list[dict[str, object]]) -> RenderableType:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column()
    grid.add_row("config", Text(state.config))
    compiled = state.compiled
    if compiled is not None:
        status = Text("ok", "green") if compiled.ok else Text(f"{len(compiled.errors) or 1} error(s)", "red")
        grid.add_row("compiled", Text.assemble(status, f"  {timestamp(compiled.time)}"))
        for d in compiled.errors[:5]:
            where = f"{d.span.file}:{d.span.line}: " if d.span.line else ""
            grid.add_row("", Text(f"{d.code} {where}{d.message}", "red"))
        if compiled.failure:
            grid.add_row("", Text(compiled.failure, "red"))
    if state.last_good is not None:
        good = state.last_good
        grid.add_row("artifacts", Text(f"{good.artifacts} files for {len(good.hosts)} hosts from {timestamp(good.time)}"
                                       + (f" in {good.output}" if good.output else "")))
    audited = state.audited
    if audited is not None:
        grid.add_row("audited", _audit_line(audited.report, audited.failure, audited.time))
    log = Table("time", "event", "", box=None, show_header=False, padding=(0, 1))
    for event in recent:
        log.add_row(str(event["time"]), Text(str(event["event"]), STYLES.get(str(event["event"]), "")),
                    Text(event_line(event).split(" ", 2)[2]))
    return Group(grid, Text(""), log)


def _audit_line(report: Report | None, failure: str | None, when: float) -> Text:
    if report is None:
        return Text(f"failed: {failure}  {timestamp(when)}", "yellow")
    counts = ", ".join(f"{n} {k}" for k, n in drift_counts(report).items() if n)
    status = Text("in sync", "green") if report.in_sync else Text("drift", "red")
    return Text.assemble(status, f"  {report.host}  {counts or 'nothing to report'}  {timestamp(when)}")


class LiveView:
    """A rich Live display refreshed only when an event arrives: no refresh thread, so an
    idle watch stays idle."""

    def __init__(self, console: Console) -> None:
        self.recent: deque[dict[str, object]] = deque(maxlen=RECENT)
        self.live = Live(console=console, auto_refresh=False, transient=False)

    def __enter__(self) -> LiveView:
        self.live.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.live.__exit__(None, None, None)

    def __call__(self, event: dict[str, object], state: WatchState) -> None:
        self.recent.append(event)
        self.live.update(render(state, list(self.recent)), refresh=True)
