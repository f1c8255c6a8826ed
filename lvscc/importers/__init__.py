"""Importers: foreign LVS configs (Piranha lvs.cf, keepalived.conf, ipvsadm-save) -> Config.
Each is `import_X(text, filename) -> (Config | None, diagnostics)`; the Config goes through
lvscc.fmt to become .lvs text. Nothing is dropped silently: every keyword that does not become
part of the Config yields a diagnostic with its file:line (codes in common.py)."""

from __future__ import annotations

from pathlib import Path

from lvscc.diagnostics import Diagnostic
from lvscc.model.config import Config


def import_files(source: str, files: list[str]) -> tuple[Config | None, list[Diagnostic]]:
    from lvscc.commands.import_ import IMPORTERS

    return IMPORTERS[source](Path(files[0]).read_text(encoding="utf-8"), files[0])
