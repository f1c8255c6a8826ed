"""The real-world corpus (`../shared/real-world/` from the repository root) run through
import -> check -> compile, and through keepalived's own config test (`keepalived -t`, in a
network namespace holding the interfaces the file names). The test in test_real_world.py uses
these functions; run this file to print the counts:

    .venv/bin/python tests/importers/real_world.py [--no-keepalived] [-v]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import re
import secrets
import shutil
import subprocess
import sys
import traceback
from collections.abc import Collection
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO.parent / "shared" / "real-world"
# keepalived's own doc/samples and etc/ files (the project-sample group of SOURCES.tsv)
SAMPLE_PREFIX = "acassen__keepalived__"
EXCEPTIONS = Path(__file__).resolve().parent / "real_world_exceptions.tsv"
# keepalived -i: an id no corpus file names, so `@ID` lines never apply and `@^ID` lines always
# do, exactly as lvscc's importer reads a file when it is given no config id.
CONFIG_ID = "lvscc-no-such-host"
# interface names as keepalived reads them: `interface X`, `dev X`, `lvs_sync_daemon X`, ...
_LINK_WORDS = re.compile(
    r"^\s*(?:interface|lvs_sync_daemon_interface|lvs_sync_daemon|track_interface|dev)\s+\"?([A-Za-z0-9_.@-]+)",
    re.M)
_LINK_OPTIONS = re.compile(r"\b(?:dev|label|interface)\s+\"?([A-Za-z0-9_.@-]+)")
_MISSING = re.compile(r"interface ([A-Za-z0-9_.@-]+) (?:for .*? )?doesn't exist")
_TRACK_BLOCK = re.compile(r"track_interface\s*\{([^}]*)\}", re.S)


@dataclass(frozen=True)
class Outcome:
    file: Path
    imported: bool
    parses: bool  # the .lvs the importer wrote is read back by lvscc
    compiled: bool
    error: str  # the first error code/message, or a traceback
    ipvsadm_rules: tuple[str, ...] = ()  # each director's ipvsadm.rules, when compiled


def corpus_files(kind: str = "keepalived") -> list[Path]:
    folder = CORPUS / kind
    return sorted(p for p in folder.iterdir() if p.is_file()) if folder.is_dir() else []


def interface_names(text: str) -> set[str]:
    """Every interface a keepalived.conf may look up, as a namespace can hold it (<= 15 bytes)."""
    names = set(_LINK_WORDS.findall(text)) | set(_LINK_OPTIONS.findall(text))
    for block in _TRACK_BLOCK.findall(text):
        names |= {line.split()[0] for line in block.splitlines() if line.split()}
    names = {n.split(":")[0] for n in names}
    return {n for n in names if 0 < len(n) <= 15 and not n.startswith("$") and n not in ("lo",)}


def keepalived_accepts(path: Path) -> bool:
    return keepalived_links(path) is not None


def keepalived_links(path: Path) -> frozenset[str] | None:
    """keepalived -t (its own parser and checks) in a namespace holding the file's interfaces:
    the interfaces it needed when it accepts the file, None when it does not."""
    name = f"lvscc-rw-{secrets.token_hex(4)}"
    subprocess.run(["ip", "netns", "add", name], check=True, capture_output=True)
    try:
        return keepalived_test(name, path)
    finally:
        subprocess.run(["ip", "netns", "del", name], capture_output=True)


def keepalived_test(netns: str, conf: Path) -> frozenset[str] | None:
    """keepalived -t on CONF in NETNS, which is given the interfaces the file names, then every
    one keepalived still says does not exist; the interfaces made, if keepalived accepts it.
    keepalived reads it with the config id lvscc's importer assumes, from CONF's folder (relative
    includes)."""
    links = interface_names(conf.read_bytes().decode("utf-8", "replace"))
    made: set[str] = set()
    for _ in range(4):
        add_links(netns, sorted(links - made), first=len(made))
        made |= links
        done = subprocess.run(["ip", "netns", "exec", netns, "keepalived", "-t", "-i", CONFIG_ID, "-f", str(conf)],
                              capture_output=True, cwd=conf.parent, timeout=60)
        missing = {n for n in _MISSING.findall(done.stderr.decode("utf-8", "replace")) if len(n) <= 15}
        if done.returncode == 0 or not missing - made:
            return frozenset(made) if done.returncode == 0 else None
        links |= missing
    return None


def add_links(netns: str, links: Collection[str], first: int = 0) -> None:
    """The interfaces a keepalived.conf names, as veth pairs (peers rwpN from FIRST on), by one
    `ip` process; a name the kernel refuses is left out, as keepalived will then say."""
    batch = "".join(f"link add {link} type veth peer name rwp{first + i}\n" for i, link in enumerate(links))
    if batch:
        subprocess.run(["ip", "-n", netns, "-force", "-batch", "-"], input=batch.encode(), capture_output=True)


def can_run_keepalived() -> bool:
    return os.geteuid() == 0 and shutil.which("keepalived") is not None and shutil.which("ip") is not None


def run_one(path: Path, source: str = "keepalived", rendered: Collection[str] | None = None) -> Outcome:
    """import -> parse the .lvs back -> check -> compile every default backend, in memory (and
    render those named in RENDERED, or all of them)."""
    from lvscc.importers import import_files
    from lvscc.diagnostics import has_errors
    from lvscc.fmt import format_config
    from lvscc.load import load_text
    from lvscc.lower import lower
    from lvscc.render import registry, render
    from lvscc.rules import check

    try:
        config, notes = import_files(source, [str(path)])
        if config is None:
            return Outcome(path, False, False, False, _first_error(notes))
        untranslated = has_errors(notes)  # a part left out: the file as a whole did not compile
        config, found = load_text(format_config(config), f"{path.name}.lvs")
        if config is None:
            return Outcome(path, True, False, False, "unparsable .lvs: " + _first_error(found))
        found += check(config)
        backends = [b for b in registry().values() if b.default]
        found += [d for b in backends for d in b.unsupported(config)]
        if has_errors(found) or untranslated:
            return Outcome(path, True, True, False, _first_error(notes + found))
        artifacts = render(config, lower(config), [b for b in backends if rendered is None or b.name in rendered])
        return Outcome(path, True, True, True, "", tuple(a.content for a in artifacts if a.backend == "ipvsadm"))
    except Exception:  # noqa: BLE001 - a traceback is the finding this corpus exists for
        return Outcome(path, False, False, False, "TRACEBACK " + traceback.format_exc())


def run_corpus(files: list[Path], keepalived: bool = True) -> tuple[list[Outcome], dict[str, frozenset[str]]]:
    """run_one for every file, in as many processes as there are cores (up to 4): the work is
    pure Python, biggest files first so no worker is left with a slow tail. Meanwhile threads
    run keepalived -t (they wait on processes). The outcomes; the files keepalived accepts, each
    with the interfaces it needed."""
    by_size = sorted(files, key=lambda p: p.stat().st_size, reverse=True)
    workers = min(os.cpu_count() or 1, 4)
    # fork before any thread starts: the workers inherit lvscc already imported
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
        outcomes = pool.map(run_one, by_size)
        with ThreadPoolExecutor(max_workers=4) as threads:
            verdicts = list(threads.map(keepalived_links, files)) if keepalived else []
        done = dict(zip(by_size, outcomes))
    return [done[p] for p in files], {p.name: links for p, links in zip(files, verdicts) if links is not None}


def _first_error(diagnostics: list) -> str:
    errors = [d for d in diagnostics if d.severity.value == "error"]
    return f"{errors[0].code} {errors[0].message}" if errors else "no error reported"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--no-keepalived", action="store_true", help="skip keepalived -t")
    parser.add_argument("-v", "--verbose", action="store_true", help="one line per file that does not compile")
    args = parser.parse_args()
    files = corpus_files()
    if not files:
        raise SystemExit(f"no corpus at {CORPUS}")
    with_keepalived = not args.no_keepalived and can_run_keepalived()
    outcomes, names = run_corpus(files, with_keepalived)
    accepted = {p for p in files if p.name in names} if with_keepalived else None
    samples = [o for o in outcomes if o.file.name.startswith(SAMPLE_PREFIX)]
    print(f"files {len(files)}  imported {sum(o.imported for o in outcomes)}  "
          f"parsed back {sum(o.parses for o in outcomes)}  compiled {sum(o.compiled for o in outcomes)}  "
          f"tracebacks {sum(o.error.startswith('TRACEBACK') for o in outcomes)}")
    print(f"keepalived's own samples: {sum(o.compiled for o in samples)} of {len(samples)} compile")
    if accepted is not None:
        good = [o for o in outcomes if o.file in accepted]
        print(f"keepalived -t accepts {len(accepted)}; of those {sum(o.compiled for o in good)} compile "
              f"({100 * sum(o.compiled for o in good) / max(len(good), 1):.1f}%)")
    if args.verbose:
        for o in outcomes:
            if not o.compiled:
                ok = "" if accepted is None else (" [kt ok]" if o.file in accepted else " [kt rejects]")
                print(f"{o.file.name}{ok}: {o.error.splitlines()[0] if o.error else ''}"
                      + ("\n" + o.error if o.error.startswith("TRACEBACK") else ""))


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    main()
