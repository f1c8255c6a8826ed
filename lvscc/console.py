"""Where commands print: rich on a terminal, plain text when piped or when NO_COLOR is set."""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:  # rich takes longer to import than a small check takes to run
    from rich.console import Console


def color_wanted(stream: TextIO) -> bool:
    return stream.isatty() and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"


def console(stream: TextIO | None = None) -> Console:
    from rich.console import Console

    stream = stream or sys.stdout
    wanted = color_wanted(stream)
    return Console(file=stream, force_terminal=wanted, no_color=not wanted, highlight=False,
                   soft_wrap=True, emoji=False)
