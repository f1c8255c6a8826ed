"""The one way a test compares generated text with a reviewed file under tests/ (goldens,
importer expectations). With LVSCC_UPDATE_GOLDEN=1 the files are rewritten first, for a human
to review the diff before committing; under CI that mode is refused, so a run that is meant to
check can never regenerate what it checks (tests/conftest.py refuses it at start-up too)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

UPDATE_VARIABLE = "LVSCC_UPDATE_GOLDEN"
HINT = f"run with {UPDATE_VARIABLE}=1 and review the diff"


class UpdateRefused(RuntimeError):
    pass


def under_ci() -> bool:
    """CI services set CI (to "true", "1", ...); .ci/run sets LVS_REQUIRE_KERNEL_TESTS=1."""
    ci = os.environ.get("CI", "").strip().lower()
    return ci not in ("", "0", "false", "no") or os.environ.get("LVS_REQUIRE_KERNEL_TESTS") == "1"


def updating() -> bool:
    if os.environ.get(UPDATE_VARIABLE) != "1":
        return False
    if under_ci():
        raise UpdateRefused(f"{UPDATE_VARIABLE}=1 rewrites the files the tests compare against: refused under CI")
    return True


def expect(path: Path, actual: str) -> None:
    """`actual` must equal the reviewed file at `path`."""
    if updating():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual)
    assert path.is_file(), f"missing {path}: {HINT}"
    assert actual == path.read_text(), f"{path} differs ({HINT})"


def expect_tree(directory: Path, files: Mapping[str, str], whole_directory: bool = False) -> None:
    """Every file of `files` (relative path -> text) under `directory`; with `whole_directory`,
    also no file there that `files` lacks."""
    for relative, text in files.items():
        expect(directory / relative, text)
    if whole_directory:
        on_disk = sorted(str(p.relative_to(directory)) for p in directory.rglob("*") if p.is_file())
        assert on_disk == sorted(files), f"{directory} holds other files than were generated ({HINT})"
