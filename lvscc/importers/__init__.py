"""Importers: foreign LVS configs (Piranha lvs.cf, keepalived.conf, ipvsadm-save) -> Config.
Each is `import_X(text, filename) -> (Config | None, diagnostics)`; the Config goes through
lvscc.fmt to become .lvs text. Nothing is dropped silently: every keyword that does not become
part of the Config yields a diagnostic with its file:line (codes in common.py)."""

from __future__ import annotations

from dataclasses import replace

from lvscc.diagnostics import Diagnostic, warning
from lvscc.importers.ipvsadm import import_ipvsadm
from lvscc.importers.keepalived import import_keepalived
from lvscc.importers.keepalived.preprocess import read_leniently
from lvscc.importers.ldirectord import import_ldirectord
from lvscc.importers.piranha import import_piranha
from lvscc.load import STDIN, STDIN_NAME
from lvscc.model.config import Config

IMPORTERS = {"piranha": import_piranha, "keepalived": import_keepalived, "ipvsadm": import_ipvsadm,
             "ldirectord": import_ldirectord}


def import_files(source: str, files: list[str]) -> tuple[Config | None, list[Diagnostic]]:
    """One cluster from one file per host. Raises OSError when a file cannot be read."""
    return import_texts(source, read_sources(files))


def read_sources(files: list[str]) -> dict[str, str]:
    """Each file's text as its daemon reads it, under the name diagnostics show (`-`: stdin)."""
    return {STDIN_NAME if name == STDIN else name: read_leniently(name) for name in files}


def import_texts(source: str, texts: dict[str, str]) -> tuple[Config | None, list[Diagnostic]]:
    """One cluster from one text per host: the first file's cluster, with the director each
    further file describes (a keepalived pair: primary.conf backup.conf)."""
    config: Config | None = None
    found: list[Diagnostic] = []
    for name, text in texts.items():
        one, notes = IMPORTERS[source](text, name)
        found += notes
        if one is None:
            return None, found
        config = one if config is None else _pair(config, one, found)
    return config, found


def _pair(cluster: Config, host: Config, found: list[Diagnostic]) -> Config:
    """`host`'s own director joins `cluster`; a director of the same role is the peer it
    names (a unicast peer), which the host's file describes better."""
    mine = host.directors[:1]
    if mine and any(d.role == mine[0].role for d in cluster.directors[:1]):
        found.append(warning("LVS505", f"both files describe a {mine[0].role} director; the second is taken as "
                             "the other one", mine[0].span))
        mine = (replace(mine[0], role="backup" if mine[0].role == "primary" else "primary"),)
    roles = {d.role for d in mine}
    directors = tuple(d for d in cluster.directors if d.role not in roles) + mine
    if {s.name for s in host.services} != {s.name for s in cluster.services}:
        found.append(warning("LVS505", "the files describe different services; the first file's are kept",
                             host.span))
    return replace(cluster, directors=tuple(sorted(directors, key=lambda d: d.role != "primary")),
                   files=cluster.files + host.files)
