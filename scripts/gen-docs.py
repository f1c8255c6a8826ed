#!/usr/bin/env python3
"""Regenerate the documents lvscc derives from its own code: docs/rules.md from the diagnostic
catalogue. Run after changing lvscc/catalogue.toml; a test fails while the committed copy
differs from what this writes."""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from lvscc.docs import GENERATED  # noqa: E402


def main() -> int:
    for relative, make in GENERATED.items():
        (REPO / relative).write_text(make(), encoding="utf-8")
        print(f"wrote {relative}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
