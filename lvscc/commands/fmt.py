"""`lvscc fmt FILE... [--check]`: rewrite configs in the canonical form of lvscc.fmt.

In place by default (temp file + rename, so a crash never leaves half a file); `--check`
writes nothing, lists the files that would change and exits 1 if there are any. A config that
includes other files is left alone: formatting its Config would inline the includes."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from lvscc.commands._common import emit
from lvscc.diagnostics import has_errors
from lvscc.fmt import format_config
from lvscc.load import load


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("fmt", help="rewrite configs in canonical form")
    parser.add_argument("files", nargs="+", metavar="FILE")
    parser.add_argument("--check", action="store_true",
                        help="write nothing; list files that are not formatted and exit 1 if any")
    parser.set_defaults(run=run)


def write_atomically(path: Path, text: str) -> None:
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        if path.exists():
            os.chmod(temp, path.stat().st_mode & 0o7777)
        os.replace(temp, path)
    except BaseException:
        os.unlink(temp)
        raise


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
    text = loaded.sources[str(path)]
    return text, format_config(loaded.config, text)


def run(args: argparse.Namespace) -> int:
    status = 0
    for path in args.files:
        result = formatted(path)
        if result is None:
            status = 2
            continue
        current, canonical = result
        if current == canonical:
            continue
        if args.check:
            sys.stdout.write(f"{path}\n")
            status = max(status, 1)
        else:
            write_atomically(Path(path), canonical)
    return status
