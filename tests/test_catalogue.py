"""The diagnostic catalogue is complete and is what `lvscc explain`, SARIF and docs/rules.md
say: every code the source can emit has an entry, and every entry is a code the source emits."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from lvscc.catalogue import STAGES, catalogue
from lvscc.cli import main
from lvscc.diagnostics import Severity
from lvscc.docs import GENERATED
from lvscc.rules import load_all

REPO = Path(__file__).parents[1]
CODE = re.compile(r"\bLVS\d{3}\b")


def _codes_in_source() -> dict[str, str]:
    """code → the first file that names it, over the package (the backends are part of it)."""
    found: dict[str, str] = {}
    for path in sorted(REPO.joinpath("lvscc").rglob("*.py")):
        for code in CODE.findall(path.read_text(encoding="utf-8")):
            found.setdefault(code, str(path.relative_to(REPO)))
    return found


def test_every_code_in_the_source_has_a_catalogue_entry() -> None:
    missing = {code: where for code, where in _codes_in_source().items() if code not in catalogue()}
    assert not missing, f"add these codes to lvscc/catalogue.toml: {missing}"


def test_every_catalogue_entry_is_a_code_lvscc_emits() -> None:
    stale = set(catalogue()) - set(_codes_in_source())
    assert not stale, f"catalogued but never emitted: {sorted(stale)}"


def test_every_registered_rule_is_catalogued() -> None:
    assert set(load_all()) <= set(catalogue())


@pytest.mark.parametrize("code", sorted(catalogue()))
def test_entry_is_complete(code: str) -> None:
    entry = catalogue()[code]
    assert entry.code[3] in STAGES
    assert isinstance(entry.severity, Severity)
    assert not entry.title.endswith(".")
    assert len(entry.explanation) > 60 and entry.example and entry.fix


@pytest.mark.parametrize("code", sorted(_codes_in_source()))
def test_explain_answers_for_every_code_in_the_source(code: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", code.lower()]) == 0
    out = capsys.readouterr().out
    entry = catalogue()[code]
    assert out.startswith(f"# {code}: {entry.title}\n")
    assert "## Example" in out and "## Fix" in out


def test_explain_refuses_an_unknown_code_with_a_suggestion(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", "LVS101x"]) == 2
    assert "unknown code LVS101x (did you mean `LVS101`?)" in capsys.readouterr().err
    assert main(["explain"]) == 2


def test_explain_list_and_all_cover_the_catalogue(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", "--list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines] == list(catalogue())
    assert main(["explain", "--all"]) == 0
    assert capsys.readouterr().out.count("\n## Fix\n") == len(catalogue())


@pytest.mark.parametrize("relative", sorted(GENERATED))
def test_generated_documents_are_up_to_date(relative: str) -> None:
    committed = (REPO / relative).read_text(encoding="utf-8")
    assert committed == GENERATED[relative](), f"{relative} is stale: run scripts/gen-docs.py"


def test_rules_document_has_an_anchor_for_every_code() -> None:
    text = (REPO / "docs" / "rules.md").read_text(encoding="utf-8")
    for code in catalogue():
        assert f'<a id="{code}"></a>' in text


def test_a_rule_names_its_code_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """The code comes from the registration: a rule yields findings without one, and a rule
    still written the old way (a Diagnostic with its code repeated) is refused by name."""
    from lvscc import rules
    from lvscc.diagnostics import error
    from lvscc.load import load_file

    config, _ = load_file(REPO / "samples" / "guide-nat.lvs")
    sources = {path.name: path.read_text() for path in REPO.joinpath("lvscc", "rules").glob("*.py")}
    assert all(not re.search(r'(error|warning|info)\(\s*"LVS', text) for text in sources.values())
    monkeypatch.setitem(rules.RULES, "LVS199", lambda config: [error("LVS199", "old style")])
    with pytest.raises(TypeError, match=r"rule LVS199 \(<lambda>\) yields Diagnostic"):
        rules.check(config)
