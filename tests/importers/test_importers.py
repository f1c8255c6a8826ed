"""Importers against hand-written lvs.cf, keepalived.conf and ipvsadm-save files
(tests/importers/cases/, written from the documented formats): each must import to the
reviewed .lvs text next to it and report exactly the reviewed diagnostics (line and code),
and that text must load back without a finding the importer did not announce. Regenerate the expectations with
LVSCC_UPDATE_GOLDEN=1 and review the diff before committing."""

from __future__ import annotations

from pathlib import Path

import pytest

from goldenfile import expect
from lvscc.commands.import_ import IMPORTERS
from lvscc.diagnostics import Diagnostic
from lvscc.fmt import format_config
from lvscc.load import load_text

CASES = Path(__file__).resolve().parent / "cases"
SUFFIXES = {".lvs.cf": "piranha", ".keepalived.conf": "keepalived", ".ipvsadm": "ipvsadm", ".ldirectord.cf": "ldirectord"}


def _cases() -> list[tuple[Path, str]]:
    found = []
    for path in sorted(CASES.iterdir()):
        source = next((fmt for suffix, fmt in SUFFIXES.items() if path.name.endswith(suffix)), None)
        if source is not None:
            found.append((path, source))
    return found


def _diagnostic_lines(diagnostics: list[Diagnostic]) -> str:
    return "".join(f"{d.span.line} {d.code} {d.severity}\n" for d in diagnostics)


@pytest.mark.parametrize("path,source", _cases(), ids=[p.name for p, _ in _cases()])
def test_import_case(path: Path, source: str) -> None:
    config, diagnostics = IMPORTERS[source](path.read_text(), path.name)
    expect(path.with_name(path.name + ".diag"), _diagnostic_lines(diagnostics))
    for d in diagnostics:
        assert d.code.startswith("LVS5") and d.span.file == path.name and d.span.line > 0, d
    if config is None:
        assert any(d.code == "LVS500" for d in diagnostics)
        assert not path.with_name(path.name + ".lvs").exists()
        return
    text = format_config(config)
    expect(path.with_name(path.name + ".lvs"), text)
    # every import loads back; a firewall-mark service whose VIP and marks the input never
    # names (ipvsadm-save, keepalived.conf) says its marks are set elsewhere
    loaded, found = load_text(text, "imported.lvs")
    assert loaded is not None and found == [], found
    assert all(s.marks_external for s in loaded.services if s.fwmark and not s.mark_ports and not s.ftp)
