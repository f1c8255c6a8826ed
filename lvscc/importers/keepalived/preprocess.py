r"""keepalived's preprocessor, as its parser (lib/parser.c) applies it before reading words:
`@ID`/`@^ID` conditional lines, `$NAME=value` parameters (multi-line with a trailing `\`),
`$NAME`/`${NAME}` substitution (with keepalived's `${_HASH}` and `${_BANG}`), `~SEQ(VAR, [START,]
[STEP,] END)` repetition (`~SEQx` in hex), `include` with globs, and `#`/`!` comments outside
quotes, also those a substitution brings. Every line keeps the file and line it was written
on, so diagnostics point into the original text."""

from __future__ import annotations

import glob
import re
from dataclasses import dataclass, field
from pathlib import Path

from lvscc.importers.common import Notes, span_at
from lvscc.load import read_bytes

MAX_DEPTH = 16  # nested includes and parameter expansions; keepalived stops at a loop too
MAX_LINES = 200_000  # a ~SEQ over a huge range is an attack, not a config
_DEFINITION = re.compile(r"\s*\$([A-Za-z_][A-Za-z0-9_]*)\s*=(.*)")
_CONDITION = re.compile(r"\s*@(\^?)(\S*)\s?(.*)")
_SEQ = re.compile(r"\s*~SEQ(x?)\s*\(([^)]*)\)(.*)")  # ~SEQx writes the values in hex
_REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)((?:\s[^}]*)?)\}|\$([A-Za-z_][A-Za-z0-9_]*)")
_INCLUDE = re.compile(r"\s*include\s+(\S+)")
_WHOLE_REFERENCE = re.compile(r"\s*\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?\s*")
# up to the first `#` or `!` outside double quotes (an unclosed quote runs to the end of the line)
_UNCOMMENTED = re.compile(r'(?:[^"#!]+|"[^"]*(?:"|$))*')
_C_LONG = re.compile(r"([+-]?)(0[xX][0-9A-Fa-f]+|[0-9]+)")
# keepalived's standard parameters with a fixed value: `$X=${_HASH}` makes every `$X ...` line a comment
STANDARD = {"_HASH": "#", "_BANG": "!"}


@dataclass(frozen=True)
class Line:
    text: str
    file: str
    number: int


@dataclass
class Preprocessor:
    notes: Notes
    config_id: str | None = None  # keepalived -i; None: no `@ID` line applies, every `@^ID` does
    definitions: dict[str, list[Line]] = field(default_factory=dict)
    seen: set[Path] = field(default_factory=set)
    out: list[Line] = field(default_factory=list)

    def file(self, text: str, filename: str, depth: int = 0) -> list[Line]:
        raw = [Line(t, filename, n) for n, t in enumerate(text.splitlines(), start=1)]
        self.lines(raw, depth)
        return self.out

    def lines(self, raw: list[Line], depth: int) -> None:
        i = 0
        while i < len(raw):
            line = self.condition(raw[i])
            i += 1
            if line is None:
                continue
            definition = _DEFINITION.match(line.text)
            if definition is None:
                self.line(line, depth)
                continue
            value = [Line(definition.group(2), line.file, line.number)]
            while value[-1].text.rstrip().endswith("\\"):
                value[-1] = Line(value[-1].text.rstrip()[:-1], value[-1].file, value[-1].number)
                if i >= len(raw):
                    break
                value.append(raw[i])
                i += 1
            self.definitions[definition.group(1)] = [v for v in value if v.text.strip()]

    def condition(self, line: Line) -> Line | None:
        match = _CONDITION.match(line.text)
        if match is None:
            return line
        negated, ident, rest = match.groups()
        applies = (ident != self.config_id) if negated else (ident == self.config_id)
        return Line(rest, line.file, line.number) if applies else None

    def line(self, line: Line, depth: int) -> None:
        text = uncommented(line.text)
        seq = _SEQ.match(text)
        if seq is not None:
            self.sequence(line, seq.group(2), seq.group(3), depth, hexadecimal=bool(seq.group(1)))
            return
        include = _INCLUDE.match(text)
        if include is not None:
            self.include(line, include.group(1).strip('"'), depth)
            return
        whole = _WHOLE_REFERENCE.fullmatch(text) if "$" in text else None
        if whole is not None and len(self.definitions.get(whole.group(1), ())) > 1:
            if depth < MAX_DEPTH:
                self.lines(self.definitions[whole.group(1)], depth + 1)
            return
        # keepalived strips comments again after substitution (a value can be `#`, see STANDARD)
        text = uncommented(self.substitute(text, line))
        if text.lstrip().startswith("$"):
            self.undefined(line, text)
        elif len(self.out) < MAX_LINES:
            self.out.append(Line(text, line.file, line.number))

    def undefined(self, line: Line, text: str) -> None:
        """A line that still starts with a parameter after substitution: keepalived leaves an
        undefined `$NAME` as written and reads the line as an unknown keyword, so its
        statement never applies."""
        name = text.split()[0]
        self.notes.assumed(span_at(line.file, line.number, 1, len(line.text)),
                           f"{name} is not defined here: keepalived reads this line as an unknown keyword "
                           "and ignores it, so does lvscc", f"define it (`${name.strip('${}')}=...`) above this line")

    def substitute(self, text: str, line: Line) -> str:
        for _ in range(MAX_DEPTH if "$" in text else 0):
            replaced = _REFERENCE.sub(lambda m: self.value(m, line), text)
            if replaced == text:
                break
            text = replaced
        return text

    def value(self, match: re.Match[str], line: Line) -> str:
        name = match.group(1) or match.group(3)
        if name == "_PWD":
            return str(Path(line.file).resolve().parent)
        if name == "_RANDOM":  # ${_RANDOM MIN MAX}: the importer takes MIN, to stay deterministic
            bounds = (match.group(2) or "").split()
            return bounds[0] if bounds else "0"
        if name in self.definitions:
            return " ".join(uncommented(v.text).strip() for v in self.definitions[name])
        return STANDARD.get(name, match.group(0))  # keepalived leaves an unknown name as written

    def sequence(self, line: Line, spec: str, rest: str, depth: int, hexadecimal: bool = False) -> None:
        parts = [p.strip() for p in spec.split(",")]
        bounds = seq_bounds([self.substitute(p, line) for p in parts[1:]], hexadecimal) if parts[0] else None
        if bounds is None:
            self.notes.unreadable(span_at(line.file, line.number, 1, len(line.text)), f"bad ~SEQ({spec})")
            return
        start, step, end = bounds
        saved = self.definitions.get(parts[0])
        for value in range(start, end + (1 if step > 0 else -1), step):
            if len(self.out) >= MAX_LINES:
                break
            self.definitions[parts[0]] = [Line(format(value, "x" if hexadecimal else "d"), line.file, line.number)]
            self.line(Line(rest, line.file, line.number), depth + 1)
        if saved is None:
            self.definitions.pop(parts[0], None)
        else:
            self.definitions[parts[0]] = saved

    def include(self, line: Line, pattern: str, depth: int) -> None:
        base = Path(line.file).parent
        span = span_at(line.file, line.number, 1, len(line.text))
        matches = sorted(glob.glob(str(base / pattern)))
        if not matches:
            self.notes.unreadable(span, f"include {pattern}: no such file")
            return
        for name in matches:
            path = Path(name).resolve()
            if path in self.seen or depth >= MAX_DEPTH or not path.is_file():
                self.notes.unreadable(span, f"include {name}: included twice, too deep or not a file")
                continue
            self.seen.add(path)
            self.file(read_leniently(path), name, depth + 1)


def seq_bounds(numbers: list[str], hexadecimal: bool) -> tuple[int, int, int] | None:
    """(start, step, end) of `~SEQ(VAR, [START,] [STEP,] END)` as keepalived's add_seq()
    reads them (lib/parser.c): C integers (`0x` hex, leading-0 octal), a step that follows
    the direction of the range, no negative values for ~SEQx; None when keepalived refuses."""
    try:
        values = [c_long(n) for n in numbers]
    except ValueError:
        return None
    if len(values) == 1:
        (end,) = values
        start, step = (-1 if end < 0 else 1), (-1 if end < 1 else 1)
    elif len(values) == 2:
        start, end = values
        step = 1 if start <= end else -1
    elif len(values) == 3:
        start, step, end = values
        if step == 0 or (start < end and step < 0) or (start > end and step > 0):
            return None
    else:
        return None
    return None if hexadecimal and (start < 0 or end < 0) else (start, step, end)


def c_long(text: str) -> int:
    """strtol(text, &end, 0) that must read all of TEXT; an empty text is 0, as for strtol."""
    text = text.strip()
    if not text:
        return 0
    match = _C_LONG.fullmatch(text)
    if match is None:  # Python's int() would also take `--1`, `1_0` and non-ASCII digits
        raise ValueError(f"not a C integer: {text!r}")
    sign, digits = match.groups()
    base = 16 if digits[:2].lower() == "0x" else 8 if digits.startswith("0") else 10
    return (-1 if sign == "-" else 1) * int(digits, base)  # int() takes the 0x of base 16 itself


def uncommented(text: str) -> str:
    """The line up to a `#` or `!` outside double quotes."""
    if "#" not in text and "!" not in text:
        return text
    match = _UNCOMMENTED.match(text)
    assert match is not None  # the pattern matches the empty string
    return match.group()


def read_leniently(path: Path | str) -> str:
    """A config file as keepalived reads it: bytes, whatever their encoding (non-UTF-8 bytes
    become U+FFFD and are reported only where a value needs them). Read like every input: a
    regular file (or `-`, stdin) within the size cap, never a FIFO or a device."""
    return read_bytes(path).decode("utf-8", "replace")


def preprocess(text: str, filename: str, notes: Notes, config_id: str | None = None) -> list[Line]:
    processor = Preprocessor(notes, config_id)
    processor.seen.add(Path(filename).resolve())
    return processor.file(text, filename)
