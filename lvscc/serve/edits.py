"""Operator edits, the safe way: change a real server's weight, mark it inactive, or quiesce
it (weight 0). The edit is made on the Config, written back as text by `fmt` (comments kept),
and checked; the caller shows the diff and saves only on confirmation, and only if the file
is still the one the edit was made from. Nothing here touches the kernel."""

from __future__ import annotations

import difflib
import hashlib
from dataclasses import dataclass, replace
from pathlib import Path

from lvscc.diagnostics import Diagnostic, has_errors
from lvscc.fmt import format_config
from lvscc.load import load, load_text
from lvscc.output import write_file  # atomic; keeps mode and owner
from lvscc.model.config import Config, RealServer
from lvscc.rules import check

ACTIONS = ("weight", "inactive", "active", "quiesce")


class EditError(Exception):
    pass


@dataclass(frozen=True)
class Edit:
    service: str
    server: str
    action: str  # one of ACTIONS
    weight: int | None = None  # for "weight"


@dataclass(frozen=True)
class Proposal:
    path: Path
    before_sha256: str  # the file the edit was made from
    text: str  # the new source
    diff: str  # the whole file's change, fmt's canonical layout included
    change: str  # the edit alone: the canonical old text against the new
    diagnostics: tuple[Diagnostic, ...]

    @property
    def savable(self) -> bool:
        return bool(self.diff) and not has_errors(list(self.diagnostics))


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _changed(server: RealServer, edit: Edit) -> RealServer:
    match edit.action:
        case "weight":
            return replace(server, weight=edit.weight)
        case "quiesce":
            return replace(server, weight=0)
        case "inactive":
            return replace(server, active=False)
        case "active":
            return replace(server, active=True)
    raise EditError(f"unknown action {edit.action!r}; actions: {', '.join(ACTIONS)}")


def apply(config: Config, edit: Edit) -> Config:
    """The config with the server changed where the source says it: in its pool when it comes
    from one (so every service of that pool sees it, as the text does), else in the service."""
    service = next((s for s in config.services if s.name == edit.service), None)
    if service is None:
        raise EditError(f"no service {edit.service!r}")
    server = next((rs for rs in service.servers if rs.name == edit.server), None)
    if server is None:
        raise EditError(f"no server {edit.server!r} in service {edit.service}")
    if edit.action == "weight" and (edit.weight is None or edit.weight < 0):
        raise EditError("a weight is a whole number, 0 or more")

    def touched(rs: RealServer, owner: str | None) -> RealServer:
        same = rs.name == server.name and (rs.pool == server.pool if server.pool else owner == service.name)
        return _changed(rs, edit) if same else rs

    pools = tuple(replace(p, servers=tuple(touched(rs, None) for rs in p.servers)) if p.name == server.pool else p
                  for p in config.pools)
    services = tuple(replace(s, servers=tuple(touched(rs, s.name) for rs in s.servers)) for s in config.services)
    return replace(config, pools=pools, services=services)


def propose(path: Path, edit: Edit) -> Proposal:
    loaded = load(path)
    text = loaded.sources.get(str(path))
    if loaded.config is None or text is None or has_errors(loaded.diagnostics):
        raise EditError(f"{path} does not load; fix it first (see the config page)")
    if len(loaded.config.files) > 1:
        raise EditError(f"{path} includes other files, which rewriting it through fmt would inline; edit it by hand")
    new = format_config(apply(loaded.config, edit), text)
    config, found = load_text(new, str(path))
    diagnostics = tuple(found) + (tuple(check(config)) if config is not None else ())
    change = _diff(format_config(loaded.config, text), new, path.name)
    return Proposal(path, _sha(text), new, _diff(text, new, path.name), change, diagnostics)


def _diff(old: str, new: str, name: str) -> str:
    return "".join(difflib.unified_diff(old.splitlines(keepends=True), new.splitlines(keepends=True),
                                        f"a/{name}", f"b/{name}"))


def save(proposal: Proposal) -> None:
    """Write the proposal, unless the file changed since it was made (someone else saved)."""
    if not proposal.savable:
        raise EditError("this edit cannot be saved: it changes nothing or does not check")
    try:
        current = proposal.path.read_text()
    except OSError as e:
        raise EditError(f"{proposal.path}: {e.strerror}") from None
    if _sha(current) != proposal.before_sha256:
        raise EditError(f"{proposal.path} changed since this edit was shown; make it again")
    write_file(proposal.path, proposal.text)
