"""What `lvscc fmt` keeps of the cluster-wide statements: a heartbeat's durations keep their
unit and a default written out stays (and one not written is not added), a sysctl of several
numbers keeps them all, the primary director comes first, a comment on the `lvs` line or
between `untranslated` lines is neither lost nor doubled, and a forwarding at the default
that an import located in its own file is still not written."""

from __future__ import annotations

from dataclasses import replace

from lvscc.fmt import format_config
from lvscc.load import load_text
from lvscc.model.span import Span

SERVICE = "  service s { vip 192.0.2.10 tcp 80 server a 192.0.2.21 }\n}\n"


def _formatted(head: str) -> list[str]:
    source = "lvs lab {\n" + head + SERVICE
    config, found = load_text(source, "lab.lvs")
    assert config is not None, found
    return format_config(config, source).splitlines()


def test_a_heartbeat_interval_keeps_its_unit() -> None:
    assert "    interval 1m" in _formatted("  heartbeat { interval 1m }\n")


def test_a_heartbeat_dead_after_at_its_default_is_kept_only_where_written() -> None:
    assert _formatted("  heartbeat { dead-after 5s }\n")[1:4] == ["  heartbeat {", "    dead-after 5s", "  }"]
    assert _formatted("  heartbeat { port 540 }\n")[1:4] == ["  heartbeat {", "    port 540", "  }"]


def test_a_sysctl_of_two_numbers_keeps_both() -> None:
    assert "    sync_threshold 3 50" in _formatted("  ipvs { sync_threshold 3 50 }\n")


def test_the_primary_director_comes_first() -> None:
    """Also from a Config that holds the backup first (the builder sorts, an importer need not)."""
    source = "lvs lab {\n  director primary { public 192.0.2.1 }\n  director backup { public 192.0.2.2 }\n" + SERVICE
    config, found = load_text(source, "lab.lvs")
    assert config is not None, found
    lines = format_config(replace(config, directors=config.directors[::-1])).splitlines()
    assert lines[1:3] == ["  director primary {", "    public 192.0.2.1"]
    assert lines[4:6] == ["  director backup {", "    public 192.0.2.2"]


def test_a_comment_on_the_lvs_line_is_kept_once() -> None:
    source = "lvs lab {  # lab note\n  heartbeat { port 540 }\n" + SERVICE
    config, found = load_text(source, "lab.lvs")
    assert config is not None, found
    assert format_config(config, source).count("# lab note") == 1


def test_a_comment_between_untranslated_lines_stays_after_the_first() -> None:
    lines = _formatted('  untranslated "a.conf:1: x"\n  # between\n  untranslated "a.conf:2: y"\n')
    assert lines.count("  # between") == 1
    assert lines.index("  # between") > lines.index('  untranslated "a.conf:1: x"')


def test_an_imported_default_forwarding_is_not_written() -> None:
    source = "lvs lab {\n" + SERVICE
    config, found = load_text(source, "lab.lvs")
    assert config is not None, found
    imported = replace(config, forwarding=replace(config.forwarding, span=Span("keepalived.conf", 3, 1, 3, 20)))
    assert not [line for line in format_config(imported).splitlines() if "forwarding" in line]


def test_each_service_is_set_off_by_a_blank_line_even_under_its_neighbours_name() -> None:
    """Only the head statements (directors, heartbeat, ipvs, ...) are printed without blank lines between."""
    source = "lvs lab {\n" + SERVICE
    config, found = load_text(source, "lab.lvs")
    assert config is not None, found
    lines = format_config(replace(config, services=config.services * 2)).splitlines()
    assert lines.count("") == 1 and lines[lines.index("") + 1] == "  service s {"
