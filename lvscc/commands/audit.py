"""`lvscc audit CONFIG [--host NAME] [--from-dump DIR]`: compare a host with its config.
Exit 0 in sync (quiesced servers and foreign objects are information), 1 drift, 2 error."""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, replace
from pathlib import Path

from lvscc.audit import diff, scope_for
from lvscc.drift_report import FORMATS, Report, failed_run, render
from lvscc.model.config import Config, WeightPolicy
from lvscc.model.state import HostState
from lvscc.probes import Observation, ProbeError, from_dumps, observe
from lvscc.syntax import printable


class AuditError(Exception):
    """Config, host or dump trouble: reported on stderr, exit 2."""


@dataclass(frozen=True)
class Audited:
    config: Config
    intent: HostState
    observation: Observation
    report: Report


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


def _load(path: str) -> Config:
    from lvscc.diagnostics import has_errors
    from lvscc.pipeline import check_file
    from lvscc.report import render_text

    checked = check_file(path)
    if checked.config is None or has_errors(checked.diagnostics):
        sys.stderr.write(render_text(checked.diagnostics, checked.sources, color=False))
        raise AuditError(f"{path}: the config does not compile; run `lvscc check`")
    return checked.config


def _host(config: Config, name: str | None) -> HostState:
    from lvscc.lower import lower

    try:
        return lower(config).chosen(name)
    except LookupError as e:
        raise AuditError(str(e)) from None


def audit_target(args: argparse.Namespace) -> Audited:
    config = _load(args.config)
    if args.weight:
        config = replace(config, audit=replace(config.audit, weight=WeightPolicy(args.weight)))
    intent = _host(config, args.host)
    table = config.audit.nft_table
    if args.from_dump is not None:
        observation, source = from_dumps(args.from_dump, intent.host, intent.role, table), str(args.from_dump)
    else:
        from lvscc.probes.live import collect

        texts, notes = collect()
        found = observe(texts, intent.host, intent.role, table)
        observation = Observation(found.state, found.sections, tuple(notes) + found.notes)
        source = "live"
    scope = scope_for(intent, config.audit, observation.sections)
    drifts = diff(intent, observation.state, config.audit, scope)
    report = Report(intent.host, source, tuple(drifts), observation.sections, observation.notes,
                    config.files[0] if config.files else None)
    return Audited(config, intent, observation, report)


def run(args: argparse.Namespace) -> int:
    try:
        audited = audit_target(args)
    except (AuditError, ProbeError, OSError) as error:
        print(f"lvscc audit: {printable(error)}", file=sys.stderr)
        document = failed_run(args.format, str(error))
        if document is not None:
            sys.stdout.write(document)
        return 2
    sys.stdout.write(render(audited.report, args.format))
    return 0 if audited.report.in_sync else 1
