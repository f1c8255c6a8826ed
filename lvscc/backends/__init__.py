"""Backends: one package under lvscc/backends/ each, holding its declaration (`BACKEND`, a
`Backend` saying as data what it writes, for which hosts, and what it cannot express), the
Python helpers only it uses, and its Jinja2 templates beside them. `PACKAGES` is the registry:
adding a backend is one package here and its name in that tuple (docs/backends.md).

Backends live inside the lvscc package, not beside it, because they are code: the declarations
and helpers import lvscc's model and syntax modules and are imported by name like any other
module, and the templates travel with them into a wheel as package files, found from the
package's own directory in a checkout and in an installation alike."""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Mapping

if TYPE_CHECKING:
    from lvscc.diagnostics import Diagnostic
    from lvscc.model.config import Config
    from lvscc.model.state import HostState

# The registry, in the order `--backend all` lists and renders them (alphabetical by name).
PACKAGES = ("arptables", "director_kit", "ip6tables", "iptables", "ipvsadm", "keepalived", "modules", "nftables",
            "piranha", "rs_kit", "sysctl")


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
    # What it carries to the host, by the kinds `needs` gives each declared object: the coverage
    # check warns about a statement that no chosen backend carries.
    carries: frozenset[str] = frozenset()
    directory: Path | None = None  # its templates: its package's directory unless it says otherwise


def _with_needs(backend: Backend) -> Callable[[Config], list[Diagnostic]]:
    """What the backend cannot express, and the facts it needs that the language leaves
    optional (rules `needed_by` it: strict by need, docs/language.md)."""
    from lvscc.rules import needs

    return lambda config: backend.unsupported(config) + needs(config, backend.name)


def _load(package: str) -> Backend:
    module = importlib.import_module(f"{__name__}.{package}")
    backend: Backend = module.BACKEND
    return replace(backend, directory=backend.directory or Path(module.__file__).parent,
                   unsupported=_with_needs(backend))


@cache
def registry() -> dict[str, Backend]:
    """Every backend by name."""
    return {b.name: b for b in map(_load, PACKAGES)}
