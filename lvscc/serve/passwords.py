"""The password file of `lvscc serve --set-password`, like Piranha's `piranha-passwd`: one
line `scrypt$N$r$p$SALT$HASH` (base64), readable by its owner only. scrypt is memory-hard,
so a stolen file costs an attacker memory as well as time for every guess."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

# 16 MiB of memory and ~50 ms a guess on a small machine (N * r * 128 bytes).
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
MIN_LENGTH = 8


class PasswordError(Exception):
    pass


@dataclass(frozen=True)
class PasswordHash:
    n: int
    r: int
    p: int
    salt: bytes
    digest: bytes

    def line(self) -> str:
        b64 = lambda b: base64.b64encode(b).decode()  # noqa: E731
        return f"scrypt${self.n}${self.r}${self.p}${b64(self.salt)}${b64(self.digest)}\n"

    def matches(self, password: str) -> bool:
        tried = _scrypt(password, self.salt, self.n, self.r, self.p, len(self.digest))
        return hmac.compare_digest(tried, self.digest)


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int, length: int = 32) -> bytes:
    return hashlib.scrypt(password.encode(), salt=salt, n=n, r=r, p=p, maxmem=2 * 128 * n * r * p, dklen=length)


def hash_password(password: str) -> PasswordHash:
    if len(password) < MIN_LENGTH:
        raise PasswordError(f"a password needs at least {MIN_LENGTH} characters")
    salt = secrets.token_bytes(16)
    return PasswordHash(SCRYPT_N, SCRYPT_R, SCRYPT_P, salt, _scrypt(password, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P))


def parse(line: str) -> PasswordHash:
    parts = line.strip().split("$")
    try:
        if len(parts) != 6 or parts[0] != "scrypt":
            raise ValueError("not an scrypt$N$r$p$salt$hash line")
        n, r, p = (int(x) for x in parts[1:4])
        return PasswordHash(n, r, p, base64.b64decode(parts[4], validate=True), base64.b64decode(parts[5], validate=True))
    except ValueError as e:
        raise PasswordError(f"unreadable password file: {e}") from None


def write(path: Path, hashed: PasswordHash) -> None:
    """Atomically, created 0600 from the start: the hash is never readable by others, even
    for a moment."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w") as out:
            out.write(hashed.line())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def read(path: Path) -> PasswordHash:
    try:
        mode = path.stat().st_mode & 0o777
        text = path.read_text()
    except FileNotFoundError:
        raise PasswordError(f"{path}: no password set; run `lvscc serve --set-password --password-file {path}`") from None
    except OSError as e:
        raise PasswordError(f"{path}: {e.strerror}") from None
    if mode & 0o077:
        raise PasswordError(f"{path}: readable by others (mode {mode:04o}); chmod 600 it or set the password again")
    return parse(text)
