"""docs/domain.md is the project's own reference: every pointer into it from the code, the
catalogue or the docs names a section or a V-number that exists, and nothing points at a
reference outside the repository any more."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).parents[1]
DOMAIN = (REPO / "docs" / "domain.md").read_text(encoding="utf-8")
SECTIONS = [title.lower() for title in re.findall(r"^## (.+)$", DOMAIN, re.M)]
ROWS = set(re.findall(r"^\| (V\d\d) \|", DOMAIN, re.M))


def _texts() -> dict[str, str]:
    paths = [*REPO.joinpath("lvscc").rglob("*.py"), *REPO.joinpath("tests").rglob("*.py"),
             *REPO.joinpath("lvscc", "backends").rglob("*.j2"), REPO / "lvscc" / "catalogue.toml", REPO / "README.md",
             *REPO.joinpath("docs").glob("*.md")]
    return {str(p.relative_to(REPO)): p.read_text(encoding="utf-8") for p in paths
            if p.is_file() and p.suffix in (".py", ".toml", ".md", ".j2")}


def test_the_table_has_v01_to_v35() -> None:
    assert ROWS == {f"V{n:02d}" for n in range(1, 36)}


def test_section_pointers_name_a_section() -> None:
    for name, text in _texts().items():
        for pointed in re.findall(r"docs/domain\.md: ([\w.' -]+?)[)\"\n,]", text):
            assert any(title.startswith(pointed.lower().strip()) for title in SECTIONS), (name, pointed)


def test_v_numbers_in_code_and_catalogue_exist() -> None:
    for name, text in _texts().items():
        if name == "docs/domain.md":
            continue
        for number in re.findall(r"\bV\d\d\b", text):
            assert number in ROWS, (name, number)


def test_nothing_points_outside_the_repository() -> None:
    outside = "lvs-domain" + ".md"  # split, or this test would find itself
    assert [name for name, text in _texts().items() if outside in text] == []
