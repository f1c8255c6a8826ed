"""`lvscc check FILE...`: parse and validate, print every finding, write nothing."""

from __future__ import annotations

import argparse

from lvscc.commands._common import add_diagnostic_options, emit, exit_code
from lvscc.pipeline import check_file


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("check", help="validate configs and print every finding")
    parser.add_argument("files", nargs="+", metavar="FILE")
    add_diagnostic_options(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    results = [check_file(f) for f in args.files]
    diagnostics = [d for r in results for d in r.diagnostics]
    sources = {name: text for r in results for name, text in r.sources.items()}
    emit(diagnostics, sources, args.format)
    if any(r.unreadable for r in results):
        return 2
    return exit_code(diagnostics, args.fail_on)
