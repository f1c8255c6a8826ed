"""A file with a syntax error is read whole once, by the recovering parser (lvscc/parse.py): the
scanner's lark runs stop at the error, and no second whole-file parse precedes the one that
reports it. The diagnostics themselves are compared with lark's in tests/test_scanner.py."""

from __future__ import annotations

from pathlib import Path

import pytest
from lark import Lark

from lvscc.parse import parse

REPO = Path(__file__).parents[1]
SAMPLE = REPO / "samples" / "guide-nat.lvs"


@pytest.fixture
def parsed_texts(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, bool]]:
    """(text, with error recovery) of every lark parse from here on."""
    seen: list[tuple[str, bool]] = []
    original = Lark.parse

    def counted(self: Lark, text: str, *args: object, **kwargs: object) -> object:
        seen.append((text, kwargs.get("on_error") is not None))
        return original(self, text, *args, **kwargs)

    monkeypatch.setattr(Lark, "parse", counted)
    return seen


def test_a_broken_file_is_parsed_whole_once(parsed_texts: list[tuple[str, bool]]) -> None:
    text = SAMPLE.read_text().replace("scheduler", "schedular", 1)
    tree, diagnostics = parse(text, "broken.lvs")
    assert tree is None and [d.code for d in diagnostics] == ["LVS001"]
    assert [recovering for whole, recovering in parsed_texts if whole == text] == [True]


def test_a_clean_file_never_reaches_the_recovering_parser(parsed_texts: list[tuple[str, bool]]) -> None:
    text = SAMPLE.read_text()
    tree, diagnostics = parse(text, "clean.lvs")
    assert tree is not None and diagnostics == []
    assert [recovering for _, recovering in parsed_texts] == [False] * len(parsed_texts)
