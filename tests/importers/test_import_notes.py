"""What every importer says in the same words (lvscc/importers/common.py): a name rewritten
into an lvscc name names both spellings where it was read; a value no .lvs token can carry is
refused with the hint that the file, not lvscc, holds it; and the `untranslated` lines an
operator is asked to write by hand never carry a control character from the imported file."""

from __future__ import annotations

from lvscc.commands.import_ import IMPORTERS
from lvscc.importers.common import Notes
from lvscc.model.span import Span

AT = Span("lvs.cf", 7, 9, 7, 14)


def test_a_rewritten_name_names_both_spellings_where_it_was_read() -> None:
    notes = Notes()
    assert notes.name("web.1", AT) == "web-1"
    assert [(d.code, d.severity.value, d.message, d.span) for d in notes.items] == [
        ("LVS503", "info", "name 'web.1' is written 'web-1' in lvscc", AT)]


def test_a_valid_name_is_kept_without_a_note() -> None:
    notes = Notes()
    assert notes.name("web-1", AT) == "web-1" and notes.items == []


KEEPALIVED = """virtual_server group we\x07b {
    lb_algo rr
    protocol TCP
}
virtual_server 192.0.2.10 80 {
    lb_algo rr
    protocol TCP
    persistence_engine "s\x07ip"
    real_server 192.0.2.11 80 {
    }
}
"""


def test_an_untranslated_line_shows_a_control_character_as_a_question_mark() -> None:
    config, _ = IMPORTERS["keepalived"](KEEPALIVED, "k.conf")
    assert config is not None
    assert [text for text, _ in config.untranslated] == [
        "k.conf:1: `virtual_server`: no virtual_server_group we?b",
        "k.conf:5: persistence engine 's\\x07ip' cannot be written in .lvs: left out",
    ]


def test_a_value_no_token_can_carry_is_refused_with_where_the_fault_lies() -> None:
    config, diagnostics = IMPORTERS["keepalived"](KEEPALIVED, "k.conf")
    assert config is not None and config.services[0].persistence_engine is None
    (refused,) = [d for d in diagnostics if d.code == "LVS507"]
    assert (refused.severity.value, refused.message, refused.hint, refused.span.line) == (
        "error", "persistence engine 's\\x07ip' cannot be written in .lvs: left out",
        "the imported file holds a value lvscc's language has no token for", 5)
