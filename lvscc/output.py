"""Writing compiled artifacts: all or nothing. Everything is rendered in memory first, written
to a fresh directory beside the target, and swapped in by rename; a failure at any point leaves
the target exactly as it was."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path

from lvscc import __version__
from lvscc.progress import SILENT, Progress
from lvscc.render import Artifact

MANIFEST = "manifest.json"


class OutputError(Exception):
    pass


def manifest(artifacts: list[Artifact], cluster: str, source: str, layout: str) -> str:
    entries = [
        {"host": a.host, "backend": a.backend, "path": a.path,
         "sha256": hashlib.sha256(a.content.encode()).hexdigest()}
        for a in sorted(artifacts, key=lambda a: a.path)
    ]
    return json.dumps({"generator": f"lvscc {__version__}", "cluster": cluster, "source": source,
                       "layout": layout, "artifacts": entries}, indent=2) + "\n"


def _writable_target(target: Path) -> None:
    """Refuse to replace a directory that lvscc did not write (`-o .` must not wipe a checkout)."""
    if target.exists() and (not target.is_dir() or (any(target.iterdir()) and not (target / MANIFEST).is_file())):
        raise OutputError(f"{target} exists and is not an lvscc output directory (no {MANIFEST}); "
                          "choose an empty or new directory")


def write(target: Path, artifacts: list[Artifact], manifest_text: str, progress: Progress = SILENT) -> None:
    _writable_target(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    progress.phase("writing", len(artifacts))
    try:
        for artifact in artifacts:
            progress.advance()
            path = staging / artifact.path
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(artifact.content)
            os.chmod(path, artifact.mode)
        (staging / MANIFEST).write_text(manifest_text)
        os.chmod(staging, 0o755)
        _swap(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _swap(staging: Path, target: Path) -> None:
    if not target.exists():
        staging.rename(target)
        return
    retired = Path(tempfile.mkdtemp(prefix=f".{target.name}.old.", dir=target.parent))
    retired.rmdir()
    target.rename(retired)
    try:
        staging.rename(target)
    except BaseException:
        retired.rename(target)
        raise
    shutil.rmtree(retired, ignore_errors=True)
