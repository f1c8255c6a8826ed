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
