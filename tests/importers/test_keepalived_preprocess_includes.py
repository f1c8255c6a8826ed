"""keepalived's `include` as its parser reads an operator's tree of files: a pattern relative to
the including file, globbed and taken in name order, each line keeping the file it was written
in; a pattern matching nothing, a file that includes itself, a directory and a chain deeper than
16 files are refused at the include line (LVS500)."""

from __future__ import annotations

from pathlib import Path

from lvscc.importers.common import Notes
from lvscc.importers.keepalived.preprocess import preprocess


def read(main: Path) -> tuple[list[tuple[str, str, int]], list[tuple[str, str, str, int, int, int]]]:
    notes = Notes()
    out = preprocess(main.read_text(), str(main), notes)
    root = main.parent
    return ([(line.text, str(Path(line.file).resolve().relative_to(root.resolve())), line.number) for line in out],
            [(d.code, d.message.replace(str(root), "ROOT"), Path(d.span.file).name, d.span.line, d.span.column,
              d.span.end_column) for d in notes.items])


def test_includes_are_globbed_relative_to_the_including_file_in_name_order(tmp_path: Path) -> None:
    (tmp_path / "conf.d").mkdir()
    (tmp_path / "conf.d" / "b.conf").write_text("b1\n# comment\nb3\n")
    (tmp_path / "conf.d" / "a.conf").write_text("a1\ninclude ../leaf.conf\n")
    (tmp_path / "leaf.conf").write_text("leaf\n")
    main = tmp_path / "keepalived.conf"
    main.write_text("top\ninclude conf.d/*.conf # all of them\nend\n")
    assert read(main) == ([("top", "keepalived.conf", 1), ("a1", "conf.d/a.conf", 1), ("leaf", "leaf.conf", 1),
                           ("b1", "conf.d/b.conf", 1), ("", "conf.d/b.conf", 2), ("b3", "conf.d/b.conf", 3),
                           ("end", "keepalived.conf", 3)], [])


def test_a_quoted_include_pattern(tmp_path: Path) -> None:
    (tmp_path / "leaf.conf").write_text("leaf\n")
    (tmp_path / "X").write_text("x\n")
    main = tmp_path / "keepalived.conf"
    main.write_text('include "leaf.conf"\ninclude X\n')
    assert read(main) == ([("leaf", "leaf.conf", 1), ("x", "X", 1)], [])


def test_an_include_matching_nothing_is_unreadable(tmp_path: Path) -> None:
    main = tmp_path / "keepalived.conf"
    main.write_text("top\n  include missing*.conf\n")
    assert read(main) == ([("top", "keepalived.conf", 1)],
                          [("LVS500", "include missing*.conf: no such file", "keepalived.conf", 2, 1, 24)])


def test_a_file_including_itself_or_a_directory_is_refused(tmp_path: Path) -> None:
    (tmp_path / "sub.d").mkdir()
    main = tmp_path / "keepalived.conf"
    main.write_text("top\ninclude keepalived.conf\ninclude sub.d\n")
    twice = "included twice, too deep or not a file"
    assert read(main) == ([("top", "keepalived.conf", 1)],
                          [("LVS500", f"include ROOT/keepalived.conf: {twice}", "keepalived.conf", 2, 1, 24),
                           ("LVS500", f"include ROOT/sub.d: {twice}", "keepalived.conf", 3, 1, 14)])


def test_a_loop_of_two_files_is_refused_where_it_closes(tmp_path: Path) -> None:
    (tmp_path / "other.conf").write_text("other\ninclude keepalived.conf\n")
    main = tmp_path / "keepalived.conf"
    main.write_text("include other.conf\nmain\n")
    lines, notes = read(main)
    assert lines == [("other", "other.conf", 1), ("main", "keepalived.conf", 2)]
    assert [(code, file, line) for code, _, file, line, _, _ in notes] == [("LVS500", "other.conf", 2)]


def test_a_loop_between_two_included_files_is_read_once(tmp_path: Path) -> None:
    (tmp_path / "a.conf").write_text("a\ninclude b.conf\n")
    (tmp_path / "b.conf").write_text("b\ninclude a.conf\n")
    main = tmp_path / "keepalived.conf"
    main.write_text("include a.conf\nmain\n")
    notes = Notes()
    out = preprocess(main.read_text(), str(main), notes)
    assert [line.text for line in out] == ["a", "b", "main"]
    assert [(d.code, Path(d.span.file).name, d.span.line) for d in notes.items] == [("LVS500", "b.conf", 2)]


def test_a_refused_match_does_not_stop_the_rest_of_the_glob(tmp_path: Path) -> None:
    (tmp_path / "conf.d").mkdir()
    (tmp_path / "conf.d" / "a.d").mkdir()
    (tmp_path / "conf.d" / "b.conf").write_text("b\n")
    main = tmp_path / "keepalived.conf"
    main.write_text("include conf.d/*\n")
    lines, notes = read(main)
    assert lines == [("b", "conf.d/b.conf", 1)]
    assert notes == [("LVS500", "include ROOT/conf.d/a.d: included twice, too deep or not a file", "keepalived.conf",
                      1, 1, 17)]


def test_includes_nest_16_deep_and_no_deeper(tmp_path: Path) -> None:
    for n in range(1, 18):
        (tmp_path / f"f{n}.conf").write_text(f"f{n}\ninclude f{n + 1}.conf\n")
    main = tmp_path / "keepalived.conf"
    main.write_text("include f1.conf\n")
    lines, notes = read(main)
    assert lines == [(f"f{n}", f"f{n}.conf", 1) for n in range(1, 17)]
    assert notes == [("LVS500", "include ROOT/f17.conf: included twice, too deep or not a file", "f16.conf", 2, 1, 17)]


def test_a_sequence_line_counts_as_one_level_of_nesting(tmp_path: Path) -> None:
    for n in range(1, 18):
        (tmp_path / f"f{n}.conf").write_text(f"f{n}\ninclude f{n + 1}.conf\n")
    main = tmp_path / "keepalived.conf"
    main.write_text("~SEQ(N, 1, 1) include f1.conf\n")
    lines, notes = read(main)
    assert lines == [(f"f{n}", f"f{n}.conf", 1) for n in range(1, 16)]
    assert notes == [("LVS500", "include ROOT/f16.conf: included twice, too deep or not a file", "f15.conf", 2, 1, 17)]
