"""Any bytes in a config file give diagnostics and exit 1 or 2, never a traceback: hypothesis
mutates the shipped samples and runs the whole `lvscc check` and `compile` path on them."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lvscc.cli import main
from tests.mutation import mutate

SAMPLES = {p.name: p.read_bytes() for p in sorted(Path(__file__).parents[1].joinpath("samples").glob("*.lvs"))}
TOKENS = [b"{", b"}", b"{" * 300, b'"', b"\\", b"#", b"\n", b"\x00", b"\xff\xfe", b"99999999999999999999999999",
          b"0x", b"-", b",", b"/", b":", b"[", b"]", b"\xe2\x80\xae", "\u00e9t\u00e9".encode(), b"\t", b"\r\n",
          b"service", b"server", b"fwmark", b"tcp 0", b"ftp", b"include \"x.lvs\"", b"weight", b"1-", b"::"]


@st.composite
def mutated_sample(draw: st.DrawFn) -> bytes:
    return mutate(draw, SAMPLES[draw(st.sampled_from(sorted(SAMPLES)))], TOKENS)


def run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(args)
    captured = capsys.readouterr()
    return code, captured.out + captured.err


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=mutated_sample())
def test_mutated_samples_never_crash(data: bytes, capsys: pytest.CaptureFixture[str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp, "fuzz.lvs")
        config.write_bytes(data)
        code, output = run_cli(["check", str(config)], capsys)
        assert code in (0, 1), output
        assert "Traceback" not in output
        code, output = run_cli(["compile", str(config), "-o", str(Path(tmp, "out"))], capsys)
        assert code in (0, 1), output
        assert "Traceback" not in output


@pytest.mark.parametrize("data", [b"", b"\x00" * 64, b"{" * 20000, b"}" * 100, b"lvs x {" * 2000,
                                  b"lvs x { service s { vip 192.0.2.1 tcp 99999999999999999999999999999 } }",
                                  "lvs \u00e9 { }".encode()])
def test_edge_inputs_exit_1_with_diagnostics(data: bytes, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "edge.lvs"
    config.write_bytes(data)
    code, output = run_cli(["check", str(config)], capsys)
    assert code == 1 and "error[LVS" in output and "Traceback" not in output


def test_missing_file_is_an_io_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, output = run_cli(["check", str(tmp_path / "absent.lvs")], capsys)
    assert code == 2 and "cannot read" in output


def test_a_byte_order_mark_is_not_content(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "bom.lvs"
    config.write_bytes(b"\xef\xbb\xbf" + SAMPLES["guide-nat.lvs"])
    assert run_cli(["check", str(config)], capsys)[0] == 0
