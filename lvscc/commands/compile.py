"""`lvscc compile FILE -o DIR`: every artifact of every host, plus DIR/manifest.json;
atomic — on any error DIR is left exactly as it was."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from lvscc.commands._common import add_diagnostic_options, add_include_option, emit, exit_code
from lvscc.diagnostics import has_errors
from lvscc.output import OutputError, manifest, write
from lvscc.pipeline import compile_file
from lvscc.progress import reporting
from lvscc.render import LAYOUTS, Backend, BackendChoiceError, select


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("compile", help="compile a config into the files each host loads")
    parser.add_argument("file", metavar="FILE", help="the config; - reads stdin")
    parser.add_argument("-o", "--output", required=True, metavar="DIR", help="output directory (replaced as a whole)")
    parser.add_argument("--backend", action="append", metavar="NAME",
                        help="a backend or set (repeatable): NAME, default, all, +NAME / -NAME (default set plus/minus NAME)")
    parser.add_argument("--layout", choices=LAYOUTS, default="flat",
                        help="flat: DIR/HOST/FILE; rhel, debian: each file where that system loads it at boot")
    add_diagnostic_options(parser)
    add_include_option(parser)
    shown = parser.add_mutually_exclusive_group()
    shown.add_argument("-q", "--quiet", action="store_true", help="print findings only: no progress, no summary")
    shown.add_argument("-v", "--verbose", action="store_true", help="print each phase with its size and time")
    parser.set_defaults(run=run)


def _select(names: list[str] | None) -> list[Backend]:
    try:
        return select(names)
    except BackendChoiceError as e:
        raise SystemExit(f"lvscc compile: {e}") from None


def run(args: argparse.Namespace) -> int:
    try:
        backends = _select(args.backend)
    except SystemExit as stop:
        print(stop, file=sys.stderr)
        return 2
    with reporting(sys.stderr, args.quiet, args.verbose) as progress:
        result = compile_file(args.file, backends, args.layout, progress, include_anywhere=args.include_anywhere)
    emit(result.diagnostics, result.sources, args.format)
    if result.unreadable:
        return 2
    if result.config is None or has_errors(result.diagnostics):
        return 1
    text = manifest(result.artifacts, result.config.name, args.file, args.layout)
    try:
        with reporting(sys.stderr, args.quiet, args.verbose) as progress:
            write(Path(args.output), result.artifacts, text, progress)
    except (OutputError, OSError) as e:
        print(f"lvscc compile: {e}", file=sys.stderr)
        return 2
    if args.format == "text" and not args.quiet:
        print(f"wrote {len(result.artifacts)} files for {len({a.host for a in result.artifacts})} hosts to {args.output}",
              file=sys.stderr)
    return exit_code(result.diagnostics, args.fail_on)
