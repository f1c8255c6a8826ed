"""Every rule proves itself on a failing sample (cases/LVS1NN-*.lvs) and, for the main rules,
on a passing neighbour (passing/LVS1NN-*.lvs). Adding a file adds a test."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from lvscc.diagnostics import Diagnostic, Severity
from lvscc.load import load_file
from lvscc.rules import NEEDED_BY, check, docstrings, needs

HERE = Path(__file__).parent
CASES = sorted((HERE / "cases").glob("*.lvs"))
PASSING = sorted((HERE / "passing").glob("*.lvs"))
CODE = re.compile(r"LVS1\d\d")


def _diagnose(path: Path) -> list[Diagnostic]:
    config, found = load_file(path)
    assert config is not None, [f"{d.code} {d.message}" for d in found]
    return found + check(config) + needed(config, _code_of(path))


def needed(config, code: str) -> list[Diagnostic]:  # noqa: ANN001
    """A rule only some backends need runs as those backends run it."""
    backends = NEEDED_BY.get(code, ())
    return [d for backend in backends for d in needs(config, backend) if d.code == code]


def _code_of(path: Path) -> str:
    match = CODE.match(path.name)
    assert match, f"{path.name} does not start with a rule code"
    return match.group()


def _serious(found: list[Diagnostic]) -> set[str]:
    """Codes of errors and warnings; info is guidance that may accompany any sample."""
    return {d.code for d in found if d.severity is not Severity.INFO}


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_failing_case_produces_exactly_its_code(path: Path) -> None:
    code = _code_of(path)
    found = _diagnose(path)
    assert code in {d.code for d in found}
    assert _serious(found) <= {code}, [f"{d.code} {d.message}" for d in found]


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_case_points_into_its_file(path: Path) -> None:
    code = _code_of(path)
    lines = path.read_text().splitlines()
    for diagnostic in (d for d in _diagnose(path) if d.code == code):
        assert diagnostic.span.file == str(path)
        assert 1 <= diagnostic.span.line <= len(lines)
        assert diagnostic.hint


@pytest.mark.parametrize("path", PASSING, ids=[p.stem for p in PASSING])
def test_passing_neighbour_is_clean(path: Path) -> None:
    found = _diagnose(path)
    assert _code_of(path) not in {d.code for d in found}
    assert not _serious(found), [f"{d.code} {d.message}" for d in found]


def test_case_files_name_their_rule_first() -> None:
    for path in CASES + PASSING:
        first = path.read_text().splitlines()[0]
        assert first.startswith(f"# {_code_of(path)}"), path.name


def test_every_rule_has_a_case_and_a_docstring() -> None:
    described = docstrings()
    assert described, "no rules registered"
    covered = {_code_of(path) for path in CASES}
    assert set(described) - covered == set()
    assert covered - set(described) == set(), "case files for codes no rule emits"
    for code, doc in described.items():
        assert len(doc) > 30, f"{code} needs a docstring saying what breaks"
