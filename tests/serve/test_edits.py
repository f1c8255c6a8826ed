"""Operator edits rewrite the .lvs through fmt, are checked, and are saved only as shown."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from lvscc.serve.edits import Edit, EditError, propose, save

from .server import copy_sample


@pytest.fixture
def nat(tmp_path: Path) -> Path:
    return copy_sample("guide-nat.lvs", tmp_path)


def test_a_weight_change_keeps_the_comments_and_checks(nat: Path) -> None:
    proposal = propose(nat, Edit("http", "web2", "weight", 7))
    assert "+    server web2 10.11.12.2 weight 7" in proposal.diff and proposal.savable
    edited = [line for line in proposal.change.splitlines()[2:] if line[:1] in "+-"]
    assert edited == ["-    server web2 10.11.12.2 weight 2", "+    server web2 10.11.12.2 weight 7"]
    save(proposal)
    text = nat.read_text()
    assert "server web2 10.11.12.2 weight 7" in text and "server web1 10.11.12.1" in text
    assert "# persistent + quiesce: without this a returning client keeps reaching a quiesced server" in text


@pytest.mark.parametrize(("action", "line"), [("quiesce", r"server web1 10\.11\.12\.1 weight 0\n"),
                                              ("inactive", r"server web1 10\.11\.12\.1( weight 1)? inactive\n")])
def test_quiesce_and_inactive(nat: Path, action: str, line: str) -> None:
    save(propose(nat, Edit("http", "web1", action)))
    assert re.search(line, nat.read_text())


def test_a_weight_ipvsadm_refuses_is_shown_and_not_savable(nat: Path) -> None:
    proposal = propose(nat, Edit("http", "web2", "weight", 70000))
    assert not proposal.savable and any(d.severity == "error" for d in proposal.diagnostics)
    with pytest.raises(EditError):
        save(proposal)
    assert "weight 70000" not in nat.read_text()


def test_a_file_changed_since_the_edit_was_shown_is_not_overwritten(nat: Path) -> None:
    proposal = propose(nat, Edit("http", "web2", "weight", 7))
    nat.write_text(nat.read_text() + "# someone else's edit\n")
    with pytest.raises(EditError, match="changed since"):
        save(proposal)
    assert "someone else's edit" in nat.read_text()


def test_unknown_names_and_included_files_are_refused(nat: Path, tmp_path: Path) -> None:
    with pytest.raises(EditError, match="no server"):
        propose(nat, Edit("http", "web9", "quiesce"))
    (tmp_path / "pool.lvs").write_text("pool web {\n  server web1 192.0.2.11\n}\n")
    main = tmp_path / "main.lvs"
    main.write_text('lvs lab {\n  director primary { public 192.0.2.1 dev eth0 }\n  forwarding direct\n  include "pool.lvs"\n'
                    '  service web {\n    vip 192.0.2.10 dev eth0:1\n    tcp 80\n    scheduler wlc\n    servers web\n  }\n}\n')
    with pytest.raises(EditError, match="includes"):
        propose(main, Edit("web", "web1", "quiesce"))
