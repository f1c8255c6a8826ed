"""lvs.cf as lvsconfig.c reads it: `keyword = value` lines and `keyword name {` blocks, each
with its line and column."""

from __future__ import annotations

from lvscc.importers.common import Blocks, Entry, Notes, span_at


def tokens(text: str, line: int, filename: str, notes: Notes) -> list[tuple[str, int]] | None:
    """lvsconfig.c tokenizeString: blank-separated words; a word opening with ' or " runs to the
    same quote on the line. Returns (word, column) pairs, quotes removed."""
    words: list[tuple[str, int]] = []
    i = 0
    while i < len(text):
        if text[i] in " \t":
            i += 1
            continue
        start = i
        if text[i] in "\"'":
            end = text.find(text[i], i + 1)
            if end < 0:
                notes.unreadable(span_at(filename, line, start + 1, len(text) - start), "unterminated quote")
                return None
            words.append((text[i + 1:end], start + 1))
            i = end + 1
        else:
            while i < len(text) and text[i] not in " \t":
                i += 1
            words.append((text[start:i], start + 1))
    return words


def read(text: str, filename: str, notes: Notes) -> tuple[Entry, ...]:
    blocks = Blocks(notes)
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            continue
        words = tokens(raw, number, filename, notes)
        if not words:
            continue
        head, column = words[0]
        span = span_at(filename, number, column, len(stripped))
        if head == "}" and len(words) == 1:
            blocks.close(span)
        elif len(words) == 3 and words[2][0] == "{":
            blocks.open(Entry(head, (words[1][0],), span))
        elif len(words) >= 3 and words[1][0] == "=":
            blocks.add(Entry(head, tuple(w for w, _ in words[2:]), span))
        else:
            notes.unreadable(span, "expected `keyword = value` or `keyword name {`")
    return blocks.finish(lambda opener: f"`{opener.key} {opener.args[0]}`")
