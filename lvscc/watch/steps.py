"""The two things `lvscc watch` does on an event, as functions returning outcomes: compile
(and write the artifacts, all or nothing) and audit the live host. Neither raises for
trouble the watch must survive; each reports it in its outcome."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from lvscc.diagnostics import has_errors
from lvscc.model.config import Config
from lvscc.model.state import HostState
from lvscc.output import OutputError, manifest, write
from lvscc.pipeline import audit_host, compile_file, observe_host
from lvscc.watch.state import AuditOutcome, CompileOutcome


def compile_step(config: Path, output: Path | None, include_anywhere: bool = False) -> tuple[CompileOutcome, Config | None]:
    """Compile with the default backends; write to `output` only when everything compiled,
    so the artifacts in place stay the last good ones."""
    result = compile_file(config, include_anywhere=include_anywhere)
    now = time.time()
    found = tuple(result.diagnostics)
    read = tuple(result.sources)  # every file that was read, even when one of them fails to parse
    if result.config is None or has_errors(result.diagnostics):
        return CompileOutcome(now, found, files=read, result=result), None
    written = None
    if output is not None:
        try:
            write(output, result.artifacts, manifest(result.artifacts, result.config.name, str(config), "flat"))
        except (OutputError, OSError) as e:
            return CompileOutcome(now, found, files=read, failure=f"cannot write {output}: {e}", result=result), None
        written = str(output)
    hosts = tuple(sorted({a.host for a in result.artifacts}))
    return CompileOutcome(now, found, result.config.name, read, hosts, len(result.artifacts), written, result=result), result.config


Dumps = dict[str, str]  # dump file name -> text, as lvscc.probes.live.collect returns them
Read = tuple[Dumps, tuple[str, ...]]  # the dumps and the notes on what could not be read


def collect_all() -> Read:
    from lvscc.probes.live import collect

    texts, notes = collect()
    return texts, tuple(notes)


def with_fresh_ipvs(texts: Dumps) -> Dumps:
    """The last dumps with only the IPVS table read again, in-process over netlink: what a poll
    tick needs first, since IPVS is the one thing that changes without a notification and a
    full collect runs a handful of tools."""
    from lvscc.probes import IPVS
    from lvscc.probes.ipvsadm import format_save
    from lvscc.probes.live import ipvs_services

    services = ipvs_services()
    return {**texts, IPVS: format_save(services) if services is not None else texts.get(IPVS, "")}


def audit_step(config: Config, intent: HostState, read: Callable[[], Read]) -> tuple[AuditOutcome, Read | None]:
    """Read the host with `read` and compare it with the intent; what was read comes back for
    the next quick poll."""
    from lvscc.probes import ProbeError

    try:
        texts, notes = read()
        observation = observe_host(config, intent, texts, notes)
    except (ProbeError, OSError) as e:  # the netlink reader's own errors; no pyroute2 at run time
        return AuditOutcome(time.time(), failure=f"cannot read the host: {e}"), None
    audited = audit_host(config, intent, observation)
    return AuditOutcome(time.time(), audited.report, audited=audited), (texts, notes)
