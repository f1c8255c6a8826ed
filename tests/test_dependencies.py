"""What lvscc needs at run time, and what only speeds it up: lark-cython is an accelerator
(the pure-lark path gives the same configs and diagnostics), pyroute2 a test dependency that
lvscc itself never imports (its import alone costs about 250 ms)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from lvscc import parse
from lvscc.load import load_file, load_text
from lvscc.probes import ProbeError
from lvscc.pipeline import host_intent
from lvscc.watch.steps import audit_step

REPO = Path(__file__).parents[1]
SAMPLES = sorted(REPO.joinpath("samples").glob("*.lvs"))
BROKEN = [
    "lvs t {\n  service a {\n    schedular wlc\n    tcp 80\n  }\n}\n",
    "lvs t {\n  pool web\n    server w1 192.0.2.21\n  }\n}\n",
    "lvs t { service s { vip 192.0.2.300 tcp 80800 scheduler wlcc } }\n",
]


def _results() -> list[object]:
    return [load_file(sample) for sample in SAMPLES] + [load_text(text, "t.lvs") for text in BROKEN]


@pytest.fixture
def pure_lark(monkeypatch: pytest.MonkeyPatch):  # noqa: ANN201 - a fixture
    """lvscc as it runs where lark-cython is not installed."""
    monkeypatch.setitem(sys.modules, "lark_cython", None)  # `import lark_cython` raises ImportError
    parse.fast_parser.cache_clear()
    yield
    parse.fast_parser.cache_clear()


def test_lark_cython_accelerates_when_installed() -> None:
    pytest.importorskip("lark_cython", reason="the `fast` extra is not installed")
    parse.fast_parser.cache_clear()
    assert parse.fast_parser() is not parse.parser()


def test_pure_lark_path_gives_the_same_configs_and_diagnostics(pure_lark: None) -> None:
    pure = _results()
    assert parse.fast_parser() is parse.parser()
    parse.fast_parser.cache_clear()
    sys.modules.pop("lark_cython")
    pytest.importorskip("lark_cython", reason="the `fast` extra is not installed")
    accelerated = _results()
    assert parse.fast_parser() is not parse.parser()
    assert pure == accelerated
    assert all(config is not None for config, _ in pure[: len(SAMPLES)])


def _run_python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO)


def test_commands_never_import_pyroute2(tmp_path: Path) -> None:
    sample = REPO / "samples" / "guide-nat.lvs"
    done = _run_python(
        "import sys\n"
        "sys.modules['pyroute2'] = None  # any import of it fails\n"
        "from lvscc.cli import main\n"
        f"assert main(['check', {str(sample)!r}]) == 0\n"
        f"assert main(['compile', {str(sample)!r}, '-o', {str(tmp_path / 'out')!r}]) == 0\n"
        "from lvscc.load import load_file\n"
        "from lvscc.pipeline import host_intent\nfrom lvscc.watch.steps import audit_step\n"
        f"config, _ = load_file({str(sample)!r})\n"
        "def blocked():\n"
        "    raise PermissionError(1, 'Operation not permitted')\n"
        "outcome, _ = audit_step(config, host_intent(config, None), blocked)\n"
        "assert outcome.failure\n"
        "print('ok')\n")
    assert done.returncode == 0 and done.stdout.endswith("ok\n"), done.stderr


@pytest.mark.parametrize("refusal", [PermissionError(1, "Operation not permitted"),
                                     ProbeError("reading IPVS over generic netlink needs CAP_NET_ADMIN")])
def test_a_blocked_audit_is_reported_not_a_traceback(refusal: Exception) -> None:
    config, _ = load_file(REPO / "samples" / "guide-nat.lvs")
    assert config is not None

    def blocked() -> tuple[dict[str, str], tuple[str, ...]]:
        raise refusal

    outcome, read = audit_step(config, host_intent(config, None), blocked)
    assert read is None and outcome.failure and outcome.failure.startswith("cannot read the host: ")
