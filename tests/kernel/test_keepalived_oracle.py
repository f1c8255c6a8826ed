"""keepalived itself as the oracle for the importer (issue 12): for every real keepalived.conf
under ../shared/real-world/ that lvscc compiles, keepalived loads a copy with its checker blocks
removed (real servers without a checker stay in the table) into a fresh namespace with
`keepalived --dont-fork -C`, and the table `ipvsadm-save -n` then shows must equal the
ipvsadm.rules lvscc compiled from the import. Files that use keepalived's preprocessor are left
to the host-side tests: the copy must be keepalived's own reading, not lvscc's. Within a time
budget; the counts are printed into the test log."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from .ipvs import kernel_lines
from .lab import in_netns

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "importers"))

from real_world import SAMPLE_PREFIX, corpus_files  # noqa: E402

CHECKERS = ("TCP_CHECK", "HTTP_GET", "SSL_GET", "MISC_CHECK", "SMTP_CHECK", "DNS_CHECK", "UDP_CHECK",
            "PING_CHECK", "BFD_CHECK", "FILE_CHECK")
PREPROCESSED = re.compile(r"^\s*(?:\$|@|~SEQ|include\b)", re.M)
BUDGET = 240  # seconds of keepalived runs per VM session (TCG is slow)
SETTLE = 8.0  # how long keepalived may take to fill the table


def without_checkers(text: str) -> str:
    """keepalived.conf with comments and every checker block removed, by brace matching."""
    from lvscc.importers.keepalived.preprocess import uncommented

    out: list[str] = []
    skipping, depth, opened = False, 0, False
    for line in (uncommented(raw) for raw in text.splitlines()):
        words = line.split()
        if not skipping and words and words[0] in CHECKERS:
            skipping, depth, opened = True, 0, False
        if not skipping:
            out.append(line)
            continue
        depth += line.count("{") - line.count("}")
        opened = opened or "{" in line
        if opened and depth <= 0:
            skipping = False
            out.append("}" * -depth)  # `} }`: the checker's brace and its real server's
    return "\n".join(out) + "\n"


def keepalived_table(netns: str, conf: Path, expected: str) -> str:
    """What keepalived's checker process loads, read once it equals `expected` or settles."""
    run = conf.parent
    proc = subprocess.Popen(
        ["ip", "netns", "exec", netns, "keepalived", "--dont-fork", "-C", "-f", str(conf),
         "-p", str(run / "k.pid"), "-c", str(run / "c.pid"), "-r", str(run / "v.pid"), "--log-console"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    seen, stable_since, deadline = "", time.monotonic(), time.monotonic() + SETTLE
    try:
        while time.monotonic() < deadline:
            table = in_netns(netns, "ipvsadm-save", "-n")
            if _lines(table) == _lines(expected):
                return table
            if table != seen:
                seen, stable_since = table, time.monotonic()
            elif table and time.monotonic() - stable_since > 1.5:
                return table
            time.sleep(0.2)
        return seen
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)


def _lines(text: str) -> list[str]:
    return sorted(line for line in text.splitlines() if line.strip())


@pytest.mark.kernel
def test_keepalived_loads_the_table_lvscc_compiles(netns_factory: Callable[[], str], tmp_path: Path) -> None:
    from lvscc.fmt import format_config
    from lvscc.importers import import_files
    from lvscc.load import load_text
    from lvscc.lower import lower
    from lvscc.render import registry, render

    files = [p for p in corpus_files() if not PREPROCESSED.search(p.read_text(errors="replace"))]
    if not files:
        pytest.skip("no real-world corpus beside the repository")
    if shutil.which("keepalived") is None:
        pytest.skip("keepalived is not installed")
    started, compared, equal, differing = time.monotonic(), 0, 0, []
    for path in files:
        if time.monotonic() - started > BUDGET:
            break
        config, notes = import_files("keepalived", [str(path)])
        if config is None or any(d.severity.value == "error" for d in notes):
            continue
        config, _ = load_text(format_config(config), path.name)
        if config is None or not config.services:
            continue
        artifacts = render(config, lower(config), [registry()["ipvsadm"]])
        ours = kernel_lines(next(a.content for a in artifacts if a.path.endswith("ipvsadm.rules")))
        work = tmp_path / path.name
        work.mkdir()
        conf = work / "keepalived.conf"
        conf.write_text(without_checkers(path.read_text(errors="replace")))
        theirs = keepalived_table(netns_factory(), conf, ours)
        if not theirs.strip():
            continue  # keepalived loaded nothing (a config it rejects, or an environment it needs)
        compared += 1
        if _lines(theirs) == _lines(ours):
            equal += 1
        else:
            differing.append(f"{path.name}:\n--- lvscc\n{ours}--- keepalived\n{theirs}")
    samples = sum(1 for p in files if p.name.startswith(SAMPLE_PREFIX))
    print(f"\nkeepalived oracle: {len(files)} files without preprocessing ({samples} samples), "
          f"{compared} compared in {time.monotonic() - started:.0f}s, {equal} table-equal")
    assert compared, "keepalived loaded no table at all"
    assert not differing, "\n".join(differing[:5])
