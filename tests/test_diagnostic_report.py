"""The three renderers of a diagnostics list: compiler-style text, JSON, SARIF 2.1.0."""

from __future__ import annotations

import json
import re
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from lvscc.diagnostics import Diagnostic, Severity, error, info, warning
from lvscc.model.span import NOWHERE, Span
from lvscc.catalogue import catalogue
from lvscc.diagnostic_report import render_json, render_sarif, render_text, summary

ANSI = re.compile(r"\x1b\[[0-9;]*m")
FILE = "samples/bad.lvs"
SOURCE = "\n" * 13 + "    server web1 10.11.12.1:8080\n"
REMAP = error(
    "LVS101",
    "direct routing cannot remap ports: service http listens on 80, server web1 on 8080",
    Span(FILE, 14, 5, 14, 32),
    "drop the port, or use `forwarding nat` for this service",
)


def _caret_line(text: str) -> str:
    return next(line for line in text.splitlines() if "^" in line)


# ---- text -----------------------------------------------------------------------------------


def test_text_is_compiler_style() -> None:
    assert render_text([REMAP], {FILE: SOURCE}, color=False) == (
        "samples/bad.lvs:14:5: error[LVS101]: direct routing cannot remap ports: "
        "service http listens on 80, server web1 on 8080\n"
        "   |\n"
        "14 |     server web1 10.11.12.1:8080\n"
        "   |     ^^^^^^^^^^^^^^^^^^^^^^^^^^^\n"
        "   = hint: drop the port, or use `forwarding nat` for this service\n"
        "\n"
        "1 error\n"
    )


def test_summary_counts_by_severity() -> None:
    found = [warning("LVS111", "w"), error("LVS101", "e"), error("LVS103", "e"), info("LVS119", "i")]
    assert summary(found) == "2 errors, 1 warning, 1 info"
    assert render_text(found, {}, color=False).endswith("\n2 errors, 1 warning, 1 info\n")
    assert render_text([], {}, color=False) == ""


def test_caret_follows_tabs_and_wide_characters() -> None:
    source = "\tname \"日本\" x\n"
    span = Span("t.lvs", 1, 12, 1, 13)  # the x after a tab and two wide characters
    text = render_text([error("LVS001", "m", span)], {"t.lvs": source}, color=False)
    shown = next(line for line in text.splitlines() if line.startswith("1 | "))
    caret = _caret_line(text)
    assert "\t" not in text
    assert caret.index("^") == len("1 | ") + len("    name \"") + 4 + len("\" ")
    assert shown.endswith("x")


def test_span_past_the_source_shows_only_the_header() -> None:
    beyond = error("LVS101", "m", Span("t.lvs", 99, 1, 99, 5), "h")
    text = render_text([beyond], {"t.lvs": "one line\n"}, color=False)
    assert text.startswith("t.lvs:99:1: error[LVS101]: m\n")
    assert "^" not in text and "= hint: h" in text


def test_column_past_the_line_end_puts_one_caret_at_the_end() -> None:
    text = render_text([error("LVS1", "m", Span("t.lvs", 1, 40, 1, 2))], {"t.lvs": "abc\n"}, color=False)
    assert _caret_line(text) == "  |    ^"


def test_multi_line_span_underlines_to_the_end_of_its_first_line() -> None:
    text = render_text([error("LVS1", "m", Span("t.lvs", 1, 2, 3, 1))], {"t.lvs": "abcd\nef\ng\n"}, color=False)
    assert _caret_line(text) == "  |  ^^^"


def test_unlocated_and_unknown_file_diagnostics() -> None:
    text = render_text([warning("LVS1", "m", NOWHERE), error("LVS2", "n", Span("gone.lvs", 2, 1, 2, 3))], {},
                       color=False)
    assert text.splitlines()[0] == "warning[LVS1]: m"
    assert "gone.lvs:2:1: error[LVS2]: n" in text


def test_color_only_when_asked_and_user_text_is_never_markup() -> None:
    tricky = error("LVS1", "service [bold]x[/bold] \\[", Span("t.lvs", 1, 1, 1, 4), "[red]hint")
    sources = {"t.lvs": "[b]c\n"}
    plain = render_text([tricky], sources, color=False)
    colored = render_text([tricky], sources, color=True)
    assert not ANSI.search(plain)
    assert ANSI.search(colored)
    assert ANSI.sub("", colored) == plain
    assert "service [bold]x[/bold] \\[" in plain and "[red]hint" in plain and "1 | [b]c" in plain


lines = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40)


@settings(max_examples=300, deadline=None)
@given(
    source=st.lists(lines, max_size=5).map("\n".join),
    line=st.integers(-2, 8),
    column=st.integers(-2, 60),
    end_line=st.integers(-2, 8),
    end_column=st.integers(-2, 60),
)
def test_text_never_crashes(source: str, line: int, column: int, end_line: int, end_column: int) -> None:
    found = error("LVS1", "m", Span("f.lvs", line, column, end_line, end_column), "h")
    for color in (False, True):
        text = render_text([found], {"f.lvs": source}, color=color)
        plain = ANSI.sub("", text)
        assert plain.endswith("\n1 error\n")
        shown = plain.splitlines()
        if shown[1].endswith(" |"):  # a snippet: gutter, source line, then the carets
            assert re.fullmatch(r" +\| *\^+", shown[3])


# ---- JSON -----------------------------------------------------------------------------------


def test_json_objects() -> None:
    rows = json.loads(render_json([REMAP, info("LVS134", "note", NOWHERE)]))
    assert rows[0] == {
        "code": "LVS101", "severity": "error", "message": REMAP.message, "file": FILE,
        "line": 14, "column": 5, "end_line": 14, "end_column": 32, "hint": REMAP.hint,
    }
    assert rows[1]["severity"] == "info"
    assert rows[1]["file"] is None and rows[1]["line"] is None and rows[1]["hint"] is None


# ---- SARIF ----------------------------------------------------------------------------------


def _assert_sarif(log: dict) -> None:
    """The properties SARIF 2.1.0 requires, and the ones GitHub code scanning reads."""
    assert log["version"] == "2.1.0"
    assert log["$schema"].endswith("sarif-2.1.0.json")
    (run,) = log["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "lvscc"
    ids = [rule["id"] for rule in driver["rules"]]
    assert len(ids) == len(set(ids))
    for rule in driver["rules"]:
        if "shortDescription" in rule:
            assert rule["shortDescription"]["text"]
    for result in run["results"]:
        assert ids[result["ruleIndex"]] == result["ruleId"]
        assert result["level"] in ("error", "warning", "note")
        assert result["message"]["text"]
        for location in result.get("locations", []):
            physical = location["physicalLocation"]
            assert physical["artifactLocation"]["uri"]
            region = physical["region"]
            assert region["startLine"] >= 1 and region["startColumn"] >= 1
            assert region["endLine"] >= region["startLine"]
            if region["endLine"] == region["startLine"]:
                assert region["endColumn"] >= region["startColumn"]


def test_sarif_structure_and_rules_from_the_catalogue() -> None:
    found = [REMAP, warning("LVS111", "w", Span("/abs/x.lvs", 3, 7, 3, 2)), info("LVS999", "other", NOWHERE)]
    log = json.loads(render_sarif(found))
    _assert_sarif(log)
    driver = log["runs"][0]["tool"]["driver"]
    rules = {rule["id"]: rule for rule in driver["rules"]}
    assert set(catalogue()) | {"LVS999"} == set(rules)
    remap = rules["LVS101"]
    assert remap["shortDescription"]["text"] == "direct routing cannot remap ports"
    assert remap["fullDescription"]["text"].startswith("Direct routing and tunnelling only change")
    docs, anchor = remap["helpUri"].split("#")
    assert docs.startswith("file:///") and docs.endswith("/docs/rules.md") and anchor == "LVS101"
    assert '<a id="LVS101"></a>' in Path(docs.removeprefix("file://")).read_text()
    assert "Fix: Drop the server's port" in remap["help"]["text"]
    assert remap["defaultConfiguration"] == {"level": "error"}
    for code in ("LVS001", "LVS020", "LVS201", "LVS350", "LVS500"):  # parse, build, target, backend, import
        assert rules[code]["help"]["text"] and rules[code]["helpUri"].endswith(f"#{code}")
    assert rules["LVS999"] == {"id": "LVS999"}
    first, second, third = log["runs"][0]["results"]
    assert first["level"] == "error" and first["ruleId"] == "LVS101"
    assert first["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": FILE},
        "region": {"startLine": 14, "startColumn": 5, "endLine": 14, "endColumn": 32},
    }
    assert second["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "file:///abs/x.lvs"
    assert third["level"] == "note" and "locations" not in third


def test_sarif_of_nothing_is_still_a_valid_log() -> None:
    log = json.loads(render_sarif([]))
    _assert_sarif(log)
    assert log["runs"][0]["results"] == []


def test_severities_map_to_sarif_levels() -> None:
    levels = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
    for severity, level in levels.items():
        log = json.loads(render_sarif([Diagnostic("LVS101", severity, "m", NOWHERE)]))
        assert log["runs"][0]["results"][0]["level"] == level
