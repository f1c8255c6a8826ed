"""The content-hash IR cache (lvscc/ir_cache.py): a re-load of unchanged files gives the same
result without parsing; any change to the config, an include, or a missing include's absence
makes it parse again; a cache directory others may write is never read."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from lvscc import ir_cache, parse
from lvscc.load import load

REPO = Path(__file__).parents[1]
SAMPLE = REPO / "samples" / "guide-nat.lvs"
MAIN = 'lvs c {\n  include "web.lvs"\n}\n'
WEB = "service web {\n  vip 192.0.2.10 dev eth0\n  tcp 80\n  server a 198.51.100.{n}\n}\n"


@pytest.fixture
def cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path / "cache" / "lvscc"


@pytest.fixture
def unparsed(monkeypatch: pytest.MonkeyPatch):  # noqa: ANN201 - a fixture
    """Make any parse fail the test: what follows must come from the cache."""
    def refuse(*_: object) -> None:
        raise AssertionError("parsed again")
    monkeypatch.setattr(parse, "parse", refuse)


def _write(directory: Path, n: int) -> Path:
    (directory / "main.lvs").write_text(MAIN)
    (directory / "web.lvs").write_text(WEB.replace("{n}", str(n)))
    return directory / "main.lvs"


def test_unchanged_files_load_from_the_cache(cache: Path, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    first = load(SAMPLE)
    assert len(list(cache.glob("ir-*.pickle"))) == 1
    request.getfixturevalue("unparsed")
    again = load(SAMPLE)
    assert again == first and again.config is not None


def test_a_changed_include_is_parsed_again(cache: Path, tmp_path: Path) -> None:
    main = _write(tmp_path, 1)
    assert load(main).config.services[0].servers[0].address.packed[-1] == 1
    (tmp_path / "web.lvs").write_text(WEB.replace("{n}", "2"))
    assert load(main).config.services[0].servers[0].address.packed[-1] == 2


def test_an_include_that_appears_is_read(cache: Path, tmp_path: Path) -> None:
    main = _write(tmp_path, 1)
    (tmp_path / "web.lvs").unlink()
    assert [d.code for d in load(main).diagnostics] == ["LVS003"]
    (tmp_path / "web.lvs").write_text(WEB.replace("{n}", "3"))
    loaded = load(main)
    assert loaded.diagnostics == [] and loaded.config.services[0].servers[0].address.packed[-1] == 3


def test_diagnostics_come_back_from_the_cache(cache: Path, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    broken = tmp_path / "broken.lvs"
    broken.write_text("lvs c {\n  service s { tcp 80 scheduler nope }\n}\n")
    first = load(broken)
    request.getfixturevalue("unparsed")
    assert load(broken).diagnostics == first.diagnostics and {d.code for d in first.diagnostics} >= {"LVS020"}


def test_a_cache_dir_others_may_write_is_not_read(cache: Path, request: pytest.FixtureRequest) -> None:
    load(SAMPLE)
    cache.chmod(0o777)
    request.getfixturevalue("unparsed")
    with pytest.raises(AssertionError, match="parsed again"):
        load(SAMPLE)


def test_another_code_version_does_not_share_entries(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    load(SAMPLE)
    monkeypatch.setattr(ir_cache, "_code_digest", lambda: "another lvscc")
    load(SAMPLE)
    assert len(list(cache.glob("ir-*.pickle"))) == 2


def test_a_cached_check_does_not_import_lark(tmp_path: Path) -> None:
    code = ("import sys\nfrom lvscc.cli import main\ncode = main(['check', %r])\n"
            "print('lark' in sys.modules)\nsys.exit(code)\n" % str(SAMPLE))
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path)}
    runs = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, env=env,
                           timeout=120) for _ in range(2)]
    assert [r.stdout.split()[-1] for r in runs] == ["True", "False"], [r.stderr for r in runs]


@pytest.mark.parametrize("failing", ["dump", "replace"])
def test_a_failed_store_leaves_no_temporary_file(cache: Path, monkeypatch: pytest.MonkeyPatch, failing: str) -> None:
    def disk_full(*_: object, **__: object) -> None:
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(ir_cache.pickle if failing == "dump" else ir_cache.os, failing, disk_full)
    loaded = load(SAMPLE)
    assert loaded.config is not None
    assert cache.is_dir() and not list(cache.iterdir())
