"""keepalived.conf as keepalived's parser reads it: words with their line and column, a tree
of statements, and the two ways a word's quotes and escapes are taken off."""

from __future__ import annotations

import re
from dataclasses import dataclass

from lvscc.importers.common import Blocks, Entry, Notes, span_at
from lvscc.importers.keepalived.preprocess import Line

# a quoted string (an unclosed one runs to the end of the line), a brace, or anything else unspaced
_WORD = re.compile(r'"(?:[^"\\]|\\.)*"?|[{}]|[^\s{}"]+')
# keepalived's escapes in misc_path and regex (parser.c alloc_strvec_quoted_escaped)
NAMED_ESCAPES = {"a": "\a", "b": "\b", "E": "\x1b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v"}


@dataclass(frozen=True)
class Word:
    text: str  # as written, quotes included
    line: int
    column: int
    file: str = ""
    index: int = 0  # which line of the preprocessed text: a statement ends with it


def read_words(lines: list[Line]) -> list[Word]:
    """keepalived's line reader over the preprocessed lines (comments are gone): `{` and `}`
    are words of their own, a quoted string is one word."""
    found = []
    for index, line in enumerate(lines):
        for match in _WORD.finditer(line.text):
            found.append(Word(match.group(), line.number, match.start() + 1, line.file, index))
    return found


def tree(words: list[Word], notes: Notes) -> tuple[Entry, ...]:
    """Statements end at the end of their line; a `{` (same or next line) opens the body."""
    blocks = Blocks(notes)
    i = 0
    while i < len(words):
        word = words[i]
        span = span_at(word.file, word.line, word.column, len(word.text))
        if word.text == "}":
            blocks.close(span)
            i += 1
            continue
        if word.text == "{":
            notes.unreadable(span, "`{` without a keyword")
            i += 1
            continue
        j = i + 1
        while j < len(words) and words[j].index == word.index and words[j].text not in "{}":
            j += 1
        entry = Entry(word.text, tuple(w.text for w in words[i + 1:j]), span)
        if j < len(words) and words[j].text == "{":
            blocks.open(entry)
            j += 1
        else:
            blocks.add(entry)
        i = j
    return blocks.finish(lambda opener: f"`{opener.key}` block")


def plain(word: str) -> str:
    return word[1:-1] if len(word) >= 2 and word[0] == word[-1] == '"' else word


def escaped(word: str) -> str:
    """One word decoded as keepalived decodes misc_path and regex."""
    out, i, quote = [], 0, None
    while i < len(word):
        c = word[i]
        if c == "\\" and i + 1 < len(word):
            i += 1
            octal = re.match(r"[0-7]{1,3}", word[i:])
            hexa = re.match(r"x([0-9A-Fa-f]+)", word[i:])
            if octal:
                out.append(chr(int(octal.group(), 8) & 0xFF))
                i += len(octal.group())
            elif hexa:
                out.append(chr(int(hexa.group(1), 16) & 0xFF))
                i += len(hexa.group())
            elif word[i] == "c" and i + 1 < len(word):
                out.append(chr(ord(word[i + 1]) & 0x1F))
                i += 2
            else:
                out.append(NAMED_ESCAPES.get(word[i], word[i]))
                i += 1
            continue
        if quote is None and c in "\"'":
            quote = c
        elif c == quote:
            quote = None
        else:
            out.append(c)
        i += 1
    return "".join(out)
