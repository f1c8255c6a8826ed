"""The IPVS side of the kernel tests: compile a .lvs file with lvscc's ipvsadm backend (in this
process: the guest can afford one Python), load rules into a namespace, read them back."""

from __future__ import annotations

import argparse
import contextlib
import difflib
import importlib.util
import io
import re
from collections.abc import Sequence
from pathlib import Path

from .lab import in_netns

REPO = Path(__file__).resolve().parents[2]
CASES = Path(__file__).resolve().parent / "cases"


def compiler_available() -> bool:
    return importlib.util.find_spec("lvscc.commands.compile") is not None


def compile_lvs(source: Path, out: Path, backends: Sequence[str] = ()) -> None:
    """`lvscc compile SOURCE -o OUT [--backend NAME]...`, in this process, through the compile
    command alone: a subcommand that is broken mid-work must not take these tests down with it."""
    from lvscc.commands import compile as compile_command

    parser = argparse.ArgumentParser(prog="lvscc")
    compile_command.register(parser.add_subparsers(dest="command", required=True))
    chosen = [arg for name in backends for arg in ("--backend", name)]
    args = parser.parse_args(["compile", str(source), "-o", str(out), *chosen])
    said = io.StringIO()
    with contextlib.redirect_stdout(said), contextlib.redirect_stderr(said):
        status = args.run(args)
    if status != 0:
        raise AssertionError(f"lvscc compile {source.name} exited {status}:\n{said.getvalue()}")


def compile_director_rules(source: Path, out: Path) -> dict[str, str]:
    """Host -> ipvsadm.rules text for every host that gets one (the directors)."""
    compile_lvs(source, out, ["ipvsadm"])
    return {rules.parent.name: rules.read_text() for rules in sorted(out.glob("*/ipvsadm.rules"))}


THRESHOLDS = re.compile(r" -x (\d+) -y (\d+)$")


def kernel_lines(rules: str) -> str:
    """What `ipvsadm-save -n` can print back: no comments, no timeouts (`--set` is not saved),
    no connection thresholds (save never prints -x/-y)."""
    kept = [THRESHOLDS.sub("", line) for line in rules.splitlines()
            if line.strip() and not line.lstrip().startswith(("#", "--set"))]
    return "".join(f"{line}\n" for line in kept)


def assert_thresholds(netns: str, rules: str) -> None:
    """The -x/-y that save cannot show, read with `ipvsadm -L -n --thresholds` (its dest rows:
    `-> ADDR:PORT UTHRESHOLD LTHRESHOLD ACTIVE INACTIVE`): every real server's, 0/0 where its
    line states none, so a threshold the rules lost or the kernel invented shows."""
    wanted = [(line.split(" -r ")[1].split()[0], m.groups() if (m := THRESHOLDS.search(line)) else ("0", "0"))
              for line in rules.splitlines() if line.startswith("-a ")]
    if not wanted:
        return
    rows = [r.split() for r in in_netns(netns, "ipvsadm", "-L", "-n", "--thresholds").splitlines()]
    shown = sorted((r[1], tuple(r[2:4])) for r in rows if r[:1] == ["->"] and r[1] != "RemoteAddress:Port")
    # one real server may sit in several services: compared as a multiset of (server, thresholds)
    assert shown == sorted(wanted), f"thresholds: the rules say {sorted(wanted)}, the kernel shows {shown}"


def restore(netns: str, rules: str) -> None:
    # ipvsadm -R reports some refused lines only on stderr, so the caller compares save output
    # instead of trusting this exit status.
    in_netns(netns, "ipvsadm-restore", stdin=rules)


def save(netns: str) -> str:
    return in_netns(netns, "ipvsadm-save", "-n")


def director_rules(case: str, out: Path) -> str:
    """The primary director's rules for a lab case: compiled when lvscc can compile, else the
    hand-written expectation next to the case (what ipvsadm-save -n prints for it)."""
    if compiler_available():
        return compile_director_rules(CASES / f"{case}.lvs", out)["primary"]
    return (CASES / f"{case}.ipvsadm").read_text()


def assert_round_trip(netns: str, rules: str, what: str) -> None:
    restore(netns, rules)
    saved, wanted = save(netns), kernel_lines(rules)
    difference = difflib.unified_diff(wanted.splitlines(), saved.splitlines(), "rules", "ipvsadm-save -n", lineterm="")
    assert saved == wanted, f"ipvsadm-save -n does not print {what} back:\n" + "\n".join(difference)
    assert_thresholds(netns, rules)
    timeouts = [line.split()[1:] for line in rules.splitlines() if line.startswith("--set")]
    if timeouts:
        shown = in_netns(netns, "ipvsadm", "-L", "-n", "--timeout")
        assert re.findall(r"\d+", shown.split(":", 1)[1]) == timeouts[-1], shown


def load_case(netns: str, case: str, out: Path) -> None:
    assert_round_trip(netns, director_rules(case, out), f"lab case {case}")
