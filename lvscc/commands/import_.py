"""`lvscc import --from piranha|keepalived|ipvsadm FILE [-o OUT]`: translate a foreign LVS
config into .lvs text (through lvscc.fmt) on stdout or into OUT. Every keyword that was not
translated is reported with its file:line; the exit code is 1 when anything was left out or
assumed (a warning or worse), 2 when the file cannot be read at all."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Callable

from lvscc.commands._common import emit
from lvscc.diagnostics import Diagnostic, Severity
from lvscc.fmt import format_config
from lvscc.importers.ipvsadm import import_ipvsadm
from lvscc.importers.keepalived import import_keepalived
from lvscc.importers.piranha import import_piranha
from lvscc.load import STDIN, STDIN_NAME, read_bytes
from lvscc.model.config import Config
from lvscc.output import write_file

IMPORTERS: dict[str, Callable[[str, str], tuple[Config | None, list[Diagnostic]]]] = {
    "piranha": import_piranha,
    "keepalived": import_keepalived,
    "ipvsadm": import_ipvsadm,
}


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("import", help="translate lvs.cf, keepalived.conf or ipvsadm-save output to .lvs")
    parser.add_argument("--from", dest="source", choices=tuple(IMPORTERS), required=True,
                        help="format of FILE: piranha (lvs.cf), keepalived (keepalived.conf), ipvsadm (ipvsadm-save -n)")
    parser.add_argument("file", metavar="FILE", help="the file to translate; - reads stdin")
    parser.add_argument("-o", "--output", metavar="OUT", help="write the .lvs text here instead of stdout")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    shown = STDIN_NAME if args.file == STDIN else args.file
    try:
        text = read_bytes(args.file).decode("utf-8")
    except (OSError, UnicodeDecodeError) as e:
        sys.stderr.write(f"lvscc import: cannot read {shown}: {getattr(e, 'strerror', None) or e}\n")
        return 2
    config, diagnostics = IMPORTERS[args.source](text, shown)
    emit(diagnostics, {shown: text}, "text")
    if config is None:
        return 2
    lvs = format_config(config)
    if args.output:
        try:
            write_file(Path(args.output), lvs)
        except OSError as e:
            sys.stderr.write(f"lvscc import: cannot write {args.output}: {e.strerror or e}\n")
            return 2
    else:
        sys.stdout.write(lvs)
    return 1 if any(d.severity.rank >= Severity.WARNING.rank for d in diagnostics) else 0
