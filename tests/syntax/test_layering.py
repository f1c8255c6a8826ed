"""Issue 15: the probes read dumps with lvscc/syntax and build model types; they never reach
into the planner, the auditor or lowering; lvscc/syntax depends on nothing above the model; the
rules read the config through the model and never import lowering (a check never lowers: the
lowering package costs a check about 11 ms, benchmarks/README.md)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "lvscc"


def imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def _lowering(names: set[str]) -> set[str]:
    return {name for name in names if name == "lvscc.lower" or name.startswith("lvscc.lower.")}


@pytest.mark.parametrize("path", sorted((PACKAGE / "probes").glob("*.py")), ids=lambda p: p.name)
def test_probes_do_not_import_plan_audit_or_lowering(path: Path) -> None:
    names = imported(path)
    assert not names & {"lvscc.plan", "lvscc.audit"} and not _lowering(names)


@pytest.mark.parametrize("path", sorted((PACKAGE / "rules").glob("*.py")), ids=lambda p: p.name)
def test_rules_do_not_import_lowering(path: Path) -> None:
    assert not _lowering(imported(path))


@pytest.mark.parametrize("path", sorted((PACKAGE / "model").glob("*.py")), ids=lambda p: p.name)
def test_the_model_depends_on_nothing_above_it(path: Path) -> None:
    ours = {name for name in imported(path) if name.startswith("lvscc")}
    assert all(name.startswith("lvscc.model") for name in ours), ours


def test_checking_a_config_loads_no_lowering_module() -> None:
    """The static tests above miss an import that arrives through a third module."""
    code = ("import sys\nfrom lvscc.pipeline import check_file\n"
            f"check_file({str(PACKAGE.parent / 'samples' / 'guide-nat.lvs')!r})\n"
            "print(' '.join(m for m in sys.modules if m.startswith(('lvscc.lower', 'lvscc.audit', 'lvscc.plan'))))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert done.stdout.split() == []


KERNEL_TOOLS = sorted(p for p in (PACKAGE / "syntax").glob("*.py") if p.name != "lvs.py")  # lvs.py: the .lvs language's own


@pytest.mark.parametrize("path", KERNEL_TOOLS, ids=lambda p: p.name)
def test_kernel_tool_syntax_depends_only_on_the_model(path: Path) -> None:
    ours = {name for name in imported(path) if name.startswith("lvscc")}
    assert all(name.startswith(("lvscc.syntax", "lvscc.model")) or name == "lvscc" for name in ours), ours
