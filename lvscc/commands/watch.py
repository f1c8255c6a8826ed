"""`lvscc watch CONFIG [-o DIR] [--audit] [--interval 5s] [--format live|jsonl]
[--metrics-file FILE]`: recompile on every change of the config or its includes, re-audit the
host on kernel change notifications and every interval, and emit one event per step. Runs
until SIGINT or SIGTERM, then exits 0; SIGHUP recompiles, as it makes a daemon reload."""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from lvscc.commands._common import add_include_option

UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}
LONGEST_INTERVAL = 86400.0  # a longer poll is no audit at all, and overflows select()'s timeout


def interval(text: str) -> float:
    """`5s`, `500ms`, `2m`, or plain seconds, up to a day."""
    match = re.fullmatch(r"(\d{1,12}(?:\.\d{1,9})?)(ms|s|m|h)?", text.strip())
    if match is None or float(match[1]) <= 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive duration such as 5s, 500ms or 1m")
    seconds = float(match[1]) * UNITS[match[2] or "s"]
    if seconds > LONGEST_INTERVAL:
        raise argparse.ArgumentTypeError(f"{text!r} is longer than a day; poll at least daily (e.g. 24h)")
    return seconds


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("watch", help="recompile on config changes and re-audit on kernel changes, emitting events")
    parser.add_argument("config", metavar="CONFIG")
    parser.add_argument("-o", "--output", metavar="DIR", type=Path,
                        help="write the artifacts here after every good compile (a failed one leaves them)")
    parser.add_argument("--audit", action="store_true", help="also audit this host against the config")
    parser.add_argument("--host", metavar="NAME", help="which host of the config this is (default: the only host, else primary)")
    parser.add_argument("--interval", type=interval, default=5.0, metavar="DURATION",
                        help="with --audit: how often to poll IPVS, which sends no change notifications (default: 5s)")
    parser.add_argument("--format", choices=("live", "jsonl"), default="live",
                        help="live: a live view on a terminal, one line per event otherwise; jsonl: JSON lines")
    parser.add_argument("--metrics-file", metavar="FILE", type=Path,
                        help="Prometheus textfile for node_exporter's textfile collector (written atomically)")
    add_include_option(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from rich.console import Console

    from lvscc.watch.inotify import InotifyError
    from lvscc.watch.loop import Options, Watcher
    from lvscc.watch.view import JsonLines, Lines, LiveView

    options = Options(Path(args.config), args.output, args.audit, args.host, args.interval, args.metrics_file,
                      args.include_anywhere)
    try:
        if args.format == "jsonl":
            return Watcher(options, JsonLines(sys.stdout)).run()
        if not sys.stdout.isatty():
            return Watcher(options, Lines(sys.stdout)).run()
        with LiveView(Console()) as view:
            return Watcher(options, view).run()
    except InotifyError as e:
        print(f"lvscc watch: {e}", file=sys.stderr)
        return 2
