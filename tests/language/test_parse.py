"""Syntax errors, mapped by example inputs (lark's match_examples idea): each broken text must
give its code, at its position, in words an operator reads — never a lark-internal name."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest
from lark import Lark, logger

from lvscc.load import load_text
from lvscc.parse import parse, parser
from lvscc.resources import data_dir

SAMPLES = sorted(Path(__file__).parents[2].joinpath("samples").glob("*.lvs"))

# (text, code, line, column, message fragment, hint fragment or None)
SYNTAX_EXAMPLES = [
    ("lvs x {\n  service a {\n    schedular wlc\n    tcp 80\n  }\n}\n", "LVS001", 3, 5, "unexpected `schedular`",
     "did you mean `scheduler`?"),
    ("lvs x {\n  service a {\n    tcp 80\n", "LVS002", 3, 11, "unexpected end of file", "line 2, column 13"),
    ("lvs x {\n  service a { tcp 80 $ }\n}\n", "LVS001", 2, 22, "unexpected `$`", None),
    ('lvs x {\n  service a { check { send "abc } }\n}\n', "LVS002", 2, 28, "unterminated string", 'close the string'),
    ("lvs x {\n  service a { udp }\n}\n", "LVS001", 2, 19, "expected a number", None),
    ("lvs x {\n  director primery { public 192.0.2.1 }\n}\n", "LVS001", 2, 12, "expected one of `backup` or `primary`",
     "did you mean `primary`?"),
    ("lvs x { forwarding nat { gatway 10.0.0.1/24 } }", "LVS001", 1, 26, "unexpected `gatway`", "did you mean `gateway`?"),
    ("lvs x { } }", "LVS001", 1, 11, "unexpected `}`", None),
    ("\x00\x01lvs", "LVS001", 1, 1, "\\x00\\x01", None),
]


@pytest.mark.parametrize("text,code,line,column,message,hint", SYNTAX_EXAMPLES)
def test_syntax_errors_read_like_a_compiler(text: str, code: str, line: int, column: int, message: str,
                                            hint: str | None) -> None:
    tree, diagnostics = parse(text, "t.lvs")
    assert tree is None
    first = diagnostics[0]
    assert (first.code, first.span.line, first.span.column) == (code, line, column)
    assert message in first.message
    if hint:
        assert first.hint and hint in first.hint
    internal = {t.name for t in parser().terminals} | {"$END"}
    for d in diagnostics:
        words = set(re.findall(r"[A-Z_$]{2,}\w*", d.message))
        assert not words & internal and "__ANON" not in d.message, d.message


def test_every_broken_line_is_reported_once() -> None:
    text = "lvs x {\n  service a { tcp 80 foo }\n  service b { udp }\n  service c { vip }\n}\n"
    _, diagnostics = parse(text, "t.lvs")
    assert [(d.span.line, d.code) for d in diagnostics] == [(2, "LVS001"), (3, "LVS001"), (4, "LVS001")]


def test_grammar_has_no_lalr_conflicts(caplog: pytest.LogCaptureFixture) -> None:
    """lark resolves a shift/reduce conflict silently as a shift; a conflict means some text
    parses differently from how it reads, so the grammar must have none."""
    logger.setLevel(logging.DEBUG)
    with caplog.at_level(logging.DEBUG, logger="lark"):
        Lark.open(str(data_dir("grammar") / "lvs.lark"), parser="lalr", debug=True)
    assert not [r for r in caplog.records if "conflict" in r.getMessage().lower()]


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: p.name)
def test_samples_parse(sample: Path) -> None:
    tree, diagnostics = parse(sample.read_text(), str(sample))
    assert diagnostics == [] and tree is not None


def test_keywords_may_be_names_where_a_name_is_expected() -> None:
    config, diagnostics = load_text("lvs service { pool tcp { server server 192.0.2.1 } "
                                    "service check { vip 192.0.2.1 tcp 80 servers tcp } }")
    assert diagnostics == []
    assert config is not None and config.services[0].name == "check"
    assert config.services[0].servers[0].name == "server"
