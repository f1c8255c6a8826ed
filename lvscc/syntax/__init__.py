"""One module per kernel tool's syntax (ipvsadm, nft, iptables, arptables, sysctl, shell).

Each formats and parses its tool's lines and is the only place where a value becomes that
tool's text: it validates the value against the tool's grammar and refuses (`Refused`) what
does not fit, so text from a dump, a live router or a config can never leave its quoting.
See docs/language.md and SECURITY.md for what lvscc trusts."""

from __future__ import annotations

# Longer lines than any tool writes for one rule are refused before they are split: splitting
# is linear, but a multi-megabyte "line" is an attack or a corrupt dump, not a rule.
MAX_LINE = 16384


class Refused(ValueError):
    """A value that does not fit the syntax it would be written in; commands report it in one
    line and exit 2."""


def printable(text: object) -> str:
    """Untrusted text made safe to show on one line of a terminal, a comment or a report:
    control characters (ESC, BEL, newlines) and lone surrogates become `?`."""
    return "".join(c if c.isprintable() and not "\ud800" <= c <= "\udfff" else "?" for c in str(text))


def checked_line(line: str, where: str) -> str:
    if len(line) > MAX_LINE:
        raise Refused(f"{where}: line longer than {MAX_LINE} characters")
    return line
