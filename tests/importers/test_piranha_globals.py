"""lvs.cf's global settings as the routers get them: which director, heartbeat, sync daemon,
NAT gateway and IPVS timeouts each keyword gives, piranha's defaults where a keyword is
missing, and the exact note for every keyword that does not become part of the cluster."""

from __future__ import annotations

from ipaddress import IPv4Address, IPv4Interface

import pytest

from lvscc.importers.piranha import import_piranha
from lvscc.model.config import Config, Director, Forwarding, Heartbeat, Method, SyncDaemon, Timeouts
from lvscc.model.span import Span


def _import(text: str) -> tuple[Config, list[tuple[int, str, str]]]:
    config, found = import_piranha(text, "lvs.cf")
    assert config is not None
    return config, [(d.span.line, d.code, d.message) for d in found]


def test_every_bookkeeping_keyword_is_dropped_with_its_reason() -> None:
    _, notes = _import("serial_no = 7\ndebug_level = NONE\nipvsadm = /sbin/ipvsadm\n")
    assert notes == [
        (1, "LVS506", "`serial_no` dropped: the GUI's edit counter"),
        (2, "LVS506", "`debug_level` dropped: unused by piranha"),
        (3, "LVS506", "`ipvsadm` dropped: lvscc's artifacts call ipvsadm from PATH"),
    ]


@pytest.mark.parametrize("key,default,why", [
    ("rsh_command", "rsh", "lvscc neither copies files between routers nor runs remote load commands"),
    ("sync", "0", "lvscc does not synchronise files between routers"),
    ("hard_shutdown", "1", "lvscc does not control pulse's shutdown"),
])
def test_an_unsupported_global_at_piranhas_default_is_dropped_and_otherwise_untranslated(
        key: str, default: str, why: str) -> None:
    _, notes = _import(f"{key} = {default}\n{key} = other\n")
    assert notes == [(1, "LVS506", f"`{key}` dropped: piranha's default; {why}"),
                     (2, "LVS501", f"`{key}` not translated: {why}")]


@pytest.mark.parametrize("key,why", [
    ("active_cmd", "lvscc does not run scripts on failover"),
    ("inactive_cmd", "lvscc does not run scripts on failover"),
    ("primary_shared", "shared disks belong to failover services (fos)"),
    ("backup_shared", "shared disks belong to failover services (fos)"),
    ("reservation_conflict_action", "SCSI reservations belong to failover services (fos)"),
])
def test_a_failover_or_script_global_is_never_translated(key: str, why: str) -> None:
    _, notes = _import(f"{key} = /usr/local/sbin/x\n")
    assert notes == [(1, "LVS501", f"`{key}` not translated: {why}")]


def test_an_unknown_global_is_untranslated_and_a_bad_value_is_malformed() -> None:
    _, notes = _import("colour = blue\nheartbeat_port = 70000\n")
    assert notes == [(1, "LVS501", "`colour` not translated: not an lvs.cf keyword lvscc knows"),
                     (2, "LVS502", "`heartbeat_port`: '70000' is not a port number or a known service name")]


def test_both_directors_with_their_private_addresses() -> None:
    config, notes = _import("primary = 192.0.2.2\nprimary_private = 198.51.100.2\nbackup = 192.0.2.3\n"
                            "backup_private = 198.51.100.3\nbackup_active = 1\n")
    assert notes == []
    assert config.directors == (
        Director("primary", public=IPv4Address("192.0.2.2"), private=IPv4Address("198.51.100.2"),
                 span=Span("lvs.cf", 1, 1, 1, 20)),
        Director("backup", public=IPv4Address("192.0.2.3"), private=IPv4Address("198.51.100.3"),
                 span=Span("lvs.cf", 3, 1, 3, 19)))


def test_a_backup_without_a_primary_is_still_the_backup() -> None:
    config, _ = _import("backup_private = 198.51.100.3\nbackup_active = 1\n")
    assert config.directors == (Director("backup", private=IPv4Address("198.51.100.3"),
                                         span=Span("lvs.cf", 1, 1, 1, 30)),)


def test_an_inactive_backup_is_left_out_where_its_address_is_written() -> None:
    """backup_active = 0 (or missing): pulse never runs on the backup router."""
    config, notes = _import("primary_private = 198.51.100.2\nbackup_private = 198.51.100.3\n")
    assert config.directors == (Director("primary", private=IPv4Address("198.51.100.2"),
                                         span=Span("lvs.cf", 1, 1, 1, 31)),)
    assert notes == [(2, "LVS501", "`backup_private` not translated: the backup router is not active "
                                   "(backup_active = 0)")]
    config, notes = _import("backup = 192.0.2.3\nbackup_private = 198.51.100.3\nbackup_active = 0\n")
    assert config.directors == ()
    assert [n[:2] for n in notes] == [(1, "LVS501")]


def test_heartbeat_settings_reach_the_heartbeat() -> None:
    config, notes = _import("heartbeat = 1\nheartbeat_port = 1539\nkeepalive = 3\ndeadtime = 12\nmonitor_links = 1\n")
    assert notes == []
    assert config.heartbeat == Heartbeat(port=1539, interval=3, dead_after=12, monitor_links=True)


def test_a_heartbeat_without_settings_has_the_defaults_and_no_link_monitoring() -> None:
    config, _ = _import("heartbeat = 1\n")
    assert config.heartbeat == Heartbeat()
    assert config.heartbeat is not None and config.heartbeat.monitor_links is False


def test_without_heartbeat_its_settings_are_dropped() -> None:
    text = "heartbeat_port = 1539\nkeepalive = 3\ndeadtime = 12\nmonitor_links = 1\n"
    for off in ("", "heartbeat = 0\n"):
        config, notes = _import(text + off)
        assert config.heartbeat is None
        assert notes == [(line, "LVS506", f"`{key}` dropped: heartbeat = 0") for line, key in
                         enumerate(("heartbeat_port", "keepalive", "deadtime", "monitor_links"), start=1)]


def test_sync_daemon_settings_and_defaults() -> None:
    config, notes = _import("syncdaemon = 1\nsyncd_iface = eth1\nsyncd_id = 9\n")
    assert notes == [] and config.sync_daemon == SyncDaemon(interface="eth1", sync_id=9)
    config, _ = _import("syncdaemon = 1\n")
    assert config.sync_daemon == SyncDaemon(interface="eth0", sync_id=0)


def test_without_the_sync_daemon_its_settings_are_dropped() -> None:
    for off in ("", "syncdaemon = 0\n"):
        config, notes = _import("syncd_iface = eth1\nsyncd_id = 9\n" + off)
        assert config.sync_daemon is None
        assert notes == [(1, "LVS506", "`syncd_iface` dropped: syncdaemon = 0"),
                         (2, "LVS506", "`syncd_id` dropped: syncdaemon = 0")]


def test_a_sync_interface_takes_one_value() -> None:
    config, notes = _import("syncdaemon = 1\nsyncd_iface = eth1 eth2\n")
    assert config.sync_daemon == SyncDaemon(interface="eth0")
    assert notes == [(2, "LVS502", "`syncd_iface`: takes 1 value")]


def test_the_nat_router_is_the_gateway_with_its_netmask() -> None:
    config, notes = _import("network = nat\nnat_router = 198.51.100.254 eth1:1\nnat_nmask = 255.255.255.0\n")
    assert notes == []
    assert config.forwarding == Forwarding(method=Method.NAT, gateway=IPv4Interface("198.51.100.254/24"),
                                           gateway_dev="eth1:1")


def test_a_nat_router_without_a_netmask_is_one_address_and_nat_is_the_default() -> None:
    config, _ = _import("nat_router = 198.51.100.254 eth1\n")
    assert config.forwarding == Forwarding(method=Method.NAT, gateway=IPv4Interface("198.51.100.254/32"),
                                           gateway_dev="eth1")
    config, _ = _import("primary = 192.0.2.2\n")
    assert config.forwarding == Forwarding(method=Method.NAT)


@pytest.mark.parametrize("network,method", [("direct", Method.DIRECT), ("tunnel", Method.TUNNEL)])
def test_a_nat_router_means_nothing_without_nat(network: str, method: Method) -> None:
    config, notes = _import(f"network = {network}\nnat_router = 198.51.100.254 eth1\nnat_nmask = 255.255.255.0\n")
    assert config.forwarding == Forwarding(method=method)
    assert notes == [(2, "LVS506", f"`nat_router` dropped: network = {network}"),
                     (3, "LVS506", f"`nat_nmask` dropped: network = {network}")]


def test_ipvs_timeouts_each_reach_their_own_protocol() -> None:
    config, _ = _import("tcp_timeout = 900\ntcpfin_timeout = 120\nudp_timeout = 300\n")
    assert config.timeouts == Timeouts(tcp=900, tcpfin=120, udp=300)
    config, _ = _import("udp_timeout = 300\n")
    assert config.timeouts == Timeouts(udp=300)
    config, _ = _import("primary = 192.0.2.2\n")
    assert config.timeouts is None


def test_a_failover_cluster_is_reported_where_service_is_written() -> None:
    _, notes = _import("primary = 192.0.2.2\nservice = fos\n")
    assert notes == [(2, "LVS501", "`service` not translated: failover services (fos) are not load balancing")]
    _, notes = _import("service = lvs\n")
    assert notes == []
    _, notes = _import("service = ipvs\n")
    assert notes == [(1, "LVS502", "`service`: 'ipvs' is not one of lvs, fos")]


def test_top_level_blocks_other_than_virtual_are_reported() -> None:
    _, notes = _import("failover web {\n active = 0\n}\nrouter r {\n}\n")
    assert notes == [
        (1, "LVS501", "`failover` not translated: failover services (fos) are not load balancing; lvscc has no "
                      "equivalent"),
        (4, "LVS501", "`router` not translated: not an lvs.cf block")]
