"""A hand-written scanner for the lines that fill big configs: a service's real-server lines and
its one-line statements (`vip`, `tcp 80`, `scheduler`, `persistence`, a one-line `check`). It
builds the very tree lark would (same rules, token types, values and positions) and hands every
other statement to lark, one run of lines at a time, shifting lark's positions back to the file.

It never reports: a line it cannot read makes its whole service a statement for lark, and
anything lark refuses, an unclosed block or a stray brace makes `scan` return None, so the
file is parsed by lvscc.parse alone and every diagnostic is lark's, with its position.

Why the trees are the same (docs/language.md: newlines carry no meaning, but no token spans
one): a line is read only when each of its words, split at lark's own white space, is exactly
the keyword the shape expects or matches in full the one terminal lark's contextual lexer
accepts there, and no name is spelt like a keyword (lark would read it as one where both are
accepted). Every shape starts with a statement keyword, so no line continues the one before.
Statements handed to lark in runs of whole statements parse as they would in place, since the
grammar is LALR (one tree per text) and no statement starts with what could end another."""

from __future__ import annotations

import re
from functools import cache
from typing import Callable

from lark import Tree

from lvscc.parse import fast_parser

try:  # the tokens lvscc.parse.fast_parser makes, and 5x cheaper to make than lark's own
    from lark_cython.lark_cython import Token
except ImportError:
    from lark import Token

WORD = re.compile(r"[^ \t\f\r]+")  # lark's WS is [ \t\f\r\n]; lines are split at \n already
PROTOCOLS = frozenset({"tcp", "udp", "sctp"})
# option keyword -> its rule, on a server line and in a one-line check
SERVER_OPTIONS = {"port": "rs_port", "weight": "rs_weight", "upper": "rs_upper", "lower": "rs_lower",
                  "inactive": "rs_inactive", "nat": "rs_method", "direct": "rs_method", "tunnel": "rs_method"}
CHECK_OPTIONS = {"timeout": "check_timeout", "reentry": "reentry", "port": "check_port", "regex": "regex"}
NUMBER_RULES = frozenset({"rs_port", "rs_weight", "rs_upper", "rs_lower", "check_timeout", "reentry", "check_port"})
FLAGS_ONLY = {"one-packet": "one_packet", "quiesce": "quiesce", "disabled": "disabled"}
STRING_OR_COMMENT = re.compile(r'"(?:[^"\\\n]|\\.)*"|#.*')


class _NotMine(Exception):
    """The text is not one the scanner vouches for: lark parses all of it."""


@cache
def _vocabulary() -> tuple[dict[str, str], dict[str, Callable[[str], re.Match[str] | None]]]:
    """keyword text -> its terminal's name, and each named terminal's matcher (lark's regex)."""
    terminals = fast_parser().terminals
    keywords = {t.pattern.value: t.name for t in terminals if t.pattern.type == "str"}
    matchers = {t.name: re.compile(t.pattern.to_regexp()).match for t in terminals if t.pattern.type == "re"}
    return keywords, matchers


class _Scanner:
    def __init__(self, text: str) -> None:
        self.lines = text.split("\n")
        self.starts = [0] * len(self.lines)  # offset of each line in the text
        offset = 0
        for i, line in enumerate(self.lines):
            self.starts[i] = offset
            offset += len(line) + 1
        self.keywords, self.matchers = _vocabulary()
        self.line = 0  # index of the line being read
        self.words: list[re.Match[str]] = []

    # ---- words and tokens ----------------------------------------------------------------
    def read_words(self, index: int) -> list[re.Match[str]] | None:
        """The words of a line without its comment; None for a line with a string (left to lark)."""
        line = self.lines[index]
        if '"' in line:
            return None
        cut = line.find("#")
        return list(WORD.finditer(line, 0, len(line) if cut < 0 else cut))

    def token(self, kind: str, word: re.Match[str]) -> Token:
        start, end = word.span()
        at = self.starts[self.line]
        line = self.line + 1
        return Token(kind, word.group(), at + start, line, start + 1, line, end + 1, at + end)

    def keyword(self, word: re.Match[str], text: str) -> Token:
        if word.group() != text:
            raise _NotMine
        return self.token(self.keywords[text], word)

    def terminal(self, kind: str, word: re.Match[str]) -> Token:
        text = word.group()
        found = self.matchers[kind](text)
        if found is None or found.end() != len(text) or (kind in ("NAME", "DEVICE") and text in self.keywords):
            raise _NotMine
        return self.token(kind, word)

    # ---- the file ------------------------------------------------------------------------
    def scan(self) -> Tree:
        top: list = []
        block: list | None = None  # the children of an open `lvs` block
        pending: int | None = None  # first line of statements waiting for lark
        count = len(self.lines)
        index = 0
        while index < count:
            words = self.read_words(index)
            if words == []:
                index += 1
                continue
            here = top if block is None else block
            texts = [w.group() for w in words] if words else []
            opened = None
            if block is None and len(texts) == 3 and texts[0] == "lvs" and texts[2] == "{":
                opened = self.opening(index, words, "lvs")
            closing = block is not None and texts == ["}"]
            service = None
            if opened is None and not closing and len(texts) == 3 and texts[0] == "service" and texts[2] == "{":
                service = self.service(index, words)
            if opened is None and not closing and service is None:
                if pending is None:
                    pending = index
                index = self.statement_end(index) + 1
                continue
            if pending is not None:
                here += self.by_lark(pending, index, inside=block is not None)
                pending = None
            if opened is not None:
                block = opened
                index += 1
            elif closing:
                self.line = index
                block.append(self.token("RBRACE", words[0]))
                top.append(Tree("lvs", block))
                block = None
                index += 1
            else:
                tree, index = service
                here.append(tree)
        if pending is not None:
            (top if block is None else block).extend(self.by_lark(pending, count, inside=block is not None))
        if block is not None:
            raise _NotMine  # unclosed: lark's message
        return Tree("start", top)

    def opening(self, index: int, words: list[re.Match[str]], keyword: str) -> list | None:
        """`KEYWORD NAME {` as tokens, or None when the name is not a plain name."""
        self.line = index
        try:
            return [self.keyword(words[0], keyword), self.terminal("NAME", words[1]), self.keyword(words[2], "{")]
        except _NotMine:
            return None

    def statement_end(self, index: int) -> int:
        """The last line of the statement starting at `index`: where its braces balance."""
        depth = 0
        for end in range(index, len(self.lines)):
            clean = STRING_OR_COMMENT.sub("", self.lines[end])
            for char in clean:
                depth += (char == "{") - (char == "}")
                if depth < 0:
                    raise _NotMine
            if depth == 0:
                return end
        raise _NotMine

    def by_lark(self, first: int, end: int, inside: bool) -> list:
        """lark's trees of lines first..end-1 (whole statements), at their places in the file."""
        try:
            tree = fast_parser().parse("\n".join(self.lines[first:end]))
        except Exception as e:  # noqa: BLE001 - any failure: lark reports it on the whole file
            raise _NotMine from e
        if inside and any(c.data == "lvs" for c in tree.children):
            raise _NotMine  # an `lvs` block inside one: an error in place
        return [_moved(c, first, self.starts[first]) for c in tree.children]

    # ---- a service whose every line is a shape -------------------------------------------
    def service(self, index: int, words: list[re.Match[str]]) -> tuple[Tree, int] | None:
        children = self.opening(index, words, "service")
        if children is None:
            return None
        try:
            for index in range(index + 1, len(self.lines)):
                words = self.read_words(index)
                if words is None:
                    return None
                if not words:
                    continue
                self.line = index
                if len(words) == 1 and words[0].group() == "}":
                    children.append(self.token("RBRACE", words[0]))
                    return Tree("service", children), index + 1
                children.append(self.service_line(words))
        except _NotMine:
            return None
        return None

    def service_line(self, words: list[re.Match[str]]) -> Tree:
        first = words[0].group()
        read = self.READERS.get(first)
        if read is not None:
            return read(self, words)
        if first in PROTOCOLS and len(words) == 2:
            protocol = Tree("protocol", [self.keyword(words[0], first)])
            return Tree("listen", [protocol, self.terminal("NUMBER", words[1])])
        if first in FLAGS_ONLY and len(words) == 1:
            return Tree(FLAGS_ONLY[first], [self.keyword(words[0], first)])
        raise _NotMine

    def server(self, words: list[re.Match[str]]) -> Tree:
        if len(words) < 3:
            raise _NotMine
        return Tree("server", [self.keyword(words[0], "server"), self.terminal("NAME", words[1]),
                               self.terminal("ADDRESS", words[2]), *self.options(words, 3, len(words), SERVER_OPTIONS)])

    def options(self, words: list[re.Match[str]], i: int, end: int, rules: dict[str, str]) -> list[Tree]:
        """The options in words[i:end]: `KEYWORD NUMBER` for the rules in NUMBER_RULES, else the
        keyword alone."""
        out = []
        while i < end:
            option = words[i].group()
            rule = rules.get(option)
            if rule is None:
                raise _NotMine
            token = self.keyword(words[i], option)
            if rule in NUMBER_RULES:
                if i + 1 == end:
                    raise _NotMine
                out.append(Tree(rule, [token, self.terminal("NUMBER", words[i + 1])]))
                i += 2
                continue
            out.append(Tree(rule, [Tree("method", [token])] if rule == "rs_method" else [token]))
            i += 1
        return out

    def vip(self, words: list[re.Match[str]]) -> Tree:
        children = [self.keyword(words[0], "vip"), self.terminal("ADDRESS", words[1])] if len(words) in (2, 4) else []
        if len(words) == 4:
            children.append(Tree("dev", [self.keyword(words[2], "dev"), self.terminal("DEVICE", words[3])]))
        elif len(words) != 2:
            raise _NotMine
        return Tree("vip", children)

    def scheduler(self, words: list[re.Match[str]]) -> Tree:
        if len(words) < 2:
            raise _NotMine
        flags = [Tree("sched_flag", [self.terminal("NAME", w)]) for w in words[2:]]
        return Tree("scheduler", [self.keyword(words[0], "scheduler"), self.terminal("NAME", words[1]), *flags])

    def persistence(self, words: list[re.Match[str]]) -> Tree:
        if len(words) > 2:
            raise _NotMine
        return Tree("persistence", [self.keyword(words[0], "persistence"),
                                    *(self.terminal("NUMBER", w) for w in words[1:])])

    def check(self, words: list[re.Match[str]]) -> Tree:
        """`check { timeout 5s ... }` on one line, with number options and `regex` only."""
        if len(words) < 3 or words[-1].group() != "}":
            raise _NotMine
        last = len(words) - 1
        children = [self.keyword(words[0], "check"), self.keyword(words[1], "{"),
                    *self.options(words, 2, last, CHECK_OPTIONS)]
        children.append(self.token("RBRACE", words[last]))
        return Tree("check", children)

    # The readers of a service line by its first word: one table, not a dict of bound methods a line.
    READERS: dict[str, Callable[[_Scanner, list[re.Match[str]]], Tree]] = {
        "server": server, "vip": vip, "scheduler": scheduler, "persistence": persistence, "check": check}


def _moved(node: Tree | Token, lines: int, offset: int) -> Tree | Token:
    """A tree lark built from a slice of the file, with its positions in the whole file."""
    if isinstance(node, Tree):
        return Tree(node.data, [_moved(c, lines, offset) for c in node.children])
    return Token(node.type, node.value, node.start_pos + offset, node.line + lines, node.column,
                 node.end_line + lines, node.end_column, node.end_pos + offset)


def scan(text: str) -> Tree | None:
    """The tree lark would build for `text`, or None when lark must parse it (a syntax error
    somewhere, or nothing the scanner reads)."""
    try:
        return _Scanner(text).scan()
    except _NotMine:
        return None
