"""`lvscc` command line: one module per subcommand under lvscc/commands/, each with
`register(subparsers)` setting `run` to a function of the parsed args returning the exit code.
Exit codes follow diff(1): 0 clean, 1 findings, 2 usage or I/O error."""

from __future__ import annotations

import argparse
import importlib
import sys

from lvscc import __version__

COMMANDS = ("check", "compile", "fmt", "import_", "audit", "plan", "snapshot", "watch", "explain", "serve")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="lvscc", description="Compile and audit Linux Virtual Server clusters.")
    parser.add_argument("--version", action="version", version=f"lvscc {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"lvscc.commands.{name}")
        except ModuleNotFoundError as missing:
            if missing.name != f"lvscc.commands.{name}":
                raise
            continue
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
