"""The man page and the bash completion are written from the parser lvscc runs with: every
subcommand and option is in both, the page renders without a groff warning and the completion
really completes in bash."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from lvscc.manual import bash_completion, commands, man_page

REPO = Path(__file__).parents[1]
COMPLETION = REPO / "contrib" / "completion" / "lvscc.bash"


def test_man_page_has_every_subcommand_and_option() -> None:
    page = man_page()
    for command in commands():
        assert f".SS lvscc {command.name} " in page or f".SS lvscc {command.name}\n" in page
        for action in command.options:
            for option in action.option_strings:
                assert "\\fB" + option.replace("-", "\\-") + "\\fR" in page, option


@pytest.mark.skipif(shutil.which("groff") is None, reason="groff is not installed")
def test_man_page_renders_without_warnings() -> None:
    done = subprocess.run(["groff", "-ww", "-man", "-Tutf8", "-P-cbou"], input=man_page(), capture_output=True, text=True)
    assert done.returncode == 0 and done.stderr == ""
    assert "lvscc explain" in done.stdout.replace("\u2010", "-")


def complete(*words: str) -> list[str]:
    """What bash offers for the command line `words` (the last word being completed)."""
    script = (f"source {COMPLETION}\n"
              f"COMP_WORDS=({' '.join(repr(w) for w in words)}); COMP_CWORD={len(words) - 1}\n"
              "_lvscc; printf '%s\\n' \"${COMPREPLY[@]}\"\n")
    done = subprocess.run(["bash", "--norc", "-c", script], capture_output=True, text=True, cwd=REPO)
    assert done.returncode == 0, done.stderr
    return [line for line in done.stdout.splitlines() if line]


def test_completion_offers_every_subcommand() -> None:
    offered = complete("lvscc", "")
    assert [c.name for c in commands()] == [w for w in offered if not w.startswith("-")]


def test_completion_offers_options_and_their_values() -> None:
    assert complete("lvscc", "compile", "--la") == ["--layout"]
    assert complete("lvscc", "compile", "--layout", "") == ["flat", "rhel", "debian"]
    assert complete("lvscc", "audit", "c.lvs", "--format", "j") == ["json", "junit"]
    assert set(complete("lvscc", "explain", "--")) == {"--all", "--list", "--format", "--help"}
    assert "samples/guide-nat.lvs" in complete("lvscc", "check", "samples/guide-n")


def test_completion_is_valid_bash() -> None:
    assert subprocess.run(["bash", "-n", str(COMPLETION)]).returncode == 0
    assert bash_completion().endswith("complete -o filenames -F _lvscc lvscc\n")
