"""The documents generated from lvscc's own code (path in the repository → its maker), written
by scripts/gen-docs.py and compared with the committed copies by the tests."""

from __future__ import annotations

from typing import Callable

from lvscc.catalogue import document
from lvscc.manual import bash_completion, man_page

GENERATED: dict[str, Callable[[], str]] = {
    "docs/rules.md": document,
    "docs/lvscc.1": man_page,
    "contrib/completion/lvscc.bash": bash_completion,
}
