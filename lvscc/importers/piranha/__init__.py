"""Piranha's /etc/sysconfig/ha/lvs.cf -> Config (docs/domain.md: lvs.cf).

Defaults are piranha's own (lvsconfig.c): a virtual server or real server without `active = 1`
is inactive, a virtual listens on tcp 80 with wlc, nanny checks every server (a TCP connect
when there is no send/expect), timeout 10 s, reentry 180 s. Every keyword that does not become
part of the Config is reported, never skipped."""

from __future__ import annotations

from lvscc.diagnostics import Diagnostic
from lvscc.importers.common import Entry, Notes, imported
from lvscc.importers.piranha.cluster import Globals
from lvscc.importers.piranha.reading import read
from lvscc.importers.piranha.services import services
from lvscc.importers.piranha.values import LvsCfValues
from lvscc.importers.piranha.virtuals import Virtual, virtual
from lvscc.model.config import Config


def _top(entries: tuple[Entry, ...], values: LvsCfValues, cluster: Globals) -> list[Virtual]:
    virtuals = []
    for entry in entries:
        if entry.body is None:
            cluster.statement(entry)
        elif entry.key == "virtual":
            virtuals.append(virtual(values, entry))
        elif entry.key == "failover":
            values.notes.untranslated(entry, "failover services (fos) are not load balancing; lvscc has no "
                                             "equivalent")
        else:
            values.notes.untranslated(entry, "not an lvs.cf block")
    return virtuals


def import_piranha(text: str, filename: str) -> tuple[Config | None, list[Diagnostic]]:
    notes = Notes()
    entries = read(text, filename, notes)
    if notes.stopped():
        return None, notes.items
    values = LvsCfValues(notes)
    cluster = Globals(values)
    virtuals = _top(entries, values, cluster)
    if cluster.given("service") == "fos":
        notes.untranslated(cluster.globals["service"][0], "failover services (fos) are not load balancing")
    forwarding = cluster.forwarding()
    return imported(
        filename, notes,
        directors=cluster.directors(),
        heartbeat=cluster.heartbeat(),
        sync_daemon=cluster.sync_daemon(),
        forwarding=forwarding,
        timeouts=cluster.timeouts(),
        services=services(notes, virtuals, forwarding),
    )
