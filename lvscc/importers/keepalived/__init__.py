"""keepalived.conf (2.x) -> Config: the LVS part (docs/domain.md: keepalived.conf) and the VRRP addresses
that float the VIPs and the NAT gateway.

Defaults are keepalived's own where they differ from lvscc's: no lvs_method means NAT, an
address service without `protocol` is UDP, `persistence_timeout` alone is 360 s, and so is
`persistence_granularity` without a timeout. A virtual_server_group is expanded into one
service per address. Services and real servers get names made from what identifies them
(svc-tcp-192-0-2-10-80, rs-10-11-12-1), so importing the same file twice gives the same config."""

from __future__ import annotations

from dataclasses import replace

from lvscc.diagnostics import Diagnostic
from lvscc.importers.common import Entry, Notes, imported
from lvscc.importers.keepalived.cluster import Cluster
from lvscc.importers.keepalived.reading import escaped as _escaped
from lvscc.importers.keepalived.preprocess import preprocess
from lvscc.importers.keepalived.reading import read_words, tree
from lvscc.importers.keepalived.services import Services
from lvscc.importers.keepalived.values import KeepalivedValues
from lvscc.importers.keepalived.virtual_servers import VirtualServers
from lvscc.model.config import Config, Forwarding, Method

# _escaped: the name tests/importers check keepalived's word decoder by
__all__ = ["import_keepalived", "_escaped"]


def _top(entries: tuple[Entry, ...], cluster: Cluster, virtuals: VirtualServers, notes: Notes) -> None:
    handlers = {
        "global_defs": cluster.global_defs, "vrrp_instance": cluster.vrrp_instance,
        "virtual_server_group": virtuals.virtual_server_group,
        "virtual_server": virtuals.virtual_server,
    }
    ordered = sorted(entries, key=lambda e: e.key != "virtual_server_group")  # groups before their users
    for entry in ordered:
        handler = handlers.get(entry.key)
        if handler is None:
            notes.untranslated(entry, "lvscc translates global_defs, vrrp_instance and the LVS blocks")
        else:
            handler(entry)


def _route_back_elsewhere(forwarding: Forwarding) -> Forwarding:
    """keepalived.conf never says how NAT real servers route back: `gateway external`."""
    nat = forwarding.method is Method.NAT and forwarding.gateway is None
    return replace(forwarding, gateway_external=True) if nat else forwarding


def import_keepalived(text: str, filename: str, config_id: str | None = None) -> tuple[Config | None, list[Diagnostic]]:
    notes = Notes()
    entries = tree(read_words(preprocess(text, filename, notes, config_id)), notes)
    if notes.stopped():
        return None, notes.items
    values = KeepalivedValues(notes)
    cluster, virtuals = Cluster(values), VirtualServers(values)
    _top(entries, cluster, virtuals, notes)
    services = Services(notes, cluster.vips, virtuals.virtuals).services()
    directors = cluster.director_list()  # this host's own first: a pair of files is merged by it
    forwarding = _route_back_elsewhere(cluster.forwarding(services))
    services = [replace(s, forwarding=forwarding if s.forwarding.method is forwarding.method
                        and s.forwarding.tunnel == forwarding.tunnel else _route_back_elsewhere(s.forwarding))
                for s in services]
    return imported(
        filename, notes,
        directors=tuple(directors),
        heartbeat=cluster.heartbeat,
        sync_daemon=cluster.settled_sync(),  # after every VRRP instance: its id may be one's
        forwarding=forwarding,
        timeouts=cluster.timeouts,
        services=tuple(services),
    )
