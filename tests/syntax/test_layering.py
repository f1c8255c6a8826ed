"""Issue 15: the probes read dumps with lvscc/syntax and build model types; they never reach
into the planner or the auditor, and lvscc/syntax depends on nothing above the model."""

from __future__ import annotations

import ast
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


@pytest.mark.parametrize("path", sorted((PACKAGE / "probes").glob("*.py")), ids=lambda p: p.name)
def test_probes_do_not_import_plan_or_audit(path: Path) -> None:
    assert not imported(path) & {"lvscc.plan", "lvscc.audit"}


KERNEL_TOOLS = sorted(p for p in (PACKAGE / "syntax").glob("*.py") if p.name != "lvs.py")  # lvs.py: the .lvs language's own


@pytest.mark.parametrize("path", KERNEL_TOOLS, ids=lambda p: p.name)
def test_kernel_tool_syntax_depends_only_on_the_model(path: Path) -> None:
    ours = {name for name in imported(path) if name.startswith("lvscc")}
    assert all(name.startswith(("lvscc.syntax", "lvscc.model")) or name == "lvscc" for name in ours), ours
