"""The wheel ships grammar/ and backends/: `pip install .` into a fresh venv, then
`lvscc compile` works from any directory."""

from __future__ import annotations

import os
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(REPO)],
                           capture_output=True, text=True)
    if built.returncode != 0:
        pytest.fail(f"building the wheel failed:\n{built.stderr}")
    return next(out.glob("lvscc-*.whl"))


def test_wheel_carries_grammar_and_every_backend(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "lvscc/_data/grammar/lvs.lark" in names
    for backend in (REPO / "backends").iterdir():
        if (backend / "backend.py").is_file():
            assert f"lvscc/_data/backends/{backend.name}/backend.py" in names


def test_installed_wheel_compiles_from_any_directory(wheel: Path, tmp_path: Path) -> None:
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    pip = subprocess.run([str(env_dir / "bin" / "pip"), "install", "-q", str(wheel)], capture_output=True, text=True)
    assert pip.returncode == 0, pip.stderr
    out = tmp_path / "out"
    clean_env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    run = subprocess.run([str(env_dir / "bin" / "lvscc"), "compile", str(REPO / "samples" / "guide-nat.lvs"),
                          "-o", str(out)], cwd="/", capture_output=True, text=True, env=clean_env)
    assert run.returncode == 0, run.stderr
    assert (out / "primary" / "ipvsadm.rules").read_text().count("-a -t 192.168.26.10:80") == 2
    assert (out / "manifest.json").is_file()
