"""`lvscc snapshot DIR`: write this machine's dump files (the ones `lvscc audit --from-dump`
reads) and profile.json, so a host can be audited later or elsewhere."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("snapshot", help="save this machine's IPVS, netfilter and sysctl state as dump files")
    parser.add_argument("directory", metavar="DIR", type=Path)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from lvscc.probes.live import write_snapshot
    from lvscc.syntax import printable

    try:
        notes = write_snapshot(args.directory)
    except OSError as error:
        print(f"lvscc snapshot: {printable(error)}", file=sys.stderr)
        return 2
    for note in notes:
        print(f"lvscc snapshot: note: {printable(note)}", file=sys.stderr)
    return 0
