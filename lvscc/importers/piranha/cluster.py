"""lvs.cf's global settings (everything outside the `virtual` blocks) -> the cluster's
directors, heartbeat, sync daemon, forwarding and IPVS timeouts."""

from __future__ import annotations

from ipaddress import IPv4Interface
from typing import Any, TypeVar, cast

from lvscc.importers.common import Entry, kernel_timeouts
from lvscc.importers.piranha.values import LvsCfValues, prefix
from lvscc.model.config import Director, Forwarding, Heartbeat, Method, SyncDaemon, Timeouts

T = TypeVar("T")
NETWORKS = {"nat": Method.NAT, "direct": Method.DIRECT, "tunnel": Method.TUNNEL}
NO_EFFECT = {
    "serial_no": "the GUI's edit counter",
    "debug_level": "unused by piranha",
    "ipvsadm": "lvscc's artifacts call ipvsadm from PATH",
}
# (keyword, piranha's default): at the default the keyword changes nothing, otherwise it is
# behaviour lvscc does not have.
UNSUPPORTED_GLOBALS = {
    "rsh_command": ("rsh", "lvscc neither copies files between routers nor runs remote load commands"),
    "sync": ("0", "lvscc does not synchronise files between routers"),
    "hard_shutdown": ("1", "lvscc does not control pulse's shutdown"),
    "active_cmd": (None, "lvscc does not run scripts on failover"),
    "inactive_cmd": (None, "lvscc does not run scripts on failover"),
    "primary_shared": (None, "shared disks belong to failover services (fos)"),
    "backup_shared": (None, "shared disks belong to failover services (fos)"),
    "reservation_conflict_action": (None, "SCSI reservations belong to failover services (fos)"),
}


class Globals:
    def __init__(self, values: LvsCfValues) -> None:
        self.values = values
        self.notes = values.notes
        self.globals: dict[str, tuple[Entry, object]] = {}

    def statement(self, entry: Entry) -> None:
        if entry.key in NO_EFFECT:
            self.notes.dropped(entry, NO_EFFECT[entry.key])
        elif entry.key in UNSUPPORTED_GLOBALS:
            default, why = UNSUPPORTED_GLOBALS[entry.key]
            if entry.args == (default,):
                self.notes.dropped(entry, f"piranha's default; {why}")
            else:
                self.notes.untranslated(entry, why)
        else:
            self.setting(entry)

    def setting(self, entry: Entry) -> None:
        v = self.values
        parsers = {
            "service": lambda e: v.one_of(e, ("lvs", "fos")),
            "primary": v.host, "backup": v.host, "primary_private": v.host, "backup_private": v.host,
            "backup_active": v.boolean, "heartbeat": v.boolean, "heartbeat_port": v.port,
            "keepalive": v.number, "deadtime": v.number, "monitor_links": v.number,
            "network": lambda e: v.one_of(e, tuple(NETWORKS)),
            "nat_router": v.nat_router, "nat_nmask": v.netmask,
            "syncdaemon": v.boolean, "syncd_iface": lambda e: (v.one(e) or (None,))[0], "syncd_id": v.number,
            "tcp_timeout": v.number, "tcpfin_timeout": v.number, "udp_timeout": v.number,
        }
        parser = parsers.get(entry.key)
        if parser is None:
            self.notes.untranslated(entry, "not an lvs.cf keyword lvscc knows")
            return
        value = parser(entry)
        if value is not None:
            self.globals[entry.key] = (entry, value)

    def value(self, key: str, default: T) -> T:
        """A global's parsed value; the parser table above fixes each key's type."""
        return cast(T, self.globals[key][1]) if key in self.globals else default

    def given(self, key: str) -> Any:
        """A global's parsed value, None where lvs.cf does not set it (every flag's default is off
        and every address's none)."""
        return self.value(key, None)

    def dropped(self, keys: tuple[str, ...], why: str) -> None:
        for key in keys:
            if key in self.globals:
                self.notes.dropped(self.globals[key][0], why)

    def directors(self) -> tuple[Director, ...]:
        directors = []
        for role in ("primary", "backup"):
            # a note about the director (another file of the same role) points at its address
            written = self.globals.get(role, self.globals.get(f"{role}_private"))
            if written is None:
                continue
            if role == "backup" and not self.given("backup_active"):
                self.notes.untranslated(written[0], "the backup router is not active (backup_active = 0)")
                continue
            directors.append(Director(role, public=self.given(role), private=self.given(f"{role}_private"),
                                      span=written[0].span))
        return tuple(directors)

    def heartbeat(self) -> Heartbeat | None:
        if not self.given("heartbeat"):
            self.dropped(("heartbeat_port", "keepalive", "deadtime", "monitor_links"), "heartbeat = 0")
            return None
        defaults = Heartbeat()
        return Heartbeat(
            port=self.value("heartbeat_port", defaults.port),
            interval=self.value("keepalive", defaults.interval),
            dead_after=self.value("deadtime", defaults.dead_after),
            monitor_links=bool(self.given("monitor_links")),
        )

    def sync_daemon(self) -> SyncDaemon | None:
        if not self.given("syncdaemon"):
            self.dropped(("syncd_iface", "syncd_id"), "syncdaemon = 0")
            return None
        return SyncDaemon(interface=self.value("syncd_iface", "eth0"), sync_id=self.value("syncd_id", 0))

    def forwarding(self) -> Forwarding:
        method = NETWORKS[self.value("network", "nat")]
        router = self.given("nat_router")
        if method is not Method.NAT:
            self.dropped(("nat_router", "nat_nmask"), f"network = {self.given('network')}")
            return Forwarding(method=method)
        if router is None:
            return Forwarding(method=method)
        address, device = router
        length = prefix(self.given("nat_nmask"))
        return Forwarding(method=method, gateway=IPv4Interface(f"{address}/{length}"), gateway_dev=device)

    def timeouts(self) -> Timeouts | None:
        return kernel_timeouts(*(self.value(f"{k}_timeout", 0) for k in ("tcp", "tcpfin", "udp")))
