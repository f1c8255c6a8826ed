r"""keepalived's preprocessor line by line, as its parser (lib/parser.c) reads an operator's
file before the words: comments outside quotes, `@ID`/`@^ID` lines, `$NAME=` parameters (one
line or continued with `\`), substitution and its limits, `~SEQ` repetition, and the file and
line every output line keeps for diagnostics."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from lvscc.importers.common import Notes
from lvscc.importers.keepalived.preprocess import Line, c_long, preprocess, read_leniently, seq_bounds, uncommented

# the module, not the function of the same name that lvscc.importers.keepalived exports
preprocess_module = importlib.import_module("lvscc.importers.keepalived.preprocess")


def lines(text: str, config_id: str | None = None, filename: str = "k.conf") -> list[tuple[str, int]]:
    notes = Notes()
    out = preprocess(text, filename, notes, config_id)
    assert notes.items == []
    assert {line.file for line in out} <= {filename}
    return [(line.text, line.number) for line in out]


def findings(text: str, filename: str = "k.conf") -> list[tuple[str, str, str | None, int, int, int]]:
    notes = Notes()
    preprocess(text, filename, notes)
    assert {d.span.file for d in notes.items} <= {filename}
    return [(d.code, d.message, d.hint, d.span.line, d.span.column, d.span.end_column) for d in notes.items]


def test_comments_end_a_line_outside_quotes_only() -> None:
    text = 'notify "/bin/a#b!c" # why\nweight 2 ! why\n"an unclosed # quote\nplain\n'
    assert lines(text) == [('notify "/bin/a#b!c" ', 1), ("weight 2 ", 2), ('"an unclosed # quote', 3), ("plain", 4)]


@pytest.mark.parametrize(("text", "kept"), [
    ("no comment here", "no comment here"),
    ("a # b", "a "),
    ("a ! b", "a "),
    ('"#" x # y', '"#" x '),
    ('x "! quoted', 'x "! quoted'),
    ("#all", ""),
])
def test_uncommented_keeps_the_line_up_to_a_comment_outside_quotes(text: str, kept: str) -> None:
    assert uncommented(text) == kept


def test_every_line_keeps_its_number_from_1() -> None:
    assert lines("first\n\nthird\n") == [("first", 1), ("", 2), ("third", 3)]


@pytest.mark.parametrize(("config_id", "kept"), [
    (None, [("every host but lab", 2)]),
    ("lab", [("lab only", 1), (" two spaces: one is kept", 3)]),
    ("other", [("every host but lab", 2)]),
])
def test_conditional_lines_follow_the_config_id(config_id: str | None, kept: list[tuple[str, int]]) -> None:
    text = "@lab lab only\n@^lab every host but lab\n@lab  two spaces: one is kept\n"
    assert lines(text, config_id) == kept


def test_a_parameter_is_not_a_line_and_substitutes_in_both_spellings() -> None:
    text = "$IF = eth0 # the public side\nif $IF\nif ${IF}:1\n$VIP=192.0.2.${LAST}\n$LAST=10\nip $VIP\n"
    # a parameter's value is substituted where it is used: $LAST is defined before `ip $VIP`
    assert lines(text) == [("if eth0", 2), ("if eth0:1", 3), ("ip 192.0.2.10", 6)]


def test_an_unknown_parameter_inside_a_line_stays_as_written() -> None:
    assert lines("notify ${NOPE} $NOPE\n") == [("notify ${NOPE} $NOPE", 1)]


def test_a_line_starting_with_an_undefined_parameter_is_dropped_with_a_warning() -> None:
    notes = Notes()
    assert preprocess("x\n  ${NOPE} weight 10\n", "k.conf", notes) == [Line("x", "k.conf", 1)]
    assert findings("x\n  ${NOPE} weight 10\n") == [(
        "LVS504", "${NOPE} is not defined here: keepalived reads this line as an unknown keyword and ignores it, "
        "so does lvscc", "define it (`$NOPE=...`) above this line", 2, 1, 20)]
    hints = [hint for _, _, hint, _, _, _ in findings("$XMAXX weight 1\n")]
    assert hints == ["define it (`$XMAXX=...`) above this line"]


def test_keepalived_standard_parameters() -> None:
    text = "dir ${_PWD}\nrandom ${_RANDOM 5 9} ${_RANDOM}\nhash x${_HASH} y\nbang x${_BANG}y\n"
    conf = "/srv/keepalived/../keepalived/k.conf"
    assert lines(text, filename=conf) == [(f"dir {Path(conf).resolve().parent}", 1), ("random 5 0", 2),
                                          ("hash x", 3), ("bang x", 4)]


def test_a_parameter_referring_to_itself_stops_after_16_rounds() -> None:
    assert lines("$A=[$A]\nv $A\n") == [("v " + "[" * 16 + "$A" + "]" * 16, 2)]


def test_a_multi_line_parameter_gives_its_own_lines_where_it_stands_alone() -> None:
    text = "$RS=real_server 192.0.2.21 80 { \\\n  weight 2 \\\n}\nvirtual_server x {\n  $RS # here\n}\n"
    assert lines(text) == [("virtual_server x {", 4), ("real_server 192.0.2.21 80 { ", 1), ("  weight 2 ", 2),
                           ("}", 3), ("}", 6)]


def test_a_multi_line_parameter_inside_a_line_is_joined_by_spaces() -> None:
    assert lines("$M=one \\\n  two # c\nv $M end\n") == [("v one two end", 3)]


def test_blank_continuation_lines_are_dropped_from_a_parameter() -> None:
    """`$M= \\` then one line: one line of value, substituted on the line that uses it."""
    assert lines("$M= \\\n  a\n$M\n") == [("a", 3)]


def test_a_blank_line_ends_a_continued_parameter() -> None:
    assert lines("$M=one \\\n\n  two\n") == [("  two", 3)]


def test_a_continuation_at_the_end_of_the_file_ends_the_parameter() -> None:
    assert lines("$M=one \\\n two \\") == []


def test_a_multi_line_parameter_referring_to_itself_stops_at_depth_16() -> None:
    assert lines("$A= x \\\n$A\n$A\n") == [(" x ", 1)] * 16


def test_seq_repeats_a_line_and_restores_the_variable() -> None:
    text = ("$N=keep\n~SEQ(N, 3, -1, 1) a ${N}\nb $N\n~SEQ(Q, 2) q$Q\nafter $Q\n"
            "~SEQx(H, 9, 3, 15) h$H\n$LO=2\n$HI=0x3\n~SEQ(I, $LO, $HI) i$I\n")
    assert lines(text) == [(" a 3", 2), (" a 2", 2), (" a 1", 2), ("b keep", 3), (" q1", 4), (" q2", 4),
                           ("after $Q", 5), (" h9", 6), (" hc", 6), (" hf", 6), (" i2", 9), (" i3", 9)]


@pytest.mark.parametrize(("seq", "spec"), [
    ("~SEQ(, 1, 2) x", ", 1, 2"), ("~SEQ(N, 1, 0, 2) x", "N, 1, 0, 2"), ("~SEQ(N, a) x", "N, a"),
    ("~SEQx(N, -1, 2) x", "N, -1, 2"),
    ("~SEQ(N, ${_PWD}) x", "N, ${_PWD}"),  # substituted, then not a number
])
def test_a_sequence_keepalived_refuses_is_unreadable(seq: str, spec: str) -> None:
    assert findings(f"x\n{seq}\n") == [("LVS500", f"bad ~SEQ({spec})", None, 2, 1, 1 + len(seq))]


def test_a_sequence_stops_at_200000_lines() -> None:
    assert len(lines("~SEQ(N, 1, 300000) x\n")) == 200_000


def test_lines_beyond_the_cap_are_dropped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(preprocess_module, "MAX_LINES", 3)
    assert lines("a\nb\nc\nd\ne\n") == [("a", 1), ("b", 2), ("c", 3)]


def test_a_sequence_at_the_line_cap_includes_nothing_more_and_restores_its_variable(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(preprocess_module, "MAX_LINES", 3)
    processor = preprocess_module.Preprocessor(Notes())
    out = processor.file("$P=x$N \\\ninclude missing$N.conf\n~SEQ(N, 1, 10) $P\n~SEQ(M, 1, 2) m\n", "k.conf")
    assert [line.text for line in out] == ["x1 ", "x2 ", "x3 "]
    # keepalived substitutes no parameter in an include line (keepalived -t: "Config files missing '$D/x.conf'")
    assert [d.message for d in processor.notes.items] == ["include missing$N.conf: no such file"] * 3
    assert sorted(processor.definitions) == ["P"]


@pytest.mark.parametrize(("numbers", "hexadecimal", "bounds"), [
    (["1"], False, (1, 1, 1)),
    (["3", "3"], False, (3, 1, 3)),
    (["3", "1", "3"], False, (3, 1, 3)),
    (["3", "-1", "3"], False, (3, -1, 3)),
    (["3", "1", "1"], False, None),  # a step away from the end
    (["1", "2", "3", "4"], False, None),
    (["0", "3"], True, (0, 1, 3)),
    (["3", "0"], True, (3, -1, 0)),
    (["3", "-1"], True, None),
])
def test_seq_bounds_at_their_edges(numbers: list[str], hexadecimal: bool, bounds: tuple[int, int, int] | None) -> None:
    assert seq_bounds(numbers, hexadecimal) == bounds


@pytest.mark.parametrize(("text", "value"), [
    ("", 0), (" 7 ", 7), ("+5", 5), ("-0x10", -16), ("0X1f", 31), ("010", 8), ("0", 0), ("-9", -9), ("19", 19),
])
def test_c_long_reads_integers_as_strtol_base_0(text: str, value: int) -> None:
    assert c_long(text) == value


@pytest.mark.parametrize("text", ["08", "X5", "0xg", "--1", "+-1", "1_0", "0x-5", "\u0663", "0x", "1 2"])
def test_c_long_refuses_what_strtol_would_not_read_whole(text: str) -> None:
    with pytest.raises(ValueError):
        c_long(text)


def test_a_file_is_read_whatever_its_bytes(tmp_path: Path) -> None:
    conf = tmp_path / "k.conf"
    conf.write_bytes(b"# caf\xe9\nnotify caf\xe9\n")
    assert read_leniently(conf) == "# caf\ufffd\nnotify caf\ufffd\n"
