"""`lvscc plan CONFIG [--host NAME] [--from-dump DIR]`: print the shell commands that bring the
host back to its config, fewest first-safe (see lvscc/plan.py). Changes nothing itself.
Exit 0 when nothing is to do, 1 when the plan has commands, 2 on error."""

from __future__ import annotations

import argparse
import sys

from lvscc.commands.audit import FAILURES, add_target_options, audit_target
from lvscc.plan import PlanOptions, plan, render
from lvscc.probes import NFT
from lvscc.syntax import Refused, printable


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("plan", help="print the commands that repair a host's drift")
    add_target_options(parser)
    parser.add_argument("--netfilter", choices=("nft", "iptables"),
                        help="where missing netfilter rules go (default: where ours already are, else nft)")
    parser.set_defaults(run=run)


def _netfilter(observed_rules: list[object]) -> str:
    # Keep missing rules next to the ones the host already has from us.
    origins = [getattr(r, "origin", None) for r in observed_rules]
    files = {o.file for o in origins if o is not None}
    return "iptables" if files and NFT not in files else "nft"


def run(args: argparse.Namespace) -> int:
    try:
        audited = audit_target(args)
    except FAILURES as error:
        print(f"lvscc plan: {printable(error)}", file=sys.stderr)
        return 2
    observed = audited.observation.state
    options = PlanOptions(
        netfilter=args.netfilter or _netfilter([*observed.marks, *observed.masquerades, *observed.redirects]),
        nft_table=audited.config.audit.nft_table,
        arp_chains=audited.intent.arp_chains,
    )
    try:
        commands = plan(audited.report.drifts, options)
        text = render(commands)
    except Refused as error:
        print(f"lvscc plan: {printable(error)}", file=sys.stderr)
        return 2
    sys.stdout.write(text)
    return 1 if commands else 0
