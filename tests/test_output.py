"""`compile -o DIR` replaces only lvscc's own trees, and swaps a new tree in so that no kill,
however timed, leaves DIR missing; a killed run's leftovers go on the next run."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from lvscc.cli import main

from test_cli import NAT, run, snapshot

# A compile in a child that kills itself with SIGKILL right after the first rename-like call
# that touches the target: the moment a two-step swap leaves it missing.
KILL_AT_SWAP = textwrap.dedent("""
    import os, pathlib, signal, sys
    import lvscc.output as output
    target = os.path.abspath(sys.argv[2])

    def killing(original):
        def call(*args, **kwargs):
            result = original(*args, **kwargs)
            if any(os.path.abspath(str(a)) == target for a in args[:2]):
                os.kill(os.getpid(), signal.SIGKILL)
            return result
        return call

    os.rename = killing(os.rename)
    pathlib.Path.rename = killing(pathlib.Path.rename)
    if hasattr(output, "exchange"):
        output.exchange = killing(output.exchange)
    from lvscc.cli import main
    main(["compile", sys.argv[1], "-o", target, *sys.argv[3:]])
""")


def _killed_compile(out: Path, *extra: str) -> int:
    done = subprocess.run([sys.executable, "-c", KILL_AT_SWAP, str(NAT), str(out), *extra],
                          capture_output=True, text=True, timeout=120)
    return done.returncode


def test_a_directory_with_a_foreign_manifest_is_left_alone(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    webapp = tmp_path / "webapp"
    (webapp / "src").mkdir(parents=True)
    (webapp / "manifest.json").write_text(json.dumps({"name": "webapp", "icons": []}))
    (webapp / "index.html").write_text("<html></html>")
    (webapp / "src" / "app.js").write_text("run()")
    before = snapshot(webapp)
    code, _, err = run(["compile", str(NAT), "-o", str(webapp)], capsys)
    assert code == 2 and "not an lvscc output directory" in err
    assert snapshot(webapp) == before


@pytest.mark.parametrize("text", ["[]", "null", "{\"generator\": \"lvscc-ish\"}", "\xff"])
def test_a_manifest_that_is_not_lvscc_s_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "manifest.json").write_text(text, encoding="latin-1")
    assert run(["compile", str(NAT), "-o", str(out)], capsys)[0] == 2
    assert [p.name for p in out.iterdir()] == ["manifest.json"]


def test_an_lvscc_tree_is_replaced(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    assert run(["compile", str(NAT), "-o", str(out)], capsys)[0] == 0
    assert json.loads((out / "manifest.json").read_text())["generator"].startswith("lvscc ")
    assert run(["compile", str(NAT), "-o", str(out), "--backend", "ipvsadm"], capsys)[0] == 0
    assert sorted(snapshot(out)) == ["backup/ipvsadm.rules", "manifest.json", "primary/ipvsadm.rules"]


def test_a_kill_at_the_swap_never_leaves_the_target_missing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    assert main(["compile", str(NAT), "-o", str(out)]) == 0
    assert _killed_compile(out, "--backend", "ipvsadm") == -signal.SIGKILL
    assert (out / "manifest.json").is_file()
    assert sorted(snapshot(out)) == ["backup/ipvsadm.rules", "manifest.json", "primary/ipvsadm.rules"]
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".out.")], "the kill left no leftover to clean"
    assert run(["compile", str(NAT), "-o", str(out)], capsys)[0] == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_without_exchange_a_killed_swap_is_repaired_by_the_next_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    import lvscc.output as output

    out = tmp_path / "out"
    assert run(["compile", str(NAT), "-o", str(out)], capsys)[0] == 0
    before = snapshot(out)
    # What a kill between the fallback's two renames leaves: the tree retired beside the target.
    out.rename(tmp_path / ".out.old.abcd1234")
    (tmp_path / ".out.k2j4h5g6").mkdir()
    (tmp_path / ".out.k2j4h5g6" / output.STAGING_MARK).touch()
    monkeypatch.setattr(output, "exchange", lambda a, b: False)
    assert run(["compile", str(NAT), "-o", str(out), "--backend", "ipvsadm"], capsys)[0] == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
    assert snapshot(out) != before and (out / "primary" / "ipvsadm.rules").is_file()


def test_leftovers_that_are_not_lvscc_s_are_kept(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    mine = tmp_path / ".out.notes123"
    mine.mkdir()
    (mine / "todo.txt").write_text("keep")
    assert run(["compile", str(NAT), "-o", str(tmp_path / "out")], capsys)[0] == 0
    assert (mine / "todo.txt").read_text() == "keep"


def test_a_symlinked_output_keeps_its_link(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    real = tmp_path / "gen"
    assert run(["compile", str(NAT), "-o", str(real)], capsys)[0] == 0
    (tmp_path / "current").symlink_to("gen")
    assert run(["compile", str(NAT), "-o", str(tmp_path / "current"), "--backend", "ipvsadm"], capsys)[0] == 0
    assert (tmp_path / "current").is_symlink()
    assert sorted(snapshot(real)) == ["backup/ipvsadm.rules", "manifest.json", "primary/ipvsadm.rules"]
