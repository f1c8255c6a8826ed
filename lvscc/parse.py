"""Text → lark parse tree, with syntax errors turned into Diagnostics that read like a
compiler's: position, what was found, what was expected (in words, never lark's terminal
names), and a "did you mean" for misspelt keywords."""

from __future__ import annotations

import hashlib
import re
import sys
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

from lark import Lark, Token, Tree
from lark import __version__ as lark_version
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken
from lark.parsers.lalr_interactive_parser import InteractiveParser

from lvscc.diagnostics import Diagnostic, did_you_mean, error
from lvscc.model.span import Span
from lvscc.resources import cache_dir, data_dir

SYNTAX = "LVS001"  # unexpected token or character
UNCLOSED = "LVS002"  # end of file inside a block or string
MAX_SYNTAX_ERRORS = 20

# Recovery inserts a stand-in for a missing value, so `udp }` is one error, not a cascade, and
# then a missing brace, so `pool web` without its `{` is one error, not one per line after it.
STAND_INS = {"NUMBER": "0", "NAME": "_", "ADDRESS": "0.0.0.0", "STRING": '""', "DEVICE": "_",
             "LBRACE": "{", "RBRACE": "}"}

# How each named terminal is spelled in messages; keywords are shown as themselves.
SPELLING = {
    "NAME": "a name",
    "NUMBER": "a number",
    "ADDRESS": "an address",
    "DEVICE": "a device name",
    "STRING": 'a "string"',
    "$END": "end of file",
}


def _cache_file(path: Path, grammar: str) -> str | bool:
    """Where lark keeps this grammar's parse tables between runs (building them is most of a
    small check's run time). The name carries a hash of the grammar and its path, so every
    grammar, checkout, lark and Python keeps its own file; lark also hashes the grammar and its
    options into the file and rebuilds on a mismatch."""
    directory = cache_dir()
    if directory is None:
        return False
    digest = hashlib.sha256(f"{path}\0{grammar}".encode()).hexdigest()[:16]
    return str(directory / f"grammar-{digest}-lark{lark_version}-py{sys.version_info[0]}{sys.version_info[1]}.pickle")


def _build(**options: object) -> Lark:
    # keep_all_tokens instead of propagate_positions: every node keeps its keyword and braces,
    # so a span is read off its first and last token when a diagnostic needs one, and parsing
    # skips lark's per-node position bookkeeping (about half of the parse time on big files).
    path = data_dir("grammar") / "lvs.lark"
    grammar = path.read_text(encoding="utf-8")
    return Lark(grammar, source_path=str(path), parser="lalr", lexer="contextual", keep_all_tokens=True,
                maybe_placeholders=False, cache=_cache_file(path, grammar), **options)


@cache
def parser() -> Lark:
    """The pure-Python LALR parser: error recovery and messages need its interactive parser."""
    return _build()


@cache
def fast_parser() -> Lark:
    """lark-cython's LALR, 3-4x faster, for the common case of a file without syntax errors.
    Its error path is incomplete, so any failure is re-parsed by `parser()` for diagnostics."""
    try:
        import lark_cython
    except ImportError:
        return parser()
    return _build(_plugins=lark_cython.plugins)


@cache
def _keywords() -> dict[str, str]:
    """terminal name → keyword text for every literal in the grammar."""
    return {t.name: t.pattern.value for t in fast_parser().terminals if t.pattern.type == "str"}


@cache
def _literals() -> frozenset[str]:
    return frozenset(_keywords())


# Rules whose keyword IS their value (`!rule` in the grammar): their tokens are arguments.
VALUE_RULES = frozenset({"role", "method", "protocol", "arp_method", "tunnel_type", "csum", "timeout_kind"})


def args(node: Tree) -> list:
    """A node's children without its keywords and punctuation: what it says, not how."""
    if node.data in VALUE_RULES:
        return node.children
    literals = _literals()
    return [c for c in node.children if isinstance(c, Tree) or c.type not in literals]


def _edge_token(node: Tree, index: int):  # noqa: ANN202 - a lark or lark-cython token
    while isinstance(node, Tree):
        if not node.children:
            return None
        node = node.children[index]
    return node


def node_span(file: str, node: object) -> Span:
    """From the first to the last character of a node (a token or a tree)."""
    first, last = (_edge_token(node, 0), _edge_token(node, -1)) if isinstance(node, Tree) else (node, node)
    if first is None or last is None:
        return Span(file, 0, 0, 0, 0)
    return Span(file, first.line or 0, first.column or 0, last.end_line or 0, last.end_column or 0)


def spell(terminal: str) -> str:
    keyword = _keywords().get(terminal)
    return f"`{keyword}`" if keyword is not None else SPELLING.get(terminal, terminal.lower())


def printable(text: str) -> str:
    """Show control characters and other unprintables as escapes, never raw."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def _found(token: Token) -> str:
    if token.type == "$END":
        return "end of file"
    return f"`{printable(str(token.value))}`"


def _expected(names: set[str]) -> str:
    words = sorted({spell(n) for n in names if not n.startswith("__")} | set())
    if not words:
        return ""
    if len(words) == 1:
        return words[0]
    if len(words) > 10:
        return "one of " + ", ".join(words[:10]) + ", ..."
    return "one of " + ", ".join(words[:-1]) + " or " + words[-1]


def _did_you_mean(word: str, names: set[str]) -> str | None:
    return did_you_mean(word, (_keywords()[n] for n in names if n in _keywords()))


def _accepted(parser_state: InteractiveParser) -> set[str]:
    """The terminals that really continue the parse here. lark's own expected sets come from
    LALR states merged across contexts, and would offer `fwmarks` inside a service."""
    return set(parser_state.accepts())


def _misplaced_word(e: UnexpectedToken) -> Token | None:
    """`scheduler wlc` and on the next line `persistance 300s`: the grammar reads the
    misspelt keyword as one more scheduler flag (a name) and trips over `300s`. The mistake is
    the name that starts the line; return it when that is what happened."""
    values = e.interactive_parser.parser_state.value_stack
    if len(values) < 2 or not isinstance(values[-1], Token) or values[-1].type != "NAME":
        return None
    word, before = values[-1], _edge_token(values[-2], -1) if isinstance(values[-2], Tree) else values[-2]
    if word.line != e.token.line or before is None or (before.end_line or 0) >= (word.line or 0):
        return None
    return word


def _before(e: UnexpectedToken) -> InteractiveParser:
    """The parser as it stood before it took the last token."""
    earlier = e.interactive_parser.copy()
    earlier.parser_state.state_stack.pop()
    earlier.parser_state.value_stack.pop()
    return earlier


@dataclass
class _Collector:
    file: str
    text: str
    diagnostics: list[Diagnostic]
    last_line: int = 0

    def span(self, line: int, column: int, width: int = 1) -> Span:
        return Span(self.file, line, column, line, column + max(width, 1))

    def on_error(self, e: UnexpectedInput) -> bool:
        """lark's error callback: record the error, then let lark skip the offending token or
        character and resume, so one run reports every broken line."""
        if isinstance(e, UnexpectedToken) and e.token.type == "$END":
            self.add_unclosed()
            return False
        # One report per line: what lark discards while it resynchronises are echoes of the
        # same mistake, not new ones.
        reported = e.line != self.last_line
        if reported:
            self.last_line = e.line
            if isinstance(e, UnexpectedToken):
                self.unexpected_token(e)
            elif isinstance(e, UnexpectedCharacters):
                self.unexpected_characters(e)
        if isinstance(e, UnexpectedToken) and _insert_stand_in(e) == "RBRACE" and reported:
            # The token is a statement of the enclosing block: the block before it is unclosed.
            self.diagnostics[-1] = replace(self.diagnostics[-1], hint="is a `}` missing before it?")
        return len(self.diagnostics) < MAX_SYNTAX_ERRORS

    def unexpected_token(self, e: UnexpectedToken) -> None:
        token, accepted = e.token, _accepted(e.interactive_parser)
        word = _misplaced_word(e)
        if word is not None:  # the statement keyword was misspelt: expected what starts a statement
            token, accepted = word, _accepted(_before(e)) - {"NAME"}
        hint = _did_you_mean(str(token.value), accepted)
        expected = _expected(accepted)
        message = f"unexpected {_found(token)}" + (f", expected {expected}" if expected else "")
        self.diagnostics.append(error(SYNTAX, message, self.span(token.line, token.column, len(token)), hint))

    def unexpected_characters(self, e: UnexpectedCharacters) -> None:
        char = self.text[e.pos_in_stream] if e.pos_in_stream < len(self.text) else ""
        if char == '"':
            self.diagnostics.append(error(
                UNCLOSED, "unterminated string", self.span(e.line, e.column),
                'close the string with `"` on the same line; write a line break as \\n'))
            return
        word = re.match(r"[^\s{}#,]+", self.text[e.pos_in_stream:])
        shown = printable(word.group(0) if word else char)
        accepted = _accepted(e.interactive_parser)
        expected = _expected(accepted)
        hint = _did_you_mean(shown, accepted)
        message = f"unexpected `{shown}`" + (f", expected {expected}" if expected else "")
        self.diagnostics.append(error(SYNTAX, message, self.span(e.line, e.column, len(shown)), hint))

    def unclosed(self) -> Diagnostic | None:
        lines = self.text.splitlines() or [""]
        at = self.span(len(lines), len(lines[-1]) + 1)
        opened = _unclosed_brace(self.text)
        if opened is None and self.diagnostics:
            return None  # the braces balance: an echo of an earlier error
        hint = f"the `{{` at line {opened[0]}, column {opened[1]} is never closed" if opened else None
        return error(UNCLOSED, "unexpected end of file, expected `}`", at, hint)

    def add_unclosed(self) -> None:
        found = self.unclosed()
        if found:
            self.diagnostics.append(found)


def _insert_stand_in(e: UnexpectedToken) -> str | None:
    """When a value is missing before a token that could follow it (`udp }`), feed a stand-in
    value and then the token itself, so parsing goes on in step with the text. Returns the
    terminal fed, if any."""
    parser_state = e.interactive_parser
    for terminal, value in STAND_INS.items():
        if terminal not in e.expected:
            continue
        trial = parser_state.copy()
        try:
            trial.feed_token(Token(terminal, value))
            trial.feed_token(e.token)
        except UnexpectedInput:
            return None
        parser_state.feed_token(Token(terminal, value))
        parser_state.feed_token(e.token)
        return terminal
    return None


def _unclosed_brace(text: str) -> tuple[int, int] | None:
    """Position of the innermost `{` left open at end of file (strings and comments skipped)."""
    stack: list[tuple[int, int]] = []
    for line_no, line in enumerate(text.splitlines(), 1):
        clean = re.sub(r'"(?:[^"\\]|\\.)*"|#.*', lambda m: " " * len(m.group(0)), line)
        for col, ch in enumerate(clean, 1):
            if ch == "{":
                stack.append((line_no, col))
            elif ch == "}" and stack:
                stack.pop()
    return stack[-1] if stack else None


def parse(text: str, file: str) -> tuple[Tree | None, list[Diagnostic]]:
    """Parse one file. Returns the tree (None when there was any syntax error) and the errors.
    The scanner reads every file without a syntax error (lark's fast parser taking the statements
    it does not know); it gives up only on one that has an error (lvscc/parse_scan.py), which the
    recovering parser then reads once, whole, for every diagnostic."""
    from lvscc.parse_scan import scan
    scanned = scan(text)
    if scanned is not None:
        return scanned, []
    collect = _Collector(file, text, [])
    try:
        tree = parser().parse(text, on_error=collect.on_error)
    except UnexpectedInput as e:  # the callback gave up: end of file, or too many errors
        if isinstance(e, UnexpectedEOF):
            collect.add_unclosed()
        if not collect.diagnostics:
            collect.diagnostics.append(error(SYNTAX, "syntax error", collect.span(e.line, e.column)))
        return None, collect.diagnostics
    return (None if collect.diagnostics else tree), collect.diagnostics
