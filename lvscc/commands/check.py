"""`lvscc check FILE...`: parse and validate, print every finding, write nothing."""

from __future__ import annotations

import argparse
import sys

from lvscc.commands._common import add_diagnostic_options, add_include_option, emit, exit_code


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("check", help="validate configs and print every finding")
    parser.add_argument("files", nargs="+", metavar="FILE", help="config files; - reads stdin")
    parser.add_argument("--target", metavar="PROFILE",
                        help="also check against a router's capabilities: the profile.json `lvscc snapshot` wrote there")
    add_diagnostic_options(parser)
    add_include_option(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from lvscc.pipeline import check_file

    if args.target:  # the profile's rules lower the config: the lowering stage is imported for --target only
        from lvscc.router_profile import ProfileError, check_against_profile, load_profile
    try:
        profile = load_profile(args.target) if args.target else None
    except ProfileError as e:
        print(f"lvscc check: {e}", file=sys.stderr)
        return 2
    results = [check_file(f, include_anywhere=args.include_anywhere) for f in args.files]
    diagnostics = [d for r in results for d in r.diagnostics]
    if profile is not None:
        diagnostics += [d for r in results if r.config is not None for d in check_against_profile(r.config, profile)]
    sources = {name: text for r in results for name, text in r.sources.items()}
    emit(diagnostics, sources, args.format)
    if any(r.unreadable for r in results):
        return 2
    return exit_code(diagnostics, args.fail_on)
