"""`lvscc check --target PROFILE`: a config checked against a router's snapshot profile."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lvscc.cli import main

REPO = Path(__file__).parents[1]


def profile(tmp_path: Path, **fields: object) -> Path:
    path = tmp_path / "profile.json"
    path.write_text(json.dumps({"kernel": "6.1.0-56-amd64", "ipvs_modules": ["ip_vs_rr", "ip_vs_wlc", "ip_vs_ftp"],
                                "ipvsadm_weight_max": "2147483647", **fields}))
    return path


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(args)
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def test_a_scheduler_the_target_lacks_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, output = run(["check", str(REPO / "samples" / "guide-dr.lvs"), "--target", str(profile(tmp_path))], capsys)
    assert code == 1
    assert "error[LVS201]: service http needs kernel module ip_vs_wrr" in output
    assert "service https needs kernel module ip_vs_lc" in output


def test_a_capable_target_passes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, output = run(["check", str(REPO / "samples" / "guide-nat.lvs"), "--target", str(profile(tmp_path))], capsys)
    assert code == 0, output


def test_old_kernels_stall_reused_ports_with_conntrack(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old = profile(tmp_path, kernel="5.4.0-150-generic", ipvs_modules=["ip_vs_rr", "ip_vs_ftp"])
    code, output = run(["check", str(REPO / "samples" / "guide-ftp.lvs"), "--target", str(old)], capsys)
    assert code == 0 and "warning[LVS202]" in output
    new = profile(tmp_path, kernel="6.1.0", ipvs_modules=["ip_vs_rr", "ip_vs_ftp"])
    assert "LVS202" not in run(["check", str(REPO / "samples" / "guide-ftp.lvs"), "--target", str(new)], capsys)[1]


def test_an_unreadable_profile_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "bad.json").write_text("{not json")
    code, output = run(["check", str(REPO / "samples" / "guide-nat.lvs"), "--target", str(tmp_path / "bad.json")],
                       capsys)
    assert code == 2 and "cannot read target profile" in output
