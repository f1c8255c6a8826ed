"""`lvscc fmt FILE... [--check]`: rewrite configs in the canonical form of lvscc.fmt.

In place by default (temp file + rename, so a crash never leaves half a file), through
symlinks and keeping the file's mode, owner and group; `-` formats stdin to stdout. `--check`
writes nothing, lists the files that would change and exits 1 if there are any. A config that
includes other files is left alone: formatting its Config would inline the includes."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from lvscc.commands._common import emit
from lvscc.diagnostics import has_errors
from lvscc.fmt import format_config
from lvscc.load import STDIN, load
from lvscc.output import write_file


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("fmt", help="rewrite configs in canonical form")
    parser.add_argument("files", nargs="+", metavar="FILE", help="config files; - formats stdin to stdout")
    parser.add_argument("--check", action="store_true",
                        help="write nothing; list files that are not formatted and exit 1 if any")
    parser.set_defaults(run=run)


def formatted(path: str) -> tuple[str, str] | None:
    """(current text, canonical text), or None after printing why the file cannot be formatted."""
    loaded = load(path)
    if loaded.config is None or has_errors(loaded.diagnostics):
        emit(loaded.diagnostics, loaded.sources, "text")
        return None
    if len(loaded.config.files) > 1:
        sys.stderr.write(f"{path}: not formatted: it includes {', '.join(loaded.config.files[1:])}, "
                         "which formatting would inline\n")
        return None
    text = loaded.sources[loaded.config.files[0]]
    return text, format_config(loaded.config, text)


def _one(path: str, check: bool) -> int:
    result = formatted(path)
    if result is None:
        return 2
    current, canonical = result
    if check:
        if current == canonical:
            return 0
        sys.stdout.write(f"{path}\n")
        return 1
    if path == STDIN:
        sys.stdout.write(canonical)
    elif current != canonical:
        try:
            write_file(Path(path), canonical)
        except OSError as e:
            sys.stderr.write(f"lvscc fmt: cannot rewrite {path}: {e.strerror or e}\n")
            return 2
    return 0


def run(args: argparse.Namespace) -> int:
    return max(_one(path, args.check) for path in args.files)
