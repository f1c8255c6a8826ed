"""`lvscc import --from piranha|keepalived|ipvsadm|ldirectord FILE... [-o OUT]`: translate a foreign LVS
config into .lvs text (through lvscc.fmt) on stdout or into OUT. Every keyword that was not
translated is reported with its file:line; the exit code is 0 when the file was read in full
(warnings allowed; `--fail-on warning` as in check), 1 when something could not be translated
(an error), 2 when a file cannot be read at all."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from lvscc.commands._common import emit, exit_code
from lvscc.fmt import format_config
from lvscc.importers import IMPORTERS, import_texts, read_sources
from lvscc.load import STDIN_NAME
from lvscc.output import write_file


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("import", help="translate lvs.cf, keepalived.conf, ldirectord.cf or ipvsadm-save output to .lvs")
    parser.add_argument("--from", dest="source", choices=tuple(IMPORTERS), required=True,
                        help="format of FILE: piranha (lvs.cf), keepalived (keepalived.conf), ipvsadm (ipvsadm-save), "
                             "ldirectord (ldirectord.cf)")
    parser.add_argument("files", nargs="+", metavar="FILE",
                        help="one file per host: a keepalived pair (primary.conf backup.conf) is one cluster; "
                             "- reads stdin")
    parser.add_argument("-o", "--output", metavar="OUT", help="write the .lvs text here instead of stdout")
    parser.add_argument("--fail-on", choices=("error", "warning"), default="error",
                        help="lowest severity that makes the exit code 1 (default: error)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    try:
        sources = read_sources(args.files)
    except OSError as e:
        sys.stderr.write(f"lvscc import: cannot read {e.filename or STDIN_NAME}: {e.strerror or e}\n")
        return 2
    config, diagnostics = import_texts(args.source, sources)
    emit(diagnostics, sources, "text")
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
    return exit_code(diagnostics, args.fail_on)
