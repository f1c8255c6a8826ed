"""How long work shows itself: a rich progress bar on a terminal, a line per phase with
`--verbose`, nothing when piped or with `--quiet`. Stages call `phase` and `advance` on what
they are given and never print themselves; the command picks the reporter."""

from __future__ import annotations

import time
from contextlib import contextmanager
from typing import Iterator, Protocol, TextIO


class Progress(Protocol):
    def phase(self, name: str, total: int | None = None) -> None:
        """A new phase of the work begins; `total` steps, when known."""

    def advance(self, steps: int = 1) -> None:
        """`steps` more of the current phase are done."""


class Silent:
    def phase(self, name: str, total: int | None = None) -> None:
        pass

    def advance(self, steps: int = 1) -> None:
        pass


SILENT = Silent()


class Lines:
    """--verbose: one line per finished phase, with its size and time, fit for a log."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.current: tuple[str, int | None, float] | None = None
        self.done = 0

    def phase(self, name: str, total: int | None = None) -> None:
        self.close()
        self.current, self.done = (name, total, time.perf_counter()), 0

    def advance(self, steps: int = 1) -> None:
        self.done += steps

    def close(self) -> None:
        if self.current is None:
            return
        name, total, started = self.current
        size = f" {self.done}/{total}" if total is not None else ""
        print(f"lvscc: {name}{size} in {time.perf_counter() - started:.2f}s", file=self.stream)
        self.current = None


class Bar:
    """A terminal's progress bar, cleared when the work is done."""

    def __init__(self, stream: TextIO) -> None:
        from rich.console import Console  # only a terminal pays for importing rich's progress
        from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
        from rich.progress import Progress as RichProgress

        console = Console(file=stream, force_terminal=True, highlight=False)
        self.bar = RichProgress(TextColumn("{task.description:<10}"), BarColumn(), MofNCompleteColumn(),
                                TimeElapsedColumn(), console=console, transient=True)
        self.task: int | None = None

    def phase(self, name: str, total: int | None = None) -> None:
        if self.task is not None:
            self.bar.remove_task(self.task)
        self.task = self.bar.add_task(name, total=total)

    def advance(self, steps: int = 1) -> None:
        if self.task is not None:
            self.bar.advance(self.task, steps)


@contextmanager
def reporting(stream: TextIO, quiet: bool = False, verbose: bool = False) -> Iterator[Progress]:
    """The reporter a command's options and its stream ask for."""
    if quiet:
        yield SILENT
    elif verbose:
        lines = Lines(stream)
        try:
            yield lines
        finally:
            lines.close()
    elif stream.isatty():
        bar = Bar(stream)
        with bar.bar:
            yield bar
    else:
        yield SILENT
