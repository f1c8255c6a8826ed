"""Where `lvscc fmt` puts the operator's comments: a `#` inside a string (after an escaped
quote, or after a string ending in an escaped backslash) is no comment; a comment at the end
of a statement's line stays at the end of that statement's line, also for a one-word
statement and a statement split over lines, but never on a neighbour it cannot be told from;
a comment before or inside the `ipvs` block stays with it. The whole output is compared."""

from __future__ import annotations

from lvscc.fmt import format_config, source_comments
from lvscc.load import load_text

SOURCE = """\
lvs shop {
  # before the sysctls
  ipvs {
    # first note
    # ipvs tuning
    conntrack 1
    # IPVS connections must be tracked for MASQUERADE
    conn_reuse_mode 1
  }
  service web {
    vip 192.0.2.10  # the VIP
      dev eth0
    fwmark 120 {
      tcp 80, 443   # web
      tcp 80,       # alt
        8080
    }
    persistence
    quiesce  # drain
    check { send "a \\" # not a comment" }  # escaped quote
    server web1 192.0.2.21
  }
  service files {
    vip 192.0.2.11
    tcp 80
    check { send "C:\\\\" }  # escaped backslash\x20\x20
    server f1 192.0.2.22
  }
}
"""

FORMATTED = """\
lvs shop {
  # before the sysctls
  ipvs {
    # first note
    # ipvs tuning
    # IPVS connections must be tracked for MASQUERADE
    conntrack 1
    conn_reuse_mode 1
  }

  service web {
    # alt
    vip 192.0.2.10 dev eth0  # the VIP
    fwmark 120 {
      tcp 80, 443  # web
      tcp 80, 8080
    }
    scheduler wlc
    persistence
    check {  # escaped quote
      send "a \\" # not a comment"
    }
    quiesce  # drain
    server web1 192.0.2.21
  }

  service files {
    vip 192.0.2.11
    tcp 80
    scheduler wlc
    check {  # escaped backslash
      send "C:\\\\"
    }
    server f1 192.0.2.22
  }
}
"""


def test_a_hash_inside_a_string_is_no_comment_and_a_comment_ends_at_its_last_word() -> None:
    assert source_comments(SOURCE) == [
        (2, "# before the sysctls"),
        (4, "# first note"),
        (5, "# ipvs tuning"),
        (7, "# IPVS connections must be tracked for MASQUERADE"),
        (11, "# the VIP"),
        (14, "# web"),
        (15, "# alt"),
        (19, "# drain"),
        (20, "# escaped quote"),
        (26, "# escaped backslash"),
    ]


def test_comments_stay_with_their_statements() -> None:
    config, found = load_text(SOURCE, "shop.lvs")
    assert config is not None, found
    assert format_config(config, SOURCE) == FORMATTED
    again, found = load_text(FORMATTED, "shop.lvs")
    assert again is not None, found
    assert format_config(again, FORMATTED) == FORMATTED


def test_a_config_written_on_one_line_keeps_its_ipvs_block_and_comment() -> None:
    source = "lvs lab { ipvs { conntrack 1 } service s { vip 192.0.2.10 tcp 80 server a 192.0.2.21 } }  # lab\n"
    config, found = load_text(source, "lab.lvs")
    assert config is not None, found
    lines = [line.strip() for line in format_config(config, source).splitlines()]
    assert lines[:2] == ["lvs lab {", "ipvs {"] and "conntrack 1" in lines and lines.count("# lab") == 1
