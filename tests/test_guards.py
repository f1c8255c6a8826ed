"""The suite's own guards: golden update mode cannot run under CI, and a missing prerequisite
fails a real-tool test under LVS_REQUIRE_KERNEL_TESTS=1 instead of skipping it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import goldenfile
import prerequisites

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(("ci", "require", "refused"), [
    ("true", "", True), ("1", "", True), ("", "1", True), ("", "", False), ("false", "", False),
])
def test_golden_update_is_refused_under_ci(monkeypatch: pytest.MonkeyPatch, ci: str, require: str, refused: bool) -> None:
    monkeypatch.setenv(goldenfile.UPDATE_VARIABLE, "1")
    monkeypatch.setenv("CI", ci)
    monkeypatch.setenv(prerequisites.REQUIRE_VARIABLE, require)
    if refused:
        with pytest.raises(goldenfile.UpdateRefused):
            goldenfile.updating()
    else:
        assert goldenfile.updating() is True


def test_golden_update_refused_under_ci_never_writes(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(goldenfile.UPDATE_VARIABLE, "1")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(goldenfile.UpdateRefused):
        goldenfile.expect(tmp_path / "golden.txt", "new text")
    assert not (tmp_path / "golden.txt").exists()


def test_golden_mismatch_fails_without_update(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(goldenfile.UPDATE_VARIABLE, raising=False)
    (tmp_path / "golden.txt").write_text("reviewed\n")
    with pytest.raises(AssertionError):
        goldenfile.expect(tmp_path / "golden.txt", "changed\n")
    with pytest.raises(AssertionError):
        goldenfile.expect(tmp_path / "missing.txt", "anything\n")
    with pytest.raises(AssertionError):
        goldenfile.expect_tree(tmp_path, {"other.txt": ""}, whole_directory=True)


def test_pytest_refuses_to_start_in_update_mode_under_ci() -> None:
    """Collect-only, so that a guard that failed could still not rewrite a golden file."""
    env = {**os.environ, goldenfile.UPDATE_VARIABLE: "1", "CI": "true"}
    done = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "tests/test_fmt.py"],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == pytest.ExitCode.USAGE_ERROR, done.stdout + done.stderr
    assert "refused under CI" in done.stderr


def test_missing_prerequisite_fails_when_required(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(prerequisites.REQUIRE_VARIABLE, "1")
    with pytest.raises(pytest.fail.Exception, match="must run here"):
        prerequisites.unavailable("needs keepalived")
    monkeypatch.delenv(prerequisites.REQUIRE_VARIABLE)
    with pytest.raises(pytest.skip.Exception, match="needs keepalived"):
        prerequisites.unavailable("needs keepalived")


def test_a_mutation_run_keeps_only_the_tests_it_names() -> None:
    """`make mutate MUTATE_TESTS=...`: a folder keeps its tests and not a file that merely
    starts with its name; a file keeps its own; unset, nothing is deselected."""
    def collected(selection: str | None) -> list[str]:
        env = {k: v for k, v in os.environ.items() if k != "LVSCC_MUTATE_TESTS"}
        if selection is not None:
            env["LVSCC_MUTATE_TESTS"] = selection
        done = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider",
                               "tests/syntax", "tests/test_guards.py"],
                              cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stdout + done.stderr
        return [line for line in done.stdout.splitlines() if "::" in line]
    everything = collected(None)
    files = {line.split("::")[0] for line in everything}
    assert "tests/test_guards.py" in files and any(f.startswith("tests/syntax/") for f in files)
    assert {line.split("::")[0] for line in collected("tests/syntax")} == files - {"tests/test_guards.py"}
    assert {line.split("::")[0] for line in collected("tests/syn tests/test_guards.py")} == {"tests/test_guards.py"}
    assert collected("") == everything
