"""What a small `lvscc check` pays before it reads a line (docs: benchmarks/README.md): only the
modules the command uses, and lark's parse tables read from the user's cache instead of being
rebuilt from the grammar on every run. No timings here: benchmarks/startup.py measures them."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from lark import lark as lark_module

from lvscc import parse
from lvscc.cli import COMMANDS, build_parser
from lvscc.manual import commands

REPO = Path(__file__).parents[1]
SAMPLE = REPO / "samples" / "guide-nat.lvs"
# Each costs tens of milliseconds to import, and `check` renders, probes and watches nothing.
NOT_FOR_CHECK = ("jinja2", "rich", "pyroute2", "lvscc.render", "lvscc.importers", "lvscc.probes", "lvscc.watch",
                 "lvscc.fmt", "lvscc.audit", "lvscc.plan", "lvscc.lower", "lvscc.model.state")
# A file with findings (info LVS134): plain text on a pipe needs no rich either.
_WITH_IR_CACHE = {k: v for k, v in os.environ.items() if k != "LVSCC_NO_IR_CACHE"}
WITH_FINDINGS = REPO / "samples" / "guide-multiport.lvs"


def _imported_by(argv: list[str], cache: Path) -> set[str]:
    """The top-level packages and lvscc modules one run of `lvscc ARGV` imports, in a fresh interpreter."""
    code = ("import sys\nfrom lvscc.cli import main\n"
            f"code = main({argv!r})\n"
            "print(' '.join(sorted(sys.modules)))\n"
            "sys.exit(code)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=120,
                          env={**_WITH_IR_CACHE, "XDG_CACHE_HOME": str(cache)})
    assert done.returncode in (0, 1), done.stderr
    return set(done.stdout.split())


@pytest.mark.parametrize("fmt", ["text", "json", "sarif"])
def test_check_imports_nothing_it_does_not_use(fmt: str, tmp_path: Path) -> None:
    modules = _imported_by(["check", str(SAMPLE), "--format", fmt], tmp_path)
    assert "lvscc.pipeline" in modules  # the run did happen in this interpreter
    assert sorted(m for m in NOT_FOR_CHECK if m in modules) == []


def test_plain_findings_import_no_rich(tmp_path: Path) -> None:
    modules = _imported_by(["check", str(WITH_FINDINGS)], tmp_path)
    assert "lvscc.diagnostic_report" in modules  # findings were printed
    assert sorted(m for m in (*NOT_FOR_CHECK, "lvscc.catalogue", "tomllib") if m in modules) == []


def test_a_recheck_of_an_unchanged_file_imports_no_lark(tmp_path: Path) -> None:
    """The second check reads the IR cache: neither lark nor the scanner in front of it is loaded."""
    first = _imported_by(["check", str(SAMPLE)], tmp_path)
    again = _imported_by(["check", str(SAMPLE)], tmp_path)
    assert "lark" in first
    assert sorted(m for m in again if m.split(".")[0] == "lark" or m == "lvscc.parse_scan") == []


def test_a_command_builds_the_same_parser_alone_as_in_the_whole(tmp_path: Path) -> None:
    """`lvscc check ...` builds only check's parser: it must be the one `--help` and the man page show."""
    whole = {c.name: c.parser.format_help() for c in commands()}
    assert sorted(whole) == sorted(COMMANDS)
    for name in COMMANDS:
        (alone,) = commands(build_parser(only=name))
        assert alone.parser.format_help() == whole[name]


@pytest.fixture
def fresh_parsers(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):  # noqa: ANN201 - a fixture
    """The parsers built again, with their cache in an empty directory of the test's own."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    parse.parser.cache_clear()
    parse.fast_parser.cache_clear()
    yield tmp_path / "cache" / "lvscc"
    parse.parser.cache_clear()
    parse.fast_parser.cache_clear()


def _grammar_unread(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any build from the grammar text fails from here on: only a cached parser can be had."""
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the grammar was compiled again instead of being read from the cache")

    monkeypatch.setattr(lark_module, "load_grammar", refuse)


BROKEN = "lvs t {\n  service a {\n    schedular wlc\n    tcp 80\n  }\n}\n"  # error recovery: the pure parser


def _parse_all() -> list[object]:
    texts = [(sample.read_text(), sample.name) for sample in sorted(REPO.glob("samples/*.lvs"))]
    return [parse.parse(text, name) for text, name in [*texts, (BROKEN, "t.lvs")]]


@pytest.mark.parametrize("accelerated", [True, False], ids=["lark-cython", "pure-lark"])
def test_parse_tables_are_read_from_the_cache_on_the_next_run(
        accelerated: bool, fresh_parsers: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if accelerated:
        pytest.importorskip("lark_cython", reason="the `fast` extra is not installed")
    else:
        monkeypatch.setitem(sys.modules, "lark_cython", None)
    built = _parse_all()
    assert len(list(fresh_parsers.iterdir())) == 1
    parse.parser.cache_clear()
    parse.fast_parser.cache_clear()
    _grammar_unread(monkeypatch)
    assert _parse_all() == built


def test_a_changed_grammar_gets_new_tables(fresh_parsers: Path, monkeypatch: pytest.MonkeyPatch,
                                           tmp_path: Path) -> None:
    parse.fast_parser()
    grammar = tmp_path / "data" / "grammar"
    shutil.copytree(REPO / "grammar", grammar)
    with (grammar / "lvs.lark").open("a") as f:
        f.write("// a change\n")
    monkeypatch.setattr(parse, "data_dir", lambda name: tmp_path / "data" / name)
    parse.parser.cache_clear()
    parse.fast_parser.cache_clear()
    parse.fast_parser()
    assert len(list(fresh_parsers.iterdir())) == 2


def test_no_cache_dir_still_parses(fresh_parsers: Path) -> None:
    """A home that cannot hold a cache (read-only, absent, or not a directory): built in memory."""
    fresh_parsers.parent.write_text("not a directory")
    *samples, (_, broken) = _parse_all()
    assert all(tree is not None for tree, _ in samples) and [d.code for d in broken] == ["LVS001"]
    assert not fresh_parsers.parent.is_dir()


def test_a_cache_dir_others_may_write_is_not_read(fresh_parsers: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The cache is a pickle: one that another user could have planted must never be loaded."""
    fresh_parsers.mkdir(parents=True)
    parse.fast_parser()
    fresh_parsers.chmod(0o777)
    parse.parser.cache_clear()
    parse.fast_parser.cache_clear()
    _grammar_unread(monkeypatch)
    with pytest.raises(AssertionError, match="compiled again"):
        parse.fast_parser()
