"""POSIX shell: quoting words and here-documents for the scripts lvscc prints or writes
(the repair plan, the real-server kit)."""

from __future__ import annotations

import re
import secrets
import shlex
from typing import Iterable

from lvscc.syntax import Refused


def quote(value: object) -> str:
    """One shell word, whatever the value holds."""
    return shlex.quote(str(value))


def join(argv: Iterable[object]) -> str:
    return " ".join(quote(word) for word in argv)


def comment(text: object) -> str:
    """Text safe inside a one-line comment of any of our formats: printable ASCII only."""
    return re.sub(r"[^\x20-\x7e]", "?", str(text))


def heredoc(argv: Iterable[object], body: str) -> str:
    """A command reading `body` from a quoted here-document. The delimiter is random per call
    and checked absent from the body, so no line of the body can end the document early."""
    if body and not body.endswith("\n"):
        raise Refused("a here-document body must end with a newline")
    while True:
        delimiter = f"LVSCC_EOF_{secrets.token_hex(8)}"
        if delimiter not in body:
            return f"{join(argv)} <<'{delimiter}'\n{body}{delimiter}"


# Printable ASCII and shlex's own whitespace, without a quote or a backslash: where shlex.split
# and str.split agree, which is every line ipvsadm-save prints.
_PLAIN = re.compile(r"[ \t\r\n!#-&(-\[\]-~]*")


def words(text: str) -> list[str]:
    """shlex.split of a short line (callers cap line length first)."""
    if _PLAIN.fullmatch(text):
        return text.split()  # a tenth of shlex's time: reading a 100,000-line dump is mostly this
    try:
        return shlex.split(text)
    except ValueError as error:
        raise Refused(f"cannot split {text[:60]!r}: {error}") from None


_MODULE = re.compile(r"[A-Za-z0-9_-]{1,55}")


def module(value: object) -> str:
    """A kernel module name for modprobe (MODULE_NAME_LEN is 56 with the NUL)."""
    text = str(value)
    if not _MODULE.fullmatch(text):
        raise Refused(f"kernel module {text[:40]!r} is not a module name")
    return text
