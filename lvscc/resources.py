"""Find grammar/ and docs/ the same way in a source checkout and an installed wheel."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def data_dir(name: str) -> Path:
    """`grammar` or `docs`: top level in a checkout, lvscc/_data/ in a wheel."""
    for candidate in (_PACKAGE / "_data" / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"lvscc installation is missing its {name}/ directory")
