"""Fidelity: what lvscc's ipvsadm backend writes is exactly what the kernel keeps. Each director's
ipvsadm.rules is loaded into a fresh namespace and `ipvsadm-save -n` must print it back byte for
byte (minus comments and --set, which save does not print)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from .ipvs import CASES, REPO, assert_round_trip, compile_director_rules, compiler_available, kernel_lines

SOURCES = sorted((REPO / "samples").glob("*.lvs")) + sorted(CASES.glob("*.lvs"))
HAND_WRITTEN = sorted(CASES.glob("*.ipvsadm"))

needs_compiler = pytest.mark.skipif(not compiler_available(), reason="lvscc has no compile command yet")


def _id(path: Path) -> str:
    return str(path.relative_to(REPO))


@pytest.mark.kernel
@needs_compiler
@pytest.mark.parametrize("source", SOURCES, ids=_id)
def test_compiled_rules_load_and_save_back(source: Path, netns_factory: Callable[[], str], tmp_path: Path) -> None:
    rules = compile_director_rules(source, tmp_path)
    assert rules, f"no host of {source.name} got an ipvsadm.rules"
    for host, text in rules.items():
        assert_round_trip(netns_factory(), text, f"{_id(source)} host {host}")


@pytest.mark.kernel
@pytest.mark.parametrize("expected", HAND_WRITTEN, ids=_id)
def test_hand_written_rules_are_what_ipvsadm_save_prints(expected: Path, ipvs_netns: str) -> None:
    """The expectations the traffic tests fall back on are themselves kernel-canonical."""
    assert_round_trip(ipvs_netns, expected.read_text(), _id(expected))


@needs_compiler
@pytest.mark.parametrize("expected", HAND_WRITTEN, ids=_id)
def test_compiled_lab_cases_match_hand_written_rules(expected: Path, tmp_path: Path) -> None:
    compiled = compile_director_rules(expected.with_suffix(".lvs"), tmp_path)
    assert "primary" in compiled
    assert {host: kernel_lines(text) for host, text in compiled.items()} == dict.fromkeys(
        compiled, kernel_lines(expected.read_text())
    )
