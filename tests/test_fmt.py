"""lvscc.fmt and `lvscc fmt`: canonical text that parses back to the same config, comments
kept with their statements, defaults left out, and a command that rewrites in place, checks
without writing, and refuses what it cannot format faithfully."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from lvscc.cli import main
from lvscc.fmt import format_config, quote, source_comments
from lvscc.load import load_text

REPO = Path(__file__).resolve().parents[1]

MESSY = """# cluster header
lvs shop {
  timeouts { udp 60s }      # short UDP entries for DNS
  forwarding nat { gateway 198.51.100.1/24 dev eth1:1 }
  director backup { public 192.0.2.3 dev eth0 }
  director primary { public 192.0.2.2 dev eth0 }
  pool web { server web 198.51.100.21-22 weight 1 }
  # the shop front end
  service front {
    servers web
    scheduler wlc
    tcp 80
    vip 192.0.2.10 dev eth0:1
    persistence 5m
    check { expect "HTTP"  send "GET / HTTP/1.0\\r\\n\\r\\n"  timeout 10s }   # timeout is the default
  }
  # trailing note
}
"""


def _load(text: str):
    config, found = load_text(text, "shop.lvs")
    assert config is not None, found
    return config


def test_canonical_form() -> None:
    assert format_config(_load(MESSY)) == """lvs shop {
  director primary {
    public 192.0.2.2 dev eth0
  }
  director backup {
    public 192.0.2.3 dev eth0
  }
  forwarding nat {
    gateway 198.51.100.1/24 dev eth1:1
  }
  timeouts {
    udp 60s
  }

  pool web {
    server web1 198.51.100.21
    server web2 198.51.100.22
  }

  service front {
    vip 192.0.2.10/32 dev eth0:1
    tcp 80
    scheduler wlc
    persistence 300s
    check {
      send "GET / HTTP/1.0\\r\\n\\r\\n"
      expect "HTTP"
    }
    servers web
  }
}
"""


def test_comments_travel_with_their_statements() -> None:
    text = format_config(_load(MESSY), MESSY)
    lines = text.splitlines()
    assert lines[0] == "# cluster header" and lines[1] == "lvs shop {"
    # a comment after a one-line block stays on the line that opens it
    assert "  timeouts {  # short UDP entries for DNS" in lines
    assert lines[lines.index("  service front {") - 1] == "  # the shop front end"
    assert "    check {  # timeout is the default" in lines
    assert lines[-2:] == ["  # trailing note", "}"]
    assert format_config(_load(text), text) == text


def test_quote_escapes_what_the_lexer_needs() -> None:
    value = 'say "hi"\\\r\n\tdone #not-a-comment'
    assert quote(value) == r'"say \"hi\"\\\r\n\tdone #not-a-comment"'
    config = _load(f'lvs q {{ service s {{ vip 192.0.2.1 tcp 80 check {{ send {quote(value)} }} server a 192.0.2.9 }} }}')
    assert config.services[0].check is not None and config.services[0].check.send == value
    assert source_comments(f"x {quote(value)} # real\n") == [(1, "# real")]


def test_pool_used_in_part_is_listed_server_by_server() -> None:
    config = _load("lvs p { pool web { server a 192.0.2.21  server b 192.0.2.22 }"
                   " service s { vip 192.0.2.10 tcp 80 servers web } }")
    partial = replace(config.services[0], servers=config.services[0].servers[:1])
    text = format_config(replace(config, services=(partial,)))
    assert "servers web" not in text and "    server a 192.0.2.21\n" in text


# ---- the command ------------------------------------------------------------------------------

def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_fmt_rewrites_in_place_then_is_idempotent(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(tmp_path, "shop.lvs", MESSY)
    path.chmod(0o640)
    assert main(["fmt", "--check", str(path)]) == 1
    assert capsys.readouterr().out == f"{path}\n"
    assert path.read_text() == MESSY, "--check writes nothing"
    assert main(["fmt", str(path)]) == 0
    assert path.read_text() == format_config(_load(MESSY), MESSY)
    assert path.stat().st_mode & 0o777 == 0o640
    assert main(["fmt", "--check", str(path)]) == 0
    assert capsys.readouterr().out == ""
    assert list(tmp_path.iterdir()) == [path], "no temporary file left behind"


def test_fmt_check_on_formatted_samples(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    paths = []
    for sample in sorted((REPO / "samples").glob("*.lvs")):
        paths.append(_write(tmp_path, sample.name, sample.read_text()))
    assert main(["fmt", *map(str, paths)]) == 0
    assert main(["fmt", "--check", *map(str, paths)]) == 0


def test_fmt_refuses_includes_and_broken_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _write(tmp_path, "extra.lvs", "service s { vip 192.0.2.10 tcp 80 server a 192.0.2.21 }\n")
    main_file = _write(tmp_path, "main.lvs", 'lvs m {\n  include "extra.lvs"\n}\n')
    broken = _write(tmp_path, "broken.lvs", "lvs b { service }\n")
    before = main_file.read_text()
    assert main(["fmt", str(main_file), str(broken)]) == 2
    err = capsys.readouterr().err
    assert "extra.lvs" in err and "broken.lvs" in err
    assert main_file.read_text() == before and broken.read_text() == "lvs b { service }\n"


def test_fmt_is_a_subcommand_of_the_installed_entry_point(tmp_path: Path) -> None:
    path = _write(tmp_path, "shop.lvs", MESSY)
    done = subprocess.run([sys.executable, "-m", "lvscc", "fmt", "--check", str(path)], capture_output=True,
                          text=True, cwd=REPO, timeout=60)
    assert (done.returncode, done.stdout) == (1, f"{path}\n")


# ---- what the operator wrote stays ---------------------------------------------------------

WORDS = """lvs shop {
  heartbeat { interval 2s  dead-after 1m  port 539 }
  forwarding direct { arp sysctl }
  timeouts { tcp 15m  tcpfin 2m  udp 300s }
  service front {
    vip 192.0.2.10 dev eth0:1
    tcp 80   # plain http
    scheduler wlc
    persistence 30m
    check { send "timeout 5m"  timeout 10s  reentry 3m }
    server web1 198.51.100.21 weight 1 port 80   # the old box
    server web2 198.51.100.22
  }
  service sticky {
    vip 192.0.2.11 dev eth0:2
    tcp 443
    scheduler wlc
    persistence netmask 255.255.255.0
    server web3 198.51.100.23
  }
}
"""


def test_fmt_keeps_units_explicit_defaults_and_end_of_line_comments() -> None:
    text = format_config(_load(WORDS), WORDS)
    lines = [line.strip() for line in text.splitlines()]
    for kept in ("interval 2s", "dead-after 1m", "port 539", "arp sysctl", "tcp 15m", "tcpfin 2m", "udp 300s",
                 "persistence 30m", "vip 192.0.2.10 dev eth0:1", "persistence netmask 255.255.255.0", "timeout 10s", "reentry 3m", "send \"timeout 5m\"", "tcp 80  # plain http",
                 "server web1 198.51.100.21 port 80 weight 1  # the old box", "server web2 198.51.100.22"):
        assert kept in lines, (kept, text)
    assert format_config(_load(text), text) == text
    assert format_config(_load(text)) == format_config(_load(WORDS)), "the meaning is unchanged"


def test_without_its_source_the_form_is_canonical() -> None:
    text = format_config(_load(WORDS))
    assert "persistence 1800s" in text and "arp sysctl" not in text and "weight 1" not in text


def test_fmt_writes_through_a_symlink_and_keeps_owner_and_mode(tmp_path: Path) -> None:
    real = _write(tmp_path, "real.lvs", MESSY)
    real.chmod(0o640)
    os.chown(real, 0, 4)  # a group the file's owner is not in: fmt must not reset it
    (tmp_path / "link.lvs").symlink_to("real.lvs")
    assert main(["fmt", str(tmp_path / "link.lvs")]) == 0
    assert (tmp_path / "link.lvs").is_symlink() and real.read_text() == format_config(_load(MESSY), MESSY)
    assert (real.stat().st_mode & 0o777, real.stat().st_gid) == (0o640, 4)
