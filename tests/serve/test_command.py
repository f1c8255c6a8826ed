"""`lvscc serve`'s command line and its systemd unit."""

from __future__ import annotations

from pathlib import Path

import pytest

from lvscc.cli import build_parser, main

from watch.test_contrib import REPO, exec_start  # tests/ is on sys.path: its packages are top-level

UNIT = REPO / "contrib" / "systemd" / "lvscc-serve.service"


def test_listen_and_allow_are_parsed() -> None:
    args = build_parser().parse_args(["serve", "c.lvs", "--listen", "[::1]:8443", "--allow", "192.0.2.7/24",
                                      "--allow", "2001:db8::/32"])
    assert args.listen == ("::1", 8443)
    assert [str(n) for n in args.allow] == ["192.0.2.0/24", "2001:db8::/32"]
    assert build_parser().parse_args(["serve", "c.lvs"]).listen == ("127.0.0.1", 3636)


@pytest.mark.parametrize("argv", [["--listen", "localhost:80"], ["--listen", "127.0.0.1"], ["--listen", "127.0.0.1:0"],
                                  ["--allow", "example.net"]])
def test_bad_listen_or_allow_is_a_usage_error(argv: list[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        build_parser().parse_args(["serve", "c.lvs", *argv])
    assert stopped.value.code == 2


def test_no_password_no_server(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", str(REPO / "samples" / "guide-nat.lvs"), "--password-file", str(tmp_path / "none")]) == 2
    assert "--set-password" in capsys.readouterr().err
    assert main(["serve"]) == 2


def test_the_unit_serves_on_localhost_with_a_password_file() -> None:
    argv = exec_start(UNIT)
    args = build_parser().parse_args(argv[1:])
    assert args.command == "serve" and args.listen == ("127.0.0.1", 3636) and args.allow is None
    assert args.password_file == Path("/etc/lvscc/serve.passwd")
    assert "ReadWritePaths=-/etc/lvscc" in UNIT.read_text()  # edits rewrite the config there
