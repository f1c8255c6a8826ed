"""What several subcommands share: printing diagnostics in the chosen format, and the
exit code they imply."""

from __future__ import annotations

import argparse
import sys

from lvscc.diagnostics import Diagnostic, Severity

FORMATS = ("text", "json", "sarif")


def add_diagnostic_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=FORMATS, default="text", help="how to print findings (default: text)")
    parser.add_argument("--fail-on", choices=("error", "warning"), default="error",
                        help="lowest severity that makes the exit code 1 (default: error)")


def add_include_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--allow-include-outside", dest="include_anywhere", action="store_true",
                        help="let `include` read files outside the config's own directory tree (refused by default)")


def emit(diagnostics: list[Diagnostic], sources: dict[str, str], fmt: str) -> None:
    """Text findings go to stderr, like a compiler's; machine formats are the output itself."""
    if fmt == "text" and not diagnostics:
        return
    from lvscc import diagnostic_report
    from lvscc.console import color_wanted

    if fmt == "json":
        sys.stdout.write(diagnostic_report.render_json(diagnostics) + "\n")
    elif fmt == "sarif":
        sys.stdout.write(diagnostic_report.render_sarif(diagnostics) + "\n")
    elif diagnostics:
        sys.stderr.write(diagnostic_report.render_text(diagnostics, sources, color=color_wanted(sys.stderr)))


def exit_code(diagnostics: list[Diagnostic], fail_on: str) -> int:
    threshold = Severity(fail_on).rank
    return 1 if any(d.severity.rank >= threshold for d in diagnostics) else 0
