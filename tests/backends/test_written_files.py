"""What `compile` writes is each artifact's text, byte for byte in UTF-8 (the encoding the
manifest's sha256 is taken of), with exactly the artifact's mode whatever the umask."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest

from lvscc.output import manifest, write
from lvscc.render import Artifact

ARTIFACTS = [
    Artifact("rs1", "rs-kit", "rs1/usr/local/sbin/lvscc-realserver.sh", "#!/bin/sh\n# caf\u00e9\n", 0o755),
    Artifact("rs1", "sysctl", "rs1/etc/sysctl.d/90-lvscc.conf", "net.ipv4.ip_forward = 1\n"),
    Artifact("primary", "ipvsadm", "primary/ipvsadm.rules", "-A -t 192.0.2.1:80 -s wlc\n" * 3000),
]


@pytest.mark.parametrize("umask", [0o000, 0o022, 0o077])
def test_files_hold_their_text_and_mode_under_any_umask(tmp_path: Path, umask: int) -> None:
    old = os.umask(umask)
    try:
        write(tmp_path / "out", ARTIFACTS, manifest(ARTIFACTS, "c", "c.lvs", "flat"))
    finally:
        os.umask(old)
    listed = json.loads((tmp_path / "out" / "manifest.json").read_text())["artifacts"]
    for artifact, entry in zip(sorted(ARTIFACTS, key=lambda a: a.path), listed, strict=True):
        path = tmp_path / "out" / artifact.path
        assert path.read_bytes() == artifact.content.encode("utf-8")
        assert hashlib.sha256(path.read_bytes()).hexdigest() == entry["sha256"]
        assert path.stat().st_mode & 0o7777 == artifact.mode
