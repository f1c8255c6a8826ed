"""Issue 12: every real keepalived.conf under ../shared/real-world/ goes import -> check ->
compile without a traceback, every import parses back, and every file keepalived's own
`keepalived -t` accepts compiles, apart from the reviewed exceptions in
real_world_exceptions.tsv (each with its reason). The counts are printed into the test log."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from real_world import (  # noqa: E402
    CORPUS,
    EXCEPTIONS,
    SAMPLE_PREFIX,
    can_run_keepalived,
    corpus_files,
    run_corpus,
)

REQUIRED = os.environ.get("LVS_REQUIRE_KERNEL_TESTS") == "1"


def _exceptions() -> dict[str, str]:
    rows = [line.split("\t", 1) for line in EXCEPTIONS.read_text().splitlines() if line and not line.startswith("#")]
    return {name: reason for name, reason in rows}


@pytest.fixture(scope="module")
def files() -> list[Path]:
    found = corpus_files()
    if not found:
        if REQUIRED:
            pytest.fail(f"no real-world corpus at {CORPUS} (LVS_REQUIRE_KERNEL_TESTS=1)")
        pytest.skip(f"no real-world corpus at {CORPUS}: the corpus lives beside the repository, not in it")
    return found


def test_every_real_keepalived_conf_imports_parses_back_and_compiles(files: list[Path],
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    if not can_run_keepalived():
        if REQUIRED:
            pytest.fail("needs root, ip netns and keepalived (LVS_REQUIRE_KERNEL_TESTS=1)")
        pytest.skip("needs root, ip netns and keepalived for `keepalived -t`")
    from lvscc.render import registry

    registry()  # loaded once, before run_corpus's workers fork
    started = time.monotonic()
    outcomes, links = run_corpus(files)
    accepted = set(links)
    compiled = {o.file.name for o in outcomes if o.compiled}
    samples = [p.name for p in files if p.name.startswith(SAMPLE_PREFIX)]
    with capsys.disabled():  # the counts belong in the CI log, not only in a captured buffer
        print(f"\nreal world: files {len(files)}, imported {sum(o.imported for o in outcomes)}, "
              f"compiled {len(compiled)}; keepalived -t accepts {len(accepted)}, of which "
              f"{len(accepted & compiled)} compile; keepalived's samples {len(set(samples) & compiled)}/{len(samples)} "
              f"(in {time.monotonic() - started:.0f}s)")
    tracebacks = [o.file.name + "\n" + o.error for o in outcomes if o.error.startswith("TRACEBACK")]
    assert not tracebacks, tracebacks[0]
    unparsable = [f"{o.file.name}: {o.error}" for o in outcomes if o.imported and not o.parses]
    assert not unparsable, "the importer wrote .lvs lvscc cannot read:\n" + "\n".join(unparsable)
    exceptions = _exceptions()
    failing = {o.file.name: o.error for o in outcomes if o.file.name in accepted and not o.compiled}
    unexplained = {name: error for name, error in failing.items() if name not in exceptions}
    assert not unexplained, "keepalived accepts, lvscc does not compile:\n" + "\n".join(
        f"{n}: {e.splitlines()[0]}" for n, e in unexplained.items())
    stale = sorted(set(exceptions) - set(failing))
    assert not stale, f"listed in {EXCEPTIONS.name} but compiles now (or keepalived rejects it): {stale}"
    assert len(accepted & compiled) >= 0.95 * len(accepted)
    assert set(samples) <= compiled, "keepalived's own samples must all compile"
