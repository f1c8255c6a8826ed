"""The command line as an operator and a CI pipeline use it: exit codes, formats, the
manifest, and the all-or-nothing output directory."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from lvscc import __version__
from lvscc.cli import main

REPO = Path(__file__).parents[1]
NAT = REPO / "samples" / "guide-nat.lvs"
BROKEN = "lvs t {\n  service s { vip 192.0.2.1 tcp 80 scheduler wlcc }\n}\n"


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    out = capsys.readouterr()
    return code, out.out, out.err


def snapshot(directory: Path) -> dict[str, bytes]:
    return {str(p.relative_to(directory)): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["--version"])
    assert stop.value.code == 0 and capsys.readouterr().out.strip() == f"lvscc {__version__}"


def test_compile_writes_every_host_and_a_manifest(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    code, _, err = run(["compile", str(NAT), "-o", str(out)], capsys)
    assert code == 0, err
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["cluster"] == "example"
    hosts = {entry["host"] for entry in manifest["artifacts"]}
    assert hosts == {"primary", "backup", "web1", "web2"}
    for entry in manifest["artifacts"]:
        assert hashlib.sha256((out / entry["path"]).read_bytes()).hexdigest() == entry["sha256"]
    listed = {e["path"] for e in manifest["artifacts"]} | {"manifest.json"}
    assert set(snapshot(out)) == listed


def test_compile_is_deterministic(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for name in ("a", "b"):
        assert run(["compile", str(NAT), "-o", str(tmp_path / name)], capsys)[0] == 0
    assert snapshot(tmp_path / "a") == snapshot(tmp_path / "b")


def test_failed_compile_leaves_the_output_untouched(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    assert run(["compile", str(NAT), "-o", str(out)], capsys)[0] == 0
    before = snapshot(out)
    broken = tmp_path / "broken.lvs"
    broken.write_text(BROKEN)
    code, _, err = run(["compile", str(broken), "-o", str(out)], capsys)
    assert code == 1 and "error[LVS020]" in err
    assert snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken.lvs", "out"]  # no staging left behind


def test_compile_refuses_a_directory_it_did_not_write(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "precious.txt").write_text("keep me")
    code, _, err = run(["compile", str(NAT), "-o", str(tmp_path)], capsys)
    assert code == 2 and "not an lvscc output directory" in err
    assert (tmp_path / "precious.txt").read_text() == "keep me"


def test_recompile_replaces_stale_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    assert run(["compile", str(NAT), "-o", str(out)], capsys)[0] == 0
    (out / "primary" / "stale.conf").write_text("old")
    assert run(["compile", str(NAT), "-o", str(out), "--backend", "ipvsadm"], capsys)[0] == 0
    assert sorted(snapshot(out)) == ["backup/ipvsadm.rules", "manifest.json", "primary/ipvsadm.rules"]


def test_unknown_backend_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["compile", str(NAT), "-o", str(tmp_path / "o"), "--backend", "ipvsadmn"], capsys)
    assert code == 2 and "did you mean `ipvsadm`" in err


def test_layouts_place_files_where_the_system_loads_them(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["compile", str(NAT), "-o", str(tmp_path / "rhel"), "--layout", "rhel"], capsys)[0] == 0
    assert (tmp_path / "rhel" / "primary" / "etc" / "sysconfig" / "ipvsadm").is_file()
    assert run(["compile", str(NAT), "-o", str(tmp_path / "deb"), "--layout", "debian"], capsys)[0] == 0
    assert (tmp_path / "deb" / "primary" / "etc" / "ipvsadm.rules").is_file()


@pytest.mark.parametrize("fail_on,expected", [("error", 0), ("warning", 1)])
def test_fail_on_threshold(tmp_path: Path, capsys: pytest.CaptureFixture[str], fail_on: str, expected: int) -> None:
    config = tmp_path / "warn.lvs"
    config.write_text("lvs t {\n  service s { vip 192.0.2.1 tcp 80 }\n}\n")  # no real servers: a warning
    code, _, err = run(["check", str(config), "--fail-on", fail_on], capsys)
    assert code == expected and "warning[" in err


def test_json_and_sarif_carry_the_same_findings(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = tmp_path / "broken.lvs"
    broken.write_text(BROKEN)
    code, out, _ = run(["check", str(broken), "--format", "json"], capsys)
    findings = json.loads(out)
    assert code == 1 and [f["code"] for f in findings] == ["LVS020"]
    code, out, _ = run(["check", str(broken), "--format", "sarif"], capsys)
    sarif = json.loads(out)
    assert code == 1 and [r["ruleId"] for r in sarif["runs"][0]["results"]] == ["LVS020"]


def test_piped_output_is_plain_text(tmp_path: Path) -> None:
    broken = tmp_path / "broken.lvs"
    broken.write_text(BROKEN)
    env = {**os.environ, "FORCE_COLOR": "1"}
    done = subprocess.run([sys.executable, "-m", "lvscc", "check", str(broken)], capture_output=True, text=True,
                          env=env, cwd=REPO)
    assert done.returncode == 1
    assert "\x1b[" not in done.stderr
    assert f"{broken}:2:46: error[LVS020]: unknown scheduler `wlcc`" in done.stderr
    assert "did you mean `wlc`?" in done.stderr


@pytest.mark.parametrize("no_color,colored", [(None, True), ("1", False)])
def test_a_terminal_gets_color_unless_no_color(tmp_path: Path, no_color: str | None, colored: bool) -> None:
    import pty

    broken = tmp_path / "broken.lvs"
    broken.write_text(BROKEN)
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")} | {"TERM": "xterm"}
    if no_color:
        env["NO_COLOR"] = no_color
    leader, follower = pty.openpty()
    done = subprocess.run([sys.executable, "-m", "lvscc", "check", str(broken)], stdout=follower, stderr=follower,
                          env=env, cwd=REPO, timeout=60)
    os.close(follower)
    shown = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        shown += chunk
    os.close(leader)
    assert done.returncode == 1 and b"LVS020" in shown
    assert (b"\x1b[" in shown) is colored
