"""Comments at a statement's edge: one at the end of a one-word statement's line, followed by
blanks, stays at the end of that line (the blanks are no part of the statement's words); one inside
a block that fmt prints on one line goes before that line."""

from __future__ import annotations

from lvscc.fmt import format_config
from lvscc.load import load_text


def test_a_comment_with_trailing_blanks_stays_after_its_one_word_statement() -> None:
    source = "lvs lab {\n  service s {\n    vip 192.0.2.10\n    tcp 80\n    quiesce  # drain  \n    server a 192.0.2.21\n  }\n}\n"
    config, found = load_text(source, "lab.lvs")
    assert config is not None, found
    lines = format_config(config, source).splitlines()
    assert "    quiesce  # drain" in lines and lines.count("    # drain") == 0


def test_a_comment_inside_a_block_printed_on_one_line_goes_before_it() -> None:
    source = (
        "lvs lab {\n  forwarding direct {\n    # plain direct routing\n  }\n"
        "  service s { vip 192.0.2.10 tcp 80 server a 192.0.2.21 }\n}\n"
    )
    config, found = load_text(source, "lab.lvs")
    assert config is not None, found
    assert format_config(config, source).splitlines()[1:3] == ["  # plain direct routing", "  forwarding direct"]
