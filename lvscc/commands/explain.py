"""`lvscc explain CODE`: what a diagnostic code protects, an example and the fix, from the
diagnostic catalogue (like `ruff rule`). `--all` prints every code, `--list` one line each."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict

from lvscc.catalogue import UnknownCode, catalogue, lookup, markdown
from lvscc.diagnostics import did_you_mean


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("explain", help="explain a diagnostic code: what it protects, an example, the fix")
    parser.add_argument("code", nargs="?", metavar="CODE", help="a code such as LVS101")
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--all", action="store_true", help="explain every code")
    which.add_argument("--list", action="store_true", help="one line per code: code, severity, title")
    parser.add_argument("--format", choices=("text", "json"), default="text", help="how to print (default: text)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if bool(args.code) == (args.all or args.list):  # exactly one of them
        print("lvscc explain: give a CODE, or --all, or --list", file=sys.stderr)
        return 2
    try:
        entries = [lookup(args.code)] if args.code else list(catalogue().values())
    except UnknownCode:
        hint = did_you_mean(args.code.upper(), catalogue())
        print(f"lvscc explain: unknown code {args.code}" + (f" ({hint})" if hint else ""), file=sys.stderr)
        return 2
    if args.format == "json":
        rows = [{**asdict(e), "severity": e.severity.value, "stage": e.stage, "help_uri": e.help_uri} for e in entries]
        print(json.dumps(rows if not args.code else rows[0], indent=2, ensure_ascii=False))
    elif args.list:
        print("\n".join(f"{e.code}  {e.severity.value:<7}  {e.title}" for e in entries))
    else:
        print("\n".join(markdown(e) for e in entries), end="")
    return 0
