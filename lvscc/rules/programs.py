"""Command lines lvscc hands to a health-check daemon, judged the way the daemon splits them."""

from __future__ import annotations

import shlex
from typing import Iterable

from lvscc.diagnostics import Finding
from lvscc.model.config import Config
from lvscc.rules import error, rule


def split_error(program: str) -> str | None:
    """Why `program` cannot be split into a command and its arguments, or None. keepalived
    splits misc_path like a POSIX shell (quotes and backslashes), and skips the check whose
    line does not split; docs/language.md, `send-program`."""
    try:
        words = shlex.split(program)
    except ValueError as e:
        return str(e).lower()
    return None if words else "no command"


@rule("LVS173")
def send_program_splits(config: Config) -> Iterable[Finding]:
    """keepalived drops a MISC_CHECK whose command line has an unbalanced quote or a trailing
    backslash (`missing terminating '`), so that real server is never checked again."""
    for service in config.services:
        check = service.check
        if check is None or check.send_program is None:
            continue
        problem = split_error(check.send_program)
        if problem is not None:
            yield error(f"service {service.name}: send-program cannot be split into a command: {problem}",
                        check.span, "balance its quotes and end no word with a backslash, as in a shell")
