"""The man page and the bash completion, both written from the argument parser `lvscc` runs
with, so neither can fall behind a new subcommand or option (scripts/gen-docs.py writes them,
a test compares the committed copies)."""

from __future__ import annotations

import argparse
import re
from dataclasses import dataclass

from lvscc import __version__
from lvscc.cli import build_parser

# A value of these metavars is a directory, of any other file-like one a file.
DIRECTORY_METAVARS = ("DIR",)
FILE_METAVARS = ("FILE", "CONFIG", "PROFILE", "OUT", "DIR")


@dataclass(frozen=True)
class Command:
    name: str
    help: str
    parser: argparse.ArgumentParser

    @property
    def options(self) -> list[argparse.Action]:
        return [a for a in self.parser._actions if a.option_strings and not isinstance(a, argparse._HelpAction)]

    @property
    def positionals(self) -> list[argparse.Action]:
        return [a for a in self.parser._actions if not a.option_strings]


def commands(parser: argparse.ArgumentParser | None = None) -> list[Command]:
    parser = parser or build_parser()
    (sub,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    helps = {choice.dest: choice.help or "" for choice in sub._choices_actions}
    return [Command(name, helps[name], sub_parser) for name, sub_parser in sub.choices.items()]


def _value(action: argparse.Action) -> str:
    """How an option's value is written in a synopsis: its choices, else its metavar."""
    if action.nargs == 0:
        return ""
    if action.choices:
        return "{" + ",".join(map(str, action.choices)) + "}"
    return str(action.metavar or action.dest.upper())


def _positional(action: argparse.Action) -> str:
    name = _value(action)
    return {"?": f"[{name}]", "+": f"{name}...", "*": f"[{name}...]"}.get(str(action.nargs), name)


# ---- man page ---------------------------------------------------------------------------------


def _roff(text: str) -> str:
    text = text.replace("\\", "\\e").replace("-", "\\-")
    return re.sub(r"^([.'])", r"\\&\1", text, flags=re.M)


def _synopsis(command: Command) -> str:
    options = [f"[{'|'.join(a.option_strings)}{' ' + _value(a) if _value(a) else ''}]" for a in command.options]
    return " ".join(["lvscc", command.name, *options, *(_positional(a) for a in command.positionals)])


def man_page() -> str:
    """lvscc(1) in roff, without a date, so that the same parser always gives the same page."""
    parser = build_parser()
    out = [
        f'.TH LVSCC 1 "" "lvscc {__version__}" "User Commands"',
        ".SH NAME",
        "lvscc \\- compile and audit Linux Virtual Server (IPVS) load balancers",
        ".SH SYNOPSIS",
        ".B lvscc",
        "\\fICOMMAND\\fR [\\fIOPTIONS\\fR] ...",
        ".br",
        ".B lvscc",
        "\\-\\-version",
        ".SH DESCRIPTION",
        _roff(parser.description or ""),
        "A config in the .lvs language (docs/language.md) is checked, compiled into the files each "
        "director and real server loads (ipvsadm, iptables or nft, arptables, sysctl, keepalived, "
        "Piranha lvs.cf, a real-server kit), and compared with what a host runs.",
        ".SH COMMANDS",
    ]
    for command in commands(parser):
        out += [".SS " + _roff(_synopsis(command)), _roff(command.help[:1].upper() + command.help[1:] + ".")]
        for action in (a for a in command.positionals if a.help):
            out += [".TP", f"\\fI{_roff(_positional(action))}\\fR", _roff(str(action.help))]
        for action in command.options:
            value = _value(action)
            names = ", ".join(f"\\fB{_roff(s)}\\fR" for s in action.option_strings)
            out += [".TP", names + (f" \\fI{_roff(value)}\\fR" if value else ""), _roff(action.help or "")]
    out += [
        ".SH EXIT STATUS",
        "0: nothing to report; 1: findings (errors, or what \\fB\\-\\-fail\\-on\\fR names) or drift; "
        "2: usage error, unreadable input, or a host that cannot be read.",
        ".SH DIAGNOSTICS",
        "Every finding carries a code (LVS001 ... LVS5nn); \\fBlvscc explain\\fR \\fICODE\\fR prints "
        "what it protects, an example and the fix.",
        ".SH SHELL COMPLETION",
        "Bash completion is installed as share/bash\\-completion/completions/lvscc; zsh loads it "
        "with \\fBautoload \\-U bashcompinit && bashcompinit\\fR.",
        ".SH SEE ALSO",
        "ipvsadm(8), ipvsadm\\-save(8), keepalived.conf(5), nft(8), iptables(8), arptables(8), sysctl(8)",
        "",
    ]
    return "\n".join(out)


# ---- bash completion --------------------------------------------------------------------------


def _words(values: list[str]) -> str:
    return " ".join(values)


def _value_completion(action: argparse.Action) -> str:
    if action.choices:
        return f'COMPREPLY=($(compgen -W "{_words([str(c) for c in action.choices])}" -- "$cur"))'
    if action.metavar in DIRECTORY_METAVARS:
        return 'COMPREPLY=($(compgen -d -- "$cur"))'
    if action.metavar in FILE_METAVARS:
        return 'COMPREPLY=($(compgen -f -- "$cur"))'
    return "COMPREPLY=()"


def bash_completion() -> str:
    """A bash completion function for lvscc: subcommands, each one's options, option values
    (choices, files, directories) and file arguments."""
    found = commands()
    out = [
        "# bash completion for lvscc, generated from its argument parser by scripts/gen-docs.py",
        "_lvscc() {",
        '    local cur="${COMP_WORDS[COMP_CWORD]}" prev="${COMP_WORDS[COMP_CWORD-1]}"',
        "    if [ \"$COMP_CWORD\" -eq 1 ]; then",
        f'        COMPREPLY=($(compgen -W "{_words([c.name for c in found])} --version --help" -- "$cur"))',
        "        return",
        "    fi",
        '    case "${COMP_WORDS[1]} $prev" in',
    ]
    for command in found:
        for action in command.options:
            if action.nargs != 0:
                patterns = "|".join(f'"{command.name} {s}"' for s in action.option_strings)
                out.append(f"        {patterns}) {_value_completion(action)}; return;;")
    out += ["    esac", '    case "${COMP_WORDS[1]}" in']
    for command in found:
        options = _words([s for a in command.options for s in a.option_strings] + ["--help"])
        files = any(a.metavar in FILE_METAVARS for a in command.positionals)
        rest = 'COMPREPLY=($(compgen -f -- "$cur"))' if files else "COMPREPLY=()"
        out.append(f'        {command.name}) if [[ "$cur" == -* ]]; then COMPREPLY=($(compgen -W "{options}" -- "$cur")); '
                   f"else {rest}; fi;;")
    out += ["    esac", "}", "complete -o filenames -F _lvscc lvscc", ""]
    return "\n".join(out)
