"""`lvscc serve --set-password`: a salted scrypt hash in a file only its owner reads."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from lvscc.serve import passwords

from .server import PASSWORD, set_password


def test_set_password_writes_a_salted_scrypt_hash_mode_0600(tmp_path: Path) -> None:
    path = set_password(tmp_path / "etc" / "passwd")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    line = path.read_text()
    assert line.startswith("scrypt$16384$8$1$") and PASSWORD not in line
    stored = passwords.read(path)
    assert stored.matches(PASSWORD) and not stored.matches(PASSWORD + "x")
    again = passwords.hash_password(PASSWORD)
    assert again.salt != stored.salt and again.digest != stored.digest


def test_short_passwords_and_readable_files_are_refused(tmp_path: Path) -> None:
    with pytest.raises(passwords.PasswordError, match="at least"):
        passwords.hash_password("short")
    path = set_password(tmp_path / "passwd")
    path.chmod(0o644)
    with pytest.raises(passwords.PasswordError, match="readable by others"):
        passwords.read(path)
    with pytest.raises(passwords.PasswordError, match="--set-password"):
        passwords.read(tmp_path / "absent")
    (tmp_path / "junk").write_text("md5$abc\n")
    (tmp_path / "junk").chmod(0o600)
    with pytest.raises(passwords.PasswordError, match="unreadable"):
        passwords.read(tmp_path / "junk")
