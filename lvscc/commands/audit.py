"""`lvscc audit CONFIG [--host NAME] [--from-dump DIR]`: compare a host with its config.
Exit 0 in sync (quiesced servers and foreign objects are information), 1 drift, 2 error."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from lvscc.drift_report import FORMATS, failed_run, render
from lvscc.model.config import WeightPolicy
from lvscc.pipeline import Audited, AuditError, Uncompiled, audit_file
from lvscc.probes import ProbeError
from lvscc.syntax import printable

# What stops an audit before it has a report: exit 2, one line on stderr.
FAILURES = (AuditError, ProbeError, OSError)


def add_target_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("config", metavar="CONFIG")
    parser.add_argument("--host", metavar="NAME", help="which host of the config this is (default: the only host, else primary)")
    parser.add_argument("--from-dump", metavar="DIR", type=Path, help="audit the dump files `lvscc snapshot` wrote, not this machine")
    parser.add_argument("--weight", choices=[w.value for w in WeightPolicy],
                        help="how real-server weights are judged, overriding the config's `audit { weight ... }`: "
                             "quiesce (0 is quiesced, other changes drift), managed (every change drifts), "
                             "observed/ignore (a health checker owns them)")


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("audit", help="report where a host differs from its config")
    add_target_options(parser)
    parser.add_argument("--format", choices=FORMATS, default="table", help="report format (default: table)")
    parser.set_defaults(run=run)


def audit_target(args: argparse.Namespace) -> Audited:
    """The audit the target options describe; a config with errors has them shown on stderr."""
    try:
        return audit_file(args.config, args.host, args.from_dump, WeightPolicy(args.weight) if args.weight else None)
    except Uncompiled as error:
        from lvscc.diagnostic_report import render_text

        sys.stderr.write(render_text(error.checked.diagnostics, error.checked.sources, color=False))
        raise


def run(args: argparse.Namespace) -> int:
    try:
        audited = audit_target(args)
    except FAILURES as error:
        print(f"lvscc audit: {printable(error)}", file=sys.stderr)
        document = failed_run(args.format, str(error))
        if document is not None:
            sys.stdout.write(document)
        return 2
    sys.stdout.write(render(audited.report, args.format))
    return 0 if audited.report.in_sync else 1
