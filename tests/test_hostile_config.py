"""Configs and paths an attacker or an accident hands to lvscc: special files, include bombs
and loops, files outside the config's tree, numbers too large to print, paths that cannot be
written. Each gives a clear diagnostic or one line and exit 2, never a hang or a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from lvscc.load import load

REPO = Path(__file__).resolve().parents[1]
MAIN = 'lvs t {{\n  {body}\n  service s {{ vip 192.0.2.1 tcp 80 servers p }}\n}}\n'
POOL = "pool p { server a 198.51.100.2 }\n"


# Root without capabilities: file permissions apply to it as to any user, and it can still read
# a checkout in a 0700 directory, which another user could not.
UNPRIVILEGED = ("setpriv", "--bounding-set=-all", "--inh-caps=-all", "--")


def _lvscc(*argv: str, cwd: Path, stdin: str | None = None, timeout: float = 30,
           unprivileged: bool = False) -> subprocess.CompletedProcess[str]:
    prefix = UNPRIVILEGED if unprivileged else ()
    return subprocess.run([*prefix, sys.executable, "-m", "lvscc", *argv], cwd=cwd, input=stdin, capture_output=True,
                          text=True, timeout=timeout, env={**os.environ, "PYTHONPATH": str(REPO)})


def _codes(path: Path, **options: bool) -> set[str]:
    return {d.code for d in load(path, **options).diagnostics}


def test_an_include_of_dev_zero_is_refused_before_reading(tmp_path: Path) -> None:
    main_file = tmp_path / "main.lvs"
    main_file.write_text(MAIN.format(body='include "/dev/zero"'))
    started = time.monotonic()
    loaded = load(main_file, include_anywhere=True)
    assert time.monotonic() - started < 30  # a hang guard: unbounded reading or 65,536 includes take far longer
    assert "cannot read /dev/zero: not a regular file" in [d.message for d in loaded.diagnostics]


def test_an_include_that_is_a_fifo_does_not_hang(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pools.lvs")
    (tmp_path / "main.lvs").write_text(MAIN.format(body='include "pools.lvs"'))
    done = _lvscc("check", "main.lvs", cwd=tmp_path, timeout=20)
    assert done.returncode == 1 and "error[LVS003]: cannot read pools.lvs: not a regular file" in done.stderr


def test_a_config_that_is_a_fifo_is_an_io_error(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "main.lvs")
    done = _lvscc("check", "main.lvs", cwd=tmp_path, timeout=20)
    assert done.returncode == 2 and "not a regular file" in done.stderr


def test_a_file_is_included_once_and_the_doubling_bomb_is_fast(tmp_path: Path) -> None:
    for level in range(16):
        (tmp_path / f"l{level}.lvs").write_text(f'include "l{level + 1}.lvs"\ninclude "l{level + 1}.lvs"\n')
    (tmp_path / "l16.lvs").write_text(POOL)
    (tmp_path / "main.lvs").write_text(MAIN.format(body='include "l0.lvs"'))
    started = time.monotonic()
    found = load(tmp_path / "main.lvs").diagnostics
    assert time.monotonic() - started < 30  # a hang guard: unbounded reading or 65,536 includes take far longer
    assert {d.code for d in found} == {"LVS006"} and len(found) == 16
    assert "already included (at " in found[0].message


def test_a_symlink_loop_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "a.lvs").symlink_to("b.lvs")
    (tmp_path / "b.lvs").symlink_to("a.lvs")
    (tmp_path / "main.lvs").write_text(MAIN.format(body='include "a.lvs"'))
    done = _lvscc("check", "main.lvs", cwd=tmp_path)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "error[LVS003]: cannot read a.lvs: Too many levels of symbolic links" in done.stderr


def test_includes_stay_in_the_config_s_tree_unless_allowed(tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    secret.write_text("root:$6$hash-that-must-not-be-shown:19000::::::\n")
    cluster = tmp_path / "cluster"
    (cluster / "pools").mkdir(parents=True)
    (cluster / "pools" / "web.lvs").write_text(POOL)
    (cluster / "main.lvs").write_text(MAIN.format(body='include "pools/web.lvs"'))
    assert _codes(cluster / "main.lvs") == set()
    for escape in ('"../secret"', f'"{secret}"', '"pools/../../secret"'):
        (cluster / "main.lvs").write_text(MAIN.format(body=f"include {escape}"))
        done = _lvscc("check", "main.lvs", cwd=cluster)
        assert done.returncode == 1 and "error[LVS007]" in done.stderr and "--allow-include-outside" in done.stderr
        assert "hash-that-must-not-be-shown" not in done.stderr
    (cluster / "link.lvs").symlink_to(secret)  # a link inside the tree to a file outside it
    (cluster / "main.lvs").write_text(MAIN.format(body='include "link.lvs"'))
    assert "LVS007" in _codes(cluster / "main.lvs")
    (tmp_path / "outside.lvs").write_text(POOL)
    (cluster / "main.lvs").write_text(MAIN.format(body='include "../outside.lvs"'))
    assert _lvscc("check", "--allow-include-outside", "main.lvs", cwd=cluster).returncode == 0


@pytest.mark.parametrize("statement,code", [
    ("server a 198.51.100.2 weight 0x" + "f" * 4000, "LVS010"),
    ("server a 198.51.100.2 weight " + "9" * 5000, "LVS010"),
    ("persistence " + "9" * 5000 + "s\n    server a 198.51.100.2", "LVS011"),
])
def test_huge_numbers_are_a_range_error(tmp_path: Path, statement: str, code: str) -> None:
    (tmp_path / "big.lvs").write_text(f"lvs t {{\n  service s {{\n    vip 192.0.2.1 tcp 80\n    {statement}\n  }}\n}}\n")
    done = _lvscc("check", "big.lvs", cwd=tmp_path)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert f"error[{code}]" in done.stderr and "is out of range" in done.stderr
    assert "9" * 100 not in done.stderr.split("|")[0] and "f" * 100 not in done.stderr.split("|")[0]


IMPORTABLE = "-A -t 192.0.2.1:80 -s wlc\n-a -t 192.0.2.1:80 -r 198.51.100.2:80 -m -w 1\n"


@pytest.mark.parametrize("where", ["missing/dir/out.lvs", "adir", "ro/out.lvs"])
def test_import_into_a_path_it_cannot_write_is_one_line(tmp_path: Path, where: str) -> None:
    (tmp_path / "adir").mkdir()
    (tmp_path / "ro").mkdir(mode=0o555)
    (tmp_path / "save").write_text(IMPORTABLE)
    done = _lvscc("import", "--from", "ipvsadm", "save", "-o", where, cwd=tmp_path, unprivileged=True)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr and f"lvscc import: cannot write {where}" in done.stderr


def test_fmt_as_an_unprivileged_user_is_one_line(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    config = shared / "cluster.lvs"
    config.write_text(MAIN.format(body=POOL.strip()))
    shared.chmod(0o555)  # the file may be read, the directory not written
    done = _lvscc("fmt", str(config), cwd=tmp_path, unprivileged=True)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert f"lvscc fmt: cannot rewrite {config}: Permission denied" in done.stderr


def test_stdin_is_read_for_check_compile_fmt_and_import(tmp_path: Path) -> None:
    good = MAIN.format(body=POOL.strip())
    assert _lvscc("check", "-", cwd=tmp_path, stdin=good).returncode == 0
    bad = _lvscc("check", "-", cwd=tmp_path, stdin=good.replace("tcp 80", "tcp 80800"))
    assert bad.returncode == 1 and "<stdin>:3:" in bad.stderr
    formatted = _lvscc("fmt", "-", cwd=tmp_path, stdin=good)
    assert formatted.returncode == 0 and formatted.stdout.startswith("lvs t {\n")
    assert _lvscc("fmt", "-", cwd=tmp_path, stdin=formatted.stdout).stdout == formatted.stdout
    assert _lvscc("compile", "-", "-o", "out", cwd=tmp_path, stdin=good).returncode == 0
    assert (tmp_path / "out" / "primary" / "ipvsadm.rules").is_file()
    imported = _lvscc("import", "--from", "ipvsadm", "-", cwd=tmp_path, stdin=IMPORTABLE)
    assert imported.returncode in (0, 1) and "lvs " in imported.stdout


def test_fmt_of_dev_stdin_never_replaces_the_link(tmp_path: Path) -> None:
    """`fmt /dev/stdin` with a pipe on stdin, on a link made like /dev/stdin: a broken fmt
    replaces this link, not the machine's."""
    stdin = tmp_path / "stdin"
    stdin.symlink_to("/proc/self/fd/0")
    done = _lvscc("fmt", str(stdin), cwd=tmp_path, stdin=MAIN.format(body=POOL.strip()))
    assert done.returncode == 2 and "not a regular file" in done.stderr
    assert stdin.is_symlink() and os.readlink(stdin) == "/proc/self/fd/0"


def test_an_escape_sequence_in_an_imported_file_never_reaches_the_terminal(tmp_path: Path) -> None:
    # an undefined `$NAME` is quoted back in the warning's message and hint: a terminal would
    # obey the ESC (clear the screen, retitle the window) if the report printed it raw
    conf = tmp_path / "keepalived.conf"
    conf.write_text("virtual_server 192.0.2.10 80 {\n  $\x1b[2Jboom weight 3\n"
                    "  real_server 198.51.100.2 80 {\n  }\n}\n")
    done = _lvscc("import", "--from", "keepalived", str(conf), "-o", str(tmp_path / "out.lvs"), cwd=tmp_path)
    assert "boom is not defined here" in done.stderr and "boom=...`)" in done.stderr
    assert "\x1b" not in done.stderr and "\x1b" not in (tmp_path / "out.lvs").read_text()
