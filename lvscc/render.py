"""Backends: one folder under backends/ each, holding Jinja2 templates and a `backend.py`
that declares (as data) what it writes, for which hosts, and what it cannot express.
Rendering is pure: an Intent (and the Config, for daemon configs) in, text out. Templates
write a value into a kernel tool's syntax only through the filters of lvscc/syntax (FILTERS),
which refuse (lvscc.syntax.Refused) what the tool could not read back as meant."""

from __future__ import annotations

import importlib.util
import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Callable, Mapping

import jinja2

from lvscc.diagnostics import Diagnostic
from lvscc.model.config import Config
from lvscc.model.state import HostState, Intent, rule_comment
from lvscc.progress import SILENT, Progress
from lvscc.resources import data_dir
from lvscc.syntax import arptables, iproute, iptables, ipvsadm, nft, shell, sysctl

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
    directory: Path = Path()


@dataclass(frozen=True)
class Artifact:
    host: str
    backend: str
    path: str  # relative to the output directory, '/'-separated
    content: str
    mode: int = 0o644


FILTERS: dict[str, Callable] = {
    "sh": shell.quote,
    "comment": shell.comment,
    "json": lambda v: json.dumps(v),
    "rule_comment": rule_comment,
    "module": shell.module,
    "device": iproute.device,
    "label": iproute.label,
    "nft_str": nft.string,
    "nft_id": nft.identifier,
    "ipvsadm_service": ipvsadm.service_line,
    "ipvsadm_dest": ipvsadm.dest_line,
    "ipvsadm_timeouts": lambda t: ipvsadm.timeouts_line(t.tcp, t.tcpfin, t.udp),
    "arp_chain": arptables.chain,
    "arptables_specs": arptables.specs,
    "iptables_port": iptables.port,
    "iptables_port_matches": iptables.port_matches,
    "sysctl_key": sysctl.key,
    "sysctl_value": sysctl.value,
}


def _load(directory: Path) -> Backend:
    spec = importlib.util.spec_from_file_location(f"lvscc_backend_{directory.name}", directory / "backend.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    backend: Backend = module.BACKEND
    return Backend(**{**backend.__dict__, "directory": directory, "unsupported": _with_needs(backend)})


def _with_needs(backend: Backend) -> Callable[[Config], list[Diagnostic]]:
    """What the backend cannot express, and the facts it needs that the language leaves
    optional (rules `needed_by` it: strict by need, docs/language.md)."""
    from lvscc.rules import needs

    return lambda config: backend.unsupported(config) + needs(config, backend.name)


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


def render(config: Config, intent: Intent, backends: list[Backend], layout: str = "flat",
           progress: Progress = SILENT) -> list[Artifact]:
    artifacts = []
    progress.phase("rendering", len(intent.hosts))
    for host in intent.hosts:
        progress.advance()
        for backend in backends:
            if host.role not in backend.roles or not backend.wants(host):
                continue
            env = _environment(backend.name)
            for file, template in backend.files.items():
                text = env.get_template(template).render(config=config, intent=intent, host=host)
                artifacts.append(
                    Artifact(host.host, backend.name, output_path(backend, host, file, layout), text,
                             backend.modes.get(file, 0o644))
                )
    return artifacts
