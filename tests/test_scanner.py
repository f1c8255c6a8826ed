"""The scanner (lvscc/parse_scan.py) against lark alone: where the scanner reads a file, its tree
is lark's, token for token and position for position; with or without it, loading a file gives
the same IR and the same diagnostics (code, message, file:line:col, hint). Over samples/, every
.lvs under tests/, the imports of the real-world corpus, generated big files and
hypothesis-generated configs, with lines broken the ways people break them."""

from __future__ import annotations

import sys
from dataclasses import fields, is_dataclass
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lark import Tree

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "benchmarks"))
sys.path.insert(0, str(REPO / "tests" / "roundtrip"))
sys.path.insert(0, str(REPO / "tests" / "importers"))

from gen import lvs as generated_lvs  # noqa: E402
from real_world import corpus_files  # noqa: E402
from strategies import config_text  # noqa: E402

from lvscc.load import load_text  # noqa: E402
from lvscc.parse import fast_parser  # noqa: E402
from lvscc.parse_scan import scan  # noqa: E402

LVS_FILES = sorted({*REPO.glob("samples/**/*.lvs"), *REPO.glob("tests/**/*.lvs")})


def _flat(node: object) -> object:
    if isinstance(node, Tree):
        return str(node.data), [_flat(c) for c in node.children]
    return (node.type, str(node.value), node.start_pos, node.line, node.column, node.end_line,
            node.end_column, node.end_pos)


def _dump(value: object) -> object:
    """Every field of the IR, spans (compare=False in the model) included."""
    if is_dataclass(value) and not isinstance(value, type):
        return type(value).__name__, tuple(_dump(getattr(value, f.name)) for f in fields(value))
    if isinstance(value, (tuple, list)):
        return tuple(_dump(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((k, _dump(v)) for k, v in value.items()))
    return repr(value)


def _lark_tree(text: str) -> object:
    try:
        return _flat(fast_parser().parse(text))
    except Exception:  # noqa: BLE001 - any lark error: the scanner must not read the file either
        return None


def _loaded(text: str, file: str) -> tuple[object, list[str]]:
    config, diagnostics = load_text(text, file)
    return _dump(config), [f"{d.span} {d.code} {d.severity} {d.message} | {d.hint} | {d.span!r}" for d in diagnostics]


def assert_same(text: str, file: str = "x.lvs") -> bool:
    """Scanner and lark agree on `text`; True when the scanner read it (did not hand it all to lark)."""
    scanned = scan(text)
    if scanned is not None:
        assert _flat(scanned) == _lark_tree(text)
    with_scanner = _loaded(text, file)
    with mock.patch("lvscc.parse_scan.scan", return_value=None):
        assert _loaded(text, file) == with_scanner
    return scanned is not None


@pytest.mark.parametrize("path", LVS_FILES, ids=lambda p: str(p.relative_to(REPO)))
def test_files_of_the_repository(path: Path) -> None:
    assert_same(path.read_text(encoding="utf-8-sig"), str(path.relative_to(REPO)))


def test_the_repository_files_are_scanned_at_all() -> None:
    """Most well-formed files are read by the scanner (so the comparisons above compare it)."""
    read = [p for p in LVS_FILES if scan(p.read_text(encoding="utf-8-sig")) is not None]
    assert len(read) > len(LVS_FILES) // 2


@pytest.mark.parametrize(("services", "servers"), [(1, 1), (3, 5), (40, 20)])
def test_generated_big_files_are_scanned_and_agree(services: int, servers: int) -> None:
    assert assert_same(generated_lvs(services, servers), "big.lvs")


BIG = generated_lvs(3, 3)
SERVER_LINE = "    server r1x0 10.0.0.4 weight 1"


@pytest.mark.parametrize("line", [
    "    server r1x0 10.0.0.4 weight abc",  # not a NUMBER: a syntax error
    "    server r1x0 10.0.0.4 weight 12x",  # a NUMBER the builder refuses
    "    server r1x0 10.0.0.4 weight 99999999999999999999999",
    "    server r1x0 10.0.0.4 port 70000",
    "    server r1x0 10.0.0.4 port",
    "    server r1x0 10.0.0.400 weight 1",
    "    server r1x0 10.0.0 weight 1",
    "    server r1x0 10.0.0.4/33",
    "    server r1x0 10.0.0.4:99999",
    "    server r1x0 10.0.0.4-1",
    "    server r1x0 2001:db8::g",
    "    server port 10.0.0.4",  # a keyword as a name
    "    server r1x0 10.0.0.4 weight1",
    "    server r1x0 10.0.0.4weight 1",
    "    server r1x0 10.0.0.4 weight 1 # a comment",
    "    server r1x0 10.0.0.4 weight 1#a comment",
    "\tserver\tr1x0\t10.0.0.4\tweight\t1\t",
    "\fserver r1x0 10.0.0.4 weight 1\r",
    "    server r1x0\u00a010.0.0.4 weight 1",
    "    server r1x0 10.0.0.4 weight 1 tcp 80",
    "    server r1x0 10.0.0.4 weight 1 }",
    "    server r1x0 10.0.0.4 weight 1 nat inactive upper 5 lower 1",
    "    server r1x0 10.0.0.4 weight 1 \"x\"",
    "    server r1x0 10.0.0.4 weight -1",
    "    server r1x0 10.0.0.4 weight 0x10",
    "    vip 198.51.100.1 dev eth0:toolongdevicename",
    "    vip 198.51.100.1 dev",
    "    tcp 8o",
    "    tcp",
    "    scheduler wlcc",
    "    scheduler sh sh-prt",
    "    scheduler sh server",
    "    persistance 300s",
    "    persistence 300",
    "    persistence 300s 5",
    "    check { timeout 5 }",
    "    check { timeout 5s",
    "    check {timeout 5s}",
    "    check { timeout 5s } }",
    "    weight 3",
    "    }",
    "    {",
    "",
])
def test_a_broken_line_gives_lark_s_diagnostics(line: str) -> None:
    lines = BIG.split("\n")
    index = lines.index(SERVER_LINE)
    assert_same("\n".join(lines[:index] + [line] + lines[index + 1:]), "big.lvs")


def test_a_file_with_an_error_is_left_to_lark() -> None:
    assert scan(BIG.replace(SERVER_LINE, SERVER_LINE + " weight x")) is None
    assert scan(BIG.replace("lvs bench {", "lvs bench {{")) is None
    assert scan(BIG + "}\n") is None
    assert scan(BIG.rstrip().rstrip("}")) is None


def test_lvs_inside_lvs_is_left_to_lark() -> None:
    assert scan(BIG.replace("  ipvs {", "  lvs inner { }\n  ipvs {")) is None


BREAKS = st.sampled_from([
    ("weight", ["weight x", "weight 12x", "weight 99999999999999999999999", "weight", "weight1", "weight 0x1f"]),
    ("port", ["port 70000", "port x", "port", "tcp 80", "portx 1"]),
    ("198.51.100.", ["198.51.100.300.", "198.51.100", "198.51.100.1/40 ", "198.51.100.1-"]),
    ("2001:db8::", ["2001:db8::g", "2001:db8:::"]),
    (" ", ["\t", "  ", "\f", " \r ", "\u00a0", " # c\n ", "\n"]),
    ("\n", ["\n#\n", "  # comment\n", "\n\n", "\r\n", " "]),
    ("}", ["} }", "", "}\n}"]),
    ("{", ["{ {", ""]),
    ("server rs", ["server port", "server server", "server _", "server rs-"]),
    ("scheduler", ["scheduler sh sh-fallback\n  ", "scheduler nat", "persistence 5s\n  scheduler"]),
    ("persistence", ["persistence 30s netmask 255.255.255.0\n  persistence", "persistance"]),
    ("vip ", ["vip\n", "vip 1.2.3.4 dev eth0 "]),
])


@st.composite
def broken_config(draw: st.DrawFn) -> str:
    """A generated config, with the k-th occurrence of a piece of it replaced by a broken or oddly
    spaced one."""
    text = draw(config_text())
    for _ in range(draw(st.integers(0, 2))):
        old, replacements = draw(BREAKS)
        found = text.count(old)
        if found:
            k = draw(st.integers(0, found - 1))
            at = -1
            for _ in range(k + 1):
                at = text.index(old, at + 1)
            text = text[:at] + draw(st.sampled_from(replacements)) + text[at + len(old):]
    return text


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(config_text())
def test_generated_configs(text: str) -> None:
    assert_same(text)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(broken_config())
def test_generated_configs_broken(text: str) -> None:
    assert_same(text)


def test_real_world_imports() -> None:
    """Each corpus file keepalived's importer reads, written as .lvs by fmt."""
    from lvscc.fmt import format_config
    from lvscc.importers import import_files

    files = corpus_files()
    if not files:
        pytest.skip("no real-world corpus next to the repository")
    read = 0
    for path in files:
        try:
            config, _ = import_files("keepalived", [str(path)])
        except Exception:  # noqa: BLE001 - the importer's own tests judge its failures
            continue
        if config is not None:
            read += assert_same(format_config(config), f"{path.name}.lvs")
    assert read > len(files) // 3
