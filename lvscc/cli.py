"""`lvscc` command line: one module per subcommand under lvscc/commands/, each with
`register(subparsers)` setting `run` to a function of the parsed args returning the exit code.
Exit codes follow diff(1): 0 clean, 1 findings, 2 usage or I/O error.

Start-up is what an editor or a pre-commit hook pays on every run, so a command imports only
its own module: the full parser (every command, for `--help`, the man page and the completion)
is built only when the first argument names no command."""

from __future__ import annotations

import argparse
import importlib
import sys

from lvscc import __version__

# command name → module under lvscc/commands/ (`import` is a Python keyword)
COMMANDS = {"check": "check", "compile": "compile", "fmt": "fmt", "import": "import_", "audit": "audit",
            "plan": "plan", "snapshot": "snapshot", "watch": "watch", "explain": "explain", "serve": "serve"}


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """Every command's parser, or only the named command's: the top-level parser has no
    option but --help and --version, so once argv[0] names a command the others are never read."""
    parser = argparse.ArgumentParser(prog="lvscc", description="Compile and audit Linux Virtual Server clusters.")
    parser.add_argument("--version", action="version", version=f"lvscc {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, module_name in COMMANDS.items():
        if only is not None and name != only:
            continue
        try:
            module = importlib.import_module(f"lvscc.commands.{module_name}")
        except ModuleNotFoundError as missing:
            if missing.name != f"lvscc.commands.{module_name}":
                raise
            continue
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    named = argv[0] if argv and argv[0] in COMMANDS else None
    args = build_parser(named).parse_args(argv)
    try:
        return args.run(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
