"""All errors of a file in one run, each once, with suggestions from where they stand (the
way ruff reports): a build error does not hide the rule findings of the rest of the file, a
missing brace is one error, a misspelt keyword is named where it is written."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from lvscc.diagnostics import Diagnostic
from lvscc.pipeline import check_file

SAMPLES = sorted(Path(__file__).parents[2].joinpath("samples").glob("*.lvs"))


def check(tmp_path: Path, text: str) -> list[Diagnostic]:
    path = tmp_path / "t.lvs"
    path.write_text(text)
    return check_file(path).diagnostics


def service(*lines: str) -> str:
    body = "\n".join(f"    {line}" for line in lines)
    return f"lvs t {{\n  service web {{\n    vip 192.0.2.10\n{body}\n    server w1 192.0.2.21\n  }}\n}}\n"


def test_a_build_error_does_not_hide_the_rule_errors(tmp_path: Path) -> None:
    found = check(tmp_path, service("tcp 80800", "scheduler wlcc"))
    assert [(d.code, d.span.line) for d in found] == [("LVS150", 4), ("LVS020", 5)]
    assert found[1].hint == "did you mean `wlc`?"


def test_rules_check_the_other_services_of_a_broken_one(tmp_path: Path) -> None:
    text = ("lvs t {\n  service a { vip 192.0.2.300 tcp 80 server w1 192.0.2.21 }\n"
            "  service b { vip 192.0.2.11 tcp 80800 server w2 192.0.2.22 }\n}\n")
    assert [(d.code, d.span.line) for d in check(tmp_path, text)] == [("LVS012", 2), ("LVS150", 3)]


def test_no_echo_of_a_malformed_value(tmp_path: Path) -> None:
    """The director's address is malformed: "has no public address" (LVS164) would be its echo,
    and so would "no vip" (LVS026) for a service whose vip is malformed."""
    text = ("lvs t {\n  director primary { public 192.0.2.999 dev eth0 }\n"
            "  service a { vip 192.0.2.300 tcp 80 server w1 192.0.2.21 }\n}\n")
    assert [d.code for d in check(tmp_path, text)] == ["LVS012", "LVS012"]


def test_one_missing_brace_is_one_error(tmp_path: Path) -> None:
    text = ("lvs t {\n  pool web\n    server w1 192.0.2.21\n    server w2 192.0.2.22\n  }\n"
            "  service web {\n    vip 192.0.2.10\n    tcp 80\n    scheduler wlc\n    servers web\n  }\n}\n")
    found = check(tmp_path, text)
    assert [(d.code, d.span.line, d.message) for d in found] == [("LVS001", 3, "unexpected `server`, expected `{`")]


@pytest.mark.parametrize("word", ["persistance", "persistent"])
def test_misspelt_keyword_after_a_scheduler_is_named_where_it_is(tmp_path: Path, word: str) -> None:
    """`scheduler` takes flags (names), so the grammar reads the next line's misspelt keyword as
    a flag and trips over its value; the error belongs on the keyword, with a suggestion."""
    (found,) = check(tmp_path, service("tcp 80", "scheduler wlc", f"{word} 300s"))
    assert (found.code, found.span.line, found.span.column) == ("LVS001", 6, 5)
    assert found.message.startswith(f"unexpected `{word}`, expected one of ")
    assert found.hint == "did you mean `persistence`?"


def test_misspelt_keyword_elsewhere_keeps_its_suggestion(tmp_path: Path) -> None:
    (found,) = check(tmp_path, service("tcp 80", "persistent 10m"))
    assert (found.span.line, found.hint) == (5, "did you mean `persistence`?")


def test_scheduler_flag_suggestion_fits_the_scheduler(tmp_path: Path) -> None:
    (found,) = check(tmp_path, service("tcp 80", "scheduler mh port"))
    assert found.code == "LVS021" and found.hint == "did you mean `mh-port`?"
    (found,) = check(tmp_path, service("tcp 80", "scheduler sh port"))
    assert found.hint == "did you mean `sh-port`?"


def test_expected_keywords_are_those_of_the_current_block(tmp_path: Path) -> None:
    (found,) = check(tmp_path, service("fwmark 80 { tcp 80-90 own }", "persistence"))
    assert found.message == "unexpected `own`, expected one of `,`, `sctp`, `tcp`, `udp` or `}`"
    (found,) = check(tmp_path, "lvs t {\n  audit { fwmarks 100-200 onw 10.0.0.0/8 }\n}\n")
    assert found.message == "unexpected `onw`, expected one of `fwmarks`, `own`, `weight` or `}`"
    assert found.hint == "did you mean `own`?"


# Malformed values the builder must reject at their token, put in place of well-formed ones.
CORRUPTIONS = [
    (re.compile(r"\b192\.168\.\d+\.\d+\b|\b192\.0\.2\.\d+\b"), "192.0.2.300", "LVS012"),
    (re.compile(r"\b\d+s\b"), "300", "LVS011"),
    (re.compile(r"(?<=weight )\d+"), "5x", "LVS010"),
]


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: p.name)
@pytest.mark.parametrize("pattern,bad,code", CORRUPTIONS, ids=[c[2] for c in CORRUPTIONS])
def test_every_malformed_value_is_reported_once_and_the_rest_still_checked(
        tmp_path: Path, sample: Path, pattern: re.Pattern[str], bad: str, code: str) -> None:
    text = sample.read_text()
    matches = list(pattern.finditer(text))
    if not matches:
        pytest.skip(f"{sample.name} has no such value")
    middle = matches[len(matches) // 2]
    broken = text[: middle.start()] + bad + text[middle.end():]
    found = check(tmp_path, broken)
    line = broken[: middle.start()].count("\n") + 1
    assert (code, line) in {(d.code, d.span.line) for d in found}
    repeated = [key for key, n in Counter((d.code, d.span, d.message) for d in found).items() if n > 1]
    assert not repeated


def test_one_missing_closing_brace_is_one_error_with_its_hint(tmp_path: Path) -> None:
    text = ("lvs t {\n  service a {\n    vip 192.0.2.1\n    tcp 80\n"
            "  service b {\n    vip 192.0.2.2\n    tcp 81\n  }\n}\n")
    (found,) = check(tmp_path, text)
    assert (found.code, found.span.line, found.hint) == ("LVS001", 5, "is a `}` missing before it?")
