"""Backends: one folder under backends/ each, holding Jinja2 templates and a `backend.py`
that declares (as data) what it writes, for which hosts, and what it cannot express.
Rendering is pure: an Intent (and the Config, for daemon configs) in, text out."""

from __future__ import annotations

import difflib
import importlib.util
import json
import re
import shlex
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Callable, Mapping

import jinja2

from lvscc.diagnostics import Diagnostic
from lvscc.model.config import Config
from lvscc.model.state import HostState, Intent, rule_comment
from lvscc.resources import data_dir

LAYOUTS = ("flat", "rhel", "debian")


@dataclass(frozen=True)
class Backend:
    name: str
    roles: tuple[str, ...]  # host roles it writes for: "director", "real-server"
    files: Mapping[str, str]  # output file name -> template file name
    layouts: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # layout -> {file: path on the host}
    wants: Callable[[HostState], bool] = lambda host: True  # hosts that need this artifact at all
    unsupported: Callable[[Config], list[Diagnostic]] = lambda config: []  # what it cannot express
    default: bool = True  # written by `compile` when no --backend is given
    modes: Mapping[str, int] = field(default_factory=dict)  # file name -> unix mode (scripts: 0o755)
    filters: Mapping[str, Callable] = field(default_factory=dict)  # Jinja filters of its own
    # Backends that own what this one would also set up (the floating VIPs): it is left out when
    # any of them is chosen, since two owners of a VIP are a split brain.
    yields_to: tuple[str, ...] = ()
    directory: Path = Path()


@dataclass(frozen=True)
class Artifact:
    host: str
    backend: str
    path: str  # relative to the output directory, '/'-separated
    content: str
    mode: int = 0o644


def _comment(text: object) -> str:
    """Make text safe inside a one-line comment of any of our formats."""
    return re.sub(r"[^\x20-\x7e]", "?", str(text))


def _nft_string(text: object) -> str:
    value = str(text)
    if not re.fullmatch(r"[\x20-\x7e]*", value) or '"' in value or "\\" in value:
        raise ValueError(f"cannot quote {value!r} for nft")
    return f'"{value}"'


FILTERS: dict[str, Callable] = {
    "sh": lambda v: shlex.quote(str(v)),
    "comment": _comment,
    "nft_str": _nft_string,
    "json": lambda v: json.dumps(v),
    "rule_comment": rule_comment,
}


def _load(directory: Path) -> Backend:
    spec = importlib.util.spec_from_file_location(f"lvscc_backend_{directory.name}", directory / "backend.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    backend: Backend = module.BACKEND
    return Backend(**{**backend.__dict__, "directory": directory})


@cache
def registry() -> dict[str, Backend]:
    found = [_load(d) for d in sorted(data_dir("backends").iterdir()) if (d / "backend.py").is_file()]
    return {b.name: b for b in found}


@cache
def _environment(name: str) -> jinja2.Environment:
    backend = registry()[name]
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(backend.directory)),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
    )
    env.filters.update(FILTERS)
    env.filters.update(backend.filters)
    return env


def output_path(backend: Backend, host: HostState, file: str, layout: str) -> str:
    placed = backend.layouts.get(layout, {}).get(file) if layout != "flat" else None
    return f"{host.host}/{placed or file}"


class BackendChoiceError(ValueError):
    """A --backend list that names no backend set lvscc can write."""


def _named(name: str, known: Mapping[str, Backend]) -> list[str]:
    if name in ("default", "all"):
        return [b.name for b in known.values() if b.default or name == "all"]
    if name not in known:
        close = difflib.get_close_matches(name, [*known, "default", "all"], n=1)
        hint = f" (did you mean {close[0]}?)" if close else ""
        raise BackendChoiceError(f"unknown backend {name}{hint}; backends: default, all, {', '.join(known)}")
    return [name]


def select(names: list[str] | None) -> list[Backend]:
    """The backends `--backend` names, in order: a name or a set (`default`, `all`) adds to the
    choice, `+NAME` adds to the default set, `-NAME` takes out. A backend that yields to a chosen
    one is left out of a set, and is an error when named beside it."""
    known = registry()
    words = names or ["default"]
    chosen: list[str] = _named("default", known) if words[0][:1] in "+-" else []
    for word in words:
        sign, name = (word[0], word[1:]) if word[:1] in "+-" else ("", word)
        picked = _named(name, known)
        chosen = [n for n in chosen if n not in picked] if sign == "-" else chosen + picked
    chosen = list(dict.fromkeys(chosen))
    for name in chosen:
        owners = [o for o in known[name].yields_to if o in chosen]
        if owners and any(w.lstrip("+") == name for w in words):
            raise BackendChoiceError(f"{name} and {owners[0]} would both own the VIPs; choose one")
    return [known[n] for n in chosen if not any(o in chosen for o in known[n].yields_to)]


def _siblings(backends: list[Backend], host: HostState, layout: str) -> dict[str, str]:
    """Every file this host gets, by name: where it lands relative to the host's tree."""
    return {file: output_path(b, host, file, layout).split("/", 1)[1]
            for b in backends if host.role in b.roles and b.wants(host) for file in b.files}


def render(config: Config, intent: Intent, backends: list[Backend], layout: str = "flat") -> list[Artifact]:
    artifacts = []
    for host in intent.hosts:
        files = _siblings(backends, host, layout)
        for backend in backends:
            if host.role not in backend.roles or not backend.wants(host):
                continue
            env = _environment(backend.name)
            for file, template in backend.files.items():
                text = env.get_template(template).render(config=config, intent=intent, host=host,
                                                         layout=layout, files=files)
                artifacts.append(
                    Artifact(host.host, backend.name, output_path(backend, host, file, layout), text,
                             backend.modes.get(file, 0o644))
                )
    return artifacts
