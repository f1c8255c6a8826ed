"""keepalived itself as the oracle for the importer (issue 12). keepalived loads a copy of a real
keepalived.conf with its checker blocks removed (a real server without a checker stays in the
table), lvscc's ipvsadm.rules for the import of the same file go into a second namespace, and the
two kernel tables are read back with the same tools and compared. The kernel side runs in
tests/kernel/test_keepalived_oracle.py (IPVS needs the VM); what can be proved without IPVS
(the copy keepalived still accepts, the comparison itself) is tested in test_keepalived_oracle.py
here."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from real_world import CONFIG_ID, can_run_keepalived, corpus_files, run_corpus

# keepalived 2.2's checker keywords (keepalived/check/check_*.c): each opens one block inside a
# real_server, and removing the block leaves the real server up for good.
CHECKERS = frozenset({"TCP_CHECK", "HTTP_GET", "SSL_GET", "SMTP_CHECK", "MISC_CHECK", "DNS_CHECK", "UDP_CHECK",
                      "PING_CHECK", "FILE_CHECK", "BFD_CHECK"})
EXCEPTIONS = Path(__file__).resolve().parent / "keepalived_oracle_exceptions.tsv"
MANIFEST = "manifest.json"
# Everything the comparison reads, in one shell so a namespace costs one process chain.
TABLE_COMMAND = ("ipvsadm-save -n; echo '%%'; ipvsadm -L -n --thresholds; echo '%%'; "
                 "ipvsadm -L -n --timeout")
_CHECKER = re.compile("(" + "|".join(sorted(CHECKERS)) + r")(?=[\s{]|$)")
_LIST_SERVICE = {"TCP": "-t", "UDP": "-u", "SCTP": "--sctp-service", "FWM": "-f"}


def prepare(folder: Path) -> bool:
    """The host's part of the oracle, which needs no IPVS and costs a TCG guest minutes: for every
    corpus file keepalived -t accepts and lvscc compiles, the copy keepalived is to load (FOLDER/
    NAME), and in FOLDER/manifest.json lvscc's ipvsadm.rules for it and the interfaces keepalived
    needed, with the counts. False when there is no corpus or no keepalived to run."""
    files = corpus_files()
    if not files or not can_run_keepalived():
        return False
    outcomes, links = run_corpus(files)
    folder.mkdir(parents=True, exist_ok=True)
    entries = []
    for outcome in outcomes:
        name = outcome.file.name
        if name in links and outcome.compiled:
            (folder / name).write_bytes(without_checkers(outcome.file.read_bytes()))
            # lvscc writes one ipvsadm.rules per director; a keepalived.conf describes one
            rules = outcome.ipvsadm_rules[0] if outcome.ipvsadm_rules else ""
            entries.append({"file": name, "links": sorted(links[name]), "rules": rules,
                            "netns": net_namespace(outcome.file)})
    manifest = {"files": len(files), "accepted": len(links), "entries": entries}
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=1))
    return True


def net_namespace(path: Path) -> str | None:
    """The network namespace the file makes keepalived switch to (`net_namespace NAME`, read
    through keepalived's preprocessor under the oracle's config id; an undefined `$NAME` stays
    as written, as keepalived leaves it), or None."""
    from lvscc.importers.common import Notes
    from lvscc.importers.keepalived.preprocess import preprocess, read_leniently

    for line in preprocess(read_leniently(path), str(path), Notes(), CONFIG_ID):
        words = line.text.split()
        if len(words) > 1 and words[0] == "net_namespace":
            return words[1].strip('"')
    return None


def without_checkers(data: bytes) -> bytes:
    """The file with every checker block cut out, character by character, outside comments and
    quotes, wherever it stands: on its own lines, inline in `{ ... }`, inside a `$NAME=`
    definition or a `~SEQ` line. Every line stays (line numbers in keepalived's messages still
    point into the original), and so does the `\\` that continues a multi-line definition.
    Bytes pass through unchanged (keepalived reads any encoding)."""
    text = data.decode("latin-1")
    out: list[str] = []
    cutter = _Cutter()
    for line in text.split("\n"):
        out.append(cutter.line(line))
    return "\n".join(out).encode("latin-1")


@dataclass
class _Cutter:
    depth: int = 0  # braces open inside the block being cut
    cutting: bool = False
    opened: bool = False  # the block's `{` was seen

    def line(self, line: str) -> str:
        kept: list[str] = []
        i, quoted = 0, False
        while i < len(line):
            if self.cutting:
                i, quoted = self._cut(line, i, quoted)
                continue
            char = line[i]
            if char == '"':
                quoted = not quoted
            elif char in "#!" and not quoted:
                kept.append(line[i:])
                break
            elif not quoted and (match := _CHECKER.match(line, i)) is not None and _starts_word(line, i):
                self.cutting, self.depth, self.opened = True, 0, False
                i = match.end()
                continue
            kept.append(char)
            i += 1
        if self.cutting and line.rstrip().endswith("\\") and not "".join(kept).rstrip().endswith("\\"):
            kept.append(" \\")
        return "".join(kept)

    def _cut(self, line: str, i: int, quoted: bool) -> tuple[int, bool]:
        """Consumes one character of the block being cut."""
        char = line[i]
        if char == '"':
            return i + 1, not quoted
        if quoted:
            return i + 1, quoted
        if char in "#!":
            return len(line), quoted  # the comment ends the line; a trailing `\` is kept by line()
        if char == "{":
            self.depth, self.opened = self.depth + 1, True
        elif char == "}":
            self.depth -= 1
            if self.opened and self.depth == 0:
                self.cutting = False
        return i + 1, quoted


def _starts_word(line: str, i: int) -> bool:
    return i == 0 or line[i - 1] in " \t{}="


def checkers_in(data: bytes) -> list[str]:
    """The checker keywords left in a file outside comments and quotes (none, after the cut)."""
    found: list[str] = []
    for line in data.decode("latin-1").split("\n"):
        bare = _unquoted(line)
        found += [m.group(1) for m in _CHECKER.finditer(bare) if _starts_word(bare, m.start(1))]
    return found


def _unquoted(line: str) -> str:
    """The line up to a comment, with quoted text blanked out."""
    out, quoted = [], False
    for char in line:
        if char == '"':
            quoted = not quoted
        elif char in "#!" and not quoted:
            break
        out.append(" " if quoted else char)
    return "".join(out)


@dataclass(frozen=True)
class Table:
    """One kernel IPVS table as the comparison sees it: services in order, each followed by its
    real servers in order, each real server with its connection thresholds (which ipvsadm-save
    does not print); then the timeouts."""

    text: str

    @classmethod
    def read(cls, shown: str) -> Table:
        """From TABLE_COMMAND's output."""
        save, listing, timeouts = (shown.split("%%\n") + ["", ""])[:3]
        thresholds = _thresholds(listing)
        services: dict[str, list[str]] = {}
        heads: dict[str, str] = {}
        for line in save.splitlines():
            words = line.split()
            if len(words) < 3:
                continue
            key = f"{words[1]} {words[2]}" + (" -6" if "-6" in words else "")
            if words[0] == "-A":
                heads[key] = line
                services.setdefault(key, [])
            elif words[0] == "-a":
                server = words[words.index("-r") + 1]
                upper, lower = thresholds.get((key, server), ("0", "0"))
                services.setdefault(key, []).append(f"{line} -x {upper} -y {lower}")
        # a dump torn while the table changed is not read here: the kernel test reads each
        # side until two reads agree (settled_table in tests/kernel/test_keepalived_oracle.py)
        blocks = [heads.get(key, f"(no service line) {key}") + "".join(f"\n  {s}" for s in sorted(servers))
                  for key, servers in services.items()]
        return cls("\n".join(sorted(blocks)) + f"\n{timeouts.strip()}\n")

    @property
    def services(self) -> int:
        return sum(line.startswith("-A ") for line in self.text.splitlines())


def _thresholds(listing: str) -> dict[tuple[str, str], tuple[str, str]]:
    """(service key as ipvsadm-save writes it, server) -> (upper, lower) from `ipvsadm -L -n
    --thresholds`, whose service rows are `TCP  ADDR:PORT SCHED ...` or `FWM  MARK SCHED ...`
    and whose server rows are `  -> ADDR:PORT UPPER LOWER ACTIVE INACTIVE`."""
    found: dict[tuple[str, str], tuple[str, str]] = {}
    key = ""
    for line in listing.splitlines():
        words = line.split()
        if words[:1] and words[0] in _LIST_SERVICE and len(words) > 1:
            key = f"{_LIST_SERVICE[words[0]]} {words[1]}" + (" -6" if words[2:3] == ["IPv6"] else "")
        elif words[:1] == ["->"] and len(words) >= 4 and words[1] != "RemoteAddress:Port":
            found[key, words[1]] = (words[2], words[3])
    return found
