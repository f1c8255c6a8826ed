r"""keepalived's reader after the preprocessor, as an operator's file reaches the importer: words
with their line and column (a quoted string is one word, `{` and `}` are words of their own),
statements that end at the end of their line, blocks opened on the same or the next line, stray
and unclosed braces refused where they stand (LVS500), and a word's quotes and escapes taken off
the two ways keepalived does (`plain`, and `escaped` for misc_path and regex)."""

from __future__ import annotations

import pytest

from lvscc.importers.common import Entry, Notes
from lvscc.importers.keepalived.preprocess import preprocess
from lvscc.importers.keepalived.reading import escaped, plain, read_words, tree


def words(text: str) -> list[tuple[str, int, int, int]]:
    return [(w.text, w.line, w.column, w.index) for w in read_words(preprocess(text, "k.conf", Notes()))]


def read(text: str) -> tuple[tuple[Entry, ...], list[tuple[str, str, int, int, int]]]:
    notes = Notes()
    entries = tree(read_words(preprocess(text, "k.conf", notes)), notes)
    return entries, [(d.code, d.message, d.span.line, d.span.column, d.span.end_column) for d in notes.items]


def shape(entries: tuple[Entry, ...]) -> list[object]:
    """Each statement as (key, args, line, column, width, body's shape or None)."""
    return [(e.key, e.args, e.span.line, e.span.column, e.span.end_column - e.span.column,
             None if e.body is None else shape(e.body)) for e in entries]


def test_words_keep_their_line_column_and_preprocessed_line() -> None:
    assert words('a "b c" {x}\n\n  "an escaped \\" quote\n"unclosed') == [
        ("a", 1, 1, 0), ('"b c"', 1, 3, 0), ("{", 1, 9, 0), ("x", 1, 10, 0), ("}", 1, 11, 0),
        ('"an escaped \\" quote', 3, 3, 2), ('"unclosed', 4, 1, 3)]


def test_a_statement_ends_with_its_line_and_a_brace_opens_its_block_on_the_next() -> None:
    text = "virtual_server 192.0.2.10 80\n{\n  lb_algo rr\n  weight\n  3\n  real_server 192.0.2.21 80 { weight 2 }\n}\n"
    entries, notes = read(text)
    assert notes == []
    assert shape(entries) == [
        ("virtual_server", ("192.0.2.10", "80"), 1, 1, 14, [
            ("lb_algo", ("rr",), 3, 3, 7, None),
            ("weight", (), 4, 3, 6, None),
            ("3", (), 5, 3, 1, None),
            ("real_server", ("192.0.2.21", "80"), 6, 3, 11, [("weight", ("2",), 6, 31, 6, None)]),
        ])]


def test_stray_and_unclosed_braces_are_refused_where_they_stand() -> None:
    entries, notes = read("a {\n  b\n}\n}\n{ c\nopen {\n  d\n")
    assert shape(entries) == [("a", (), 1, 1, 1, [("b", (), 2, 3, 1, None)]), ("c", (), 5, 3, 1, None)]
    assert notes == [("LVS500", "`}` without an open block", 4, 1, 2),
                     ("LVS500", "`{` without a keyword", 5, 1, 2),
                     ("LVS500", "`open` block is never closed", 6, 1, 5)]


def test_a_brace_ends_the_arguments_on_its_line() -> None:
    entries, notes = read("a 1 { b X } c 3\n")
    assert notes == []
    assert shape(entries) == [("a", ("1",), 1, 1, 1, [("b", ("X",), 1, 7, 1, None)]), ("c", ("3",), 1, 13, 1, None)]


@pytest.mark.parametrize(("word", "text"), [
    ('"ab"', "ab"), ('""', ""), ('"', '"'), ('a"', 'a"'), ('"a', '"a'), ("ab", "ab"),
])
def test_plain_takes_off_one_pair_of_quotes(word: str, text: str) -> None:
    assert plain(word) == text


@pytest.mark.parametrize(("word", "text"), [
    (r"\x41\101\cA\n\q", "AA\x01\nq"),
    (r"\a\b\E\f\r\t\v", "\a\b\x1b\f\r\t\v"),
    (r"\x4g", "\x04g"),
    (r"\x4F\x4f", "OO"),  # hex digits in either case
    (r"\x1ff", "\xff"),  # every hex digit is read, the value kept to a byte
    (r"\1234", "S4"),  # three octal digits at most
    (r"\777", "\xff"),
    ("\\", "\\"),  # a backslash at the end stays
    (r"\c", "c"),  # \c needs a character after it
    (r"\cA", "\x01"),
    ("XaX", "XaX"),  # only the two quote characters quote
    (r"""\"a b\" 'c d'""", '"a b" c d'),
    ("\"it's\" x", "it's x"),  # a quote of the other kind inside quotes is kept
    ("'\"q\"'", '"q"'),
    ('"a" "b"', "a b"),  # a closed quote leaves none open
    ('a"b c', "ab c"),  # an unclosed quote runs to the end
])
def test_escaped_decodes_as_keepalived_decodes_misc_path_and_regex(word: str, text: str) -> None:
    assert escaped(word) == text
