"""The systemd units under contrib/ are what systemd itself accepts, and run commands that the
lvscc command line accepts."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

from lvscc.cli import build_parser

from .process import REPO

UNITS = sorted((REPO / "contrib" / "systemd").iterdir())
DEFAULTS = {"LVSCC_CONFIG": "/etc/lvscc/cluster.lvs", "LVSCC_METRICS": "/var/lib/prometheus/node-exporter/lvscc.prom"}


def exec_start(unit: Path) -> list[str]:
    """ExecStart with its Environment= defaults expanded the way systemd does: ${VAR} as one
    word, $VAR split on whitespace."""
    text = unit.read_text()
    env = dict(re.findall(r"^Environment=(\w+)=(.*)$", text, re.M))
    line = re.search(r"^ExecStart=(.*)$", text, re.M)[1]  # type: ignore[index]
    words: list[str] = []
    for word in shlex.split(line):
        if match := re.fullmatch(r"\$\{(\w+)\}", word):
            words.append(env[match[1]])
        elif match := re.fullmatch(r"\$(\w+)", word):
            words += env[match[1]].split()
        else:
            words.append(word)
    return words


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze not installed")
def test_systemd_accepts_the_units(tmp_path: Path) -> None:
    for unit in UNITS:  # verify needs the command to exist: point it at true(1)
        (tmp_path / unit.name).write_text(unit.read_text().replace("ExecStart=lvscc ", "ExecStart=/bin/true "))
    done = subprocess.run(["systemd-analyze", "verify", "--man=no", *(str(tmp_path / u.name) for u in UNITS)],
                          capture_output=True, text=True, timeout=60, env={"SYSTEMD_LOG_LEVEL": "warning", "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("unit", [u for u in UNITS if u.suffix == ".service"], ids=lambda u: u.name)
def test_the_units_run_commands_lvscc_accepts(unit: Path) -> None:
    argv = exec_start(unit)
    assert argv[0] == "lvscc"
    args = build_parser().parse_args(argv[1:])
    assert args.config == DEFAULTS["LVSCC_CONFIG"]
    if args.command == "watch":
        assert args.audit and args.format == "jsonl" and str(args.metrics_file) == DEFAULTS["LVSCC_METRICS"]


def test_a_bad_interval_is_a_usage_error() -> None:
    with pytest.raises(SystemExit) as stopped:
        build_parser().parse_args(["watch", "lab.lvs", "--interval", "soon"])
    assert stopped.value.code == 2


@pytest.mark.parametrize("unit", [u for u in UNITS if u.suffix == ".service"], ids=lambda u: u.name)
def test_the_units_grant_no_file_permission_bypass(unit: Path) -> None:
    """A config's include must not read what root keeps private (issue: /etc/shadow echoed)."""
    granted = re.findall(r"^(?:CapabilityBoundingSet|AmbientCapabilities)=(.*)$", unit.read_text(), re.M)
    assert granted and not any("CAP_DAC" in line or "CAP_FOWNER" in line for line in granted)
