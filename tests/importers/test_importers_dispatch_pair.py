"""`lvscc import` with one file per router: which importer reads each file, the cluster the first
file describes, the director each further file adds, and the notes when two files disagree."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

from lvscc.importers import import_files, import_texts, read_sources
from lvscc.model.config import Config

PRIMARY = ("primary = 192.0.2.2\nbackup = 192.0.2.3\nbackup_active = 1\nnetwork = direct\n"
           "virtual web {\n active = 1\n address = 192.0.2.10 eth0:1\n}\n")
ALONE = "primary = 192.0.2.4\nnetwork = direct\nvirtual web {\n active = 1\n address = 192.0.2.10 eth0:1\n}\n"


def _directors(config: Config) -> list[tuple[str, str | None, str | None, str, int]]:
    """Each director's role, addresses and where its file writes it."""
    return [(d.role, d.public and str(d.public), d.private and str(d.private), d.span.file, d.span.line)
            for d in config.directors]


def _notes(found: list) -> list[tuple[str, int, str, str]]:
    return [(d.span.file, d.span.line, d.code, d.message) for d in found]


def test_each_source_has_its_importer() -> None:
    for source, text in (("piranha", ALONE), ("ipvsadm", "-A -t 192.0.2.10:80 -s rr\n"),
                         ("keepalived", "virtual_server 192.0.2.10 80 {\n protocol TCP\n}\n"),
                         ("ldirectord", "virtual = 192.0.2.10:80\n\treal = 192.0.2.21:80 gate\n")):
        config, _ = import_texts(source, {"one": text})
        assert config is not None and [str(s.vip.ip) for s in config.services if s.vip] == ["192.0.2.10"], source


def test_one_file_is_its_own_cluster() -> None:
    config, found = import_texts("piranha", {"lvs.cf": PRIMARY})
    assert config is not None and found == []
    assert config.files == ("lvs.cf",)
    assert [d.role for d in config.directors] == ["primary", "backup"]


def test_a_second_file_of_the_same_role_is_taken_as_the_other_director() -> None:
    config, found = import_texts("piranha", {"a.cf": ALONE, "b.cf": ALONE.replace("192.0.2.4", "192.0.2.5")})
    assert config is not None
    assert _directors(config) == [("primary", "192.0.2.4", None, "a.cf", 1), ("backup", "192.0.2.5", None, "b.cf", 1)]
    assert config.files == ("a.cf", "b.cf")
    assert _notes(found) == [("b.cf", 1, "LVS505", "both files describe a primary director; the second is taken "
                                                    "as the other one")]


def test_a_backup_file_replaces_the_backup_the_primary_names_and_primary_comes_first() -> None:
    backup = ("backup = 192.0.2.7\nbackup_private = 198.51.100.7\nbackup_active = 1\nnetwork = direct\n"
              "virtual web {\n active = 1\n address = 192.0.2.10 eth0:1\n}\n")
    config, found = import_texts("piranha", {"backup.cf": backup, "primary.cf": PRIMARY})
    assert config is not None and found == []
    # the first file's backup is kept (it is that file's own); the second adds its primary
    assert _directors(config) == [("primary", "192.0.2.2", None, "primary.cf", 1),
                                  ("backup", "192.0.2.7", "198.51.100.7", "backup.cf", 1)]


def test_a_second_file_of_a_backup_takes_the_place_of_the_backup_the_first_names() -> None:
    config, found = import_texts("piranha", {"primary.cf": PRIMARY, "backup.cf": PRIMARY.replace(
        "primary = 192.0.2.2\nbackup = 192.0.2.3", "backup = 192.0.2.8")})
    assert config is not None and found == []
    assert _directors(config) == [("primary", "192.0.2.2", None, "primary.cf", 1),
                                  ("backup", "192.0.2.8", None, "backup.cf", 1)]


def test_a_second_primary_file_becomes_the_backup_in_place_of_the_one_the_first_names() -> None:
    config, found = import_texts("piranha", {"a.cf": PRIMARY, "b.cf": ALONE})
    assert config is not None
    assert _directors(config) == [("primary", "192.0.2.2", None, "a.cf", 1), ("backup", "192.0.2.4", None, "b.cf", 1)]
    assert [n[2] for n in _notes(found)] == ["LVS505"]


def test_a_first_backup_file_and_a_second_of_the_same_role_make_that_one_the_primary() -> None:
    backup = "backup = 192.0.2.7\nbackup_active = 1\nvirtual web {\n address = 192.0.2.10 eth0:1\n}\n"
    config, found = import_texts("piranha", {"a.cf": backup, "b.cf": backup.replace("192.0.2.7", "192.0.2.9")})
    assert config is not None
    assert _directors(config) == [("primary", "192.0.2.9", None, "b.cf", 1), ("backup", "192.0.2.7", None, "a.cf", 1)]
    assert _notes(found) == [("b.cf", 1, "LVS505", "both files describe a backup director; the second is taken "
                                                    "as the other one")]


def test_a_file_without_a_director_adds_none() -> None:
    config, _ = import_texts("piranha", {"a.cf": PRIMARY, "b.cf": "network = direct\n"})
    assert config is not None and [d.role for d in config.directors] == ["primary", "backup"]
    assert config.files == ("a.cf", "b.cf")


def test_files_with_different_services_keep_the_first_files() -> None:
    other = ALONE.replace("virtual web", "virtual mail").replace("192.0.2.4", "192.0.2.5")
    config, found = import_texts("piranha", {"a.cf": PRIMARY, "b.cf": other})
    assert config is not None and [s.name for s in config.services] == ["web"]
    assert _notes(found)[-1] == ("b.cf", 1, "LVS505", "the files describe different services; the first file's "
                                                      "are kept")


def test_an_unreadable_file_stops_the_import_with_every_note_so_far() -> None:
    config, found = import_texts("piranha", {"a.cf": "serial_no = 1\n" + PRIMARY, "b.cf": "virtual web {\n",
                                             "c.cf": PRIMARY})
    assert config is None
    assert [(n[0], n[2]) for n in _notes(found)] == [("a.cf", "LVS506"), ("b.cf", "LVS500")]
    config, found = import_texts("piranha", {"a.cf": "virtual web {\n", "b.cf": PRIMARY})
    assert config is None and [(n[0], n[2]) for n in _notes(found)] == [("a.cf", "LVS500")]


def test_files_are_read_by_name_and_stdin_is_shown_as_such(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "lvs.cf").write_bytes(b"primary = 192.0.2.2\n# caf\xe9\n")
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(ALONE.encode())))
    sources = read_sources([str(tmp_path / "lvs.cf"), "-"])
    assert sources == {str(tmp_path / "lvs.cf"): "primary = 192.0.2.2\n# caf\ufffd\n", "<stdin>": ALONE}
    (tmp_path / "b.cf").write_text(ALONE)
    config, found = import_files("piranha", [str(tmp_path / "lvs.cf"), str(tmp_path / "b.cf")])
    assert config is not None and config.files == (str(tmp_path / "lvs.cf"), str(tmp_path / "b.cf"))
    with pytest.raises(OSError):
        import_files("piranha", [str(tmp_path / "missing.cf")])
