"""The documents generated from lvscc's own code (path in the repository → its maker), written
by scripts/gen-docs.py and compared with the committed copies by the tests."""

from __future__ import annotations

from typing import Callable

from lvscc.catalogue import document

GENERATED: dict[str, Callable[[], str]] = {
    "docs/rules.md": document,
}
