"""What keepalived.conf's cluster-wide statements become (lvscc/importers/keepalived/cluster.py):
global_defs' sync daemon and IPVS timeouts, the VRRP instances that make this router a
primary or a backup director with its heartbeat, and the VRRP addresses that float the VIPs
and the NAT gateway. Each statement lvscc cannot carry is named by its place and why."""

from __future__ import annotations

from ipaddress import IPv4Address, IPv6Address, ip_interface

from lvscc.diagnostics import Diagnostic
from lvscc.importers.keepalived import import_keepalived
from lvscc.model.config import Config, Director, Forwarding, Heartbeat, Method, SyncDaemon, Timeouts
from lvscc.model.span import Span


def _read(text: str) -> tuple[Config, list[tuple[str, str, int]]]:
    config, found = import_keepalived(text, "k.conf")
    assert config is not None, found
    return config, [(d.code, d.message, d.span.line) for d in found]


def _said(found: list[Diagnostic]) -> list[tuple[str, str, Span]]:
    return [(d.code, d.message, d.span) for d in found]


# ---- global_defs ----------------------------------------------------------------------------

def test_router_id_is_dropped_and_every_other_global_setting_named_untranslated() -> None:
    _, found = import_keepalived("global_defs {\n  router_id lb1\n  enable_script_security\n}\n", "k.conf")
    assert _said(found) == [
        ("LVS506", "`router_id` dropped: lvscc names routers itself", Span("k.conf", 2, 3, 2, 12)),
        ("LVS501", "`enable_script_security` not translated: no lvscc equivalent", Span("k.conf", 3, 3, 3, 25)),
    ]


def test_the_sync_daemon_keeps_its_interface_and_id_and_names_the_options_lvscc_leaves_default() -> None:
    config, found = import_keepalived(
        'global_defs {\n  lvs_sync_daemon "eth1" VI_1 maxlen 1400 id 5 port 8848 ttl 2 group 224.0.0.81\n}\n',
        "k.conf")
    assert config is not None
    assert config.sync_daemon == SyncDaemon("eth1", 5, Span("k.conf", 2, 3, 2, 18))
    place = Span("k.conf", 2, 3, 2, 18)
    assert _said(found) == [
        ("LVS501", f"`lvs_sync_daemon` not translated: `{option}`: lvscc uses the sync daemon's defaults", place)
        for option in ("maxlen 1400", "port 8848", "ttl 2", "group 224.0.0.81")
    ]


VI_1 = "vrrp_instance VI_1 {\n  virtual_router_id 51\n}\n"
SYNC_PLACE = Span("k.conf", 2, 3, 2, 18)


def _sync(words: str, instances: str = "") -> tuple[SyncDaemon | None, list[tuple[str, str, int]]]:
    """`lvs_sync_daemon WORDS` in global_defs (line 2), then INSTANCES."""
    config, found = _read(f"global_defs {{\n  lvs_sync_daemon {words}\n}}\n{instances}")
    return config.sync_daemon, found


def _default(option: str) -> tuple[str, str, int]:
    return ("LVS501", f"`lvs_sync_daemon` not translated: `{option}`: lvscc uses the sync daemon's defaults", 2)


def _refused(why: str) -> tuple[str, str, int]:
    return ("LVS502", f"`lvs_sync_daemon`: {why}", 2)


def test_the_sync_daemon_id_follows_the_instance_name() -> None:
    """keepalived 2's form `lvs_sync_daemon IFACE INSTANCE id N`."""
    assert _sync("eth1 VI_WEB id 12") == (SyncDaemon("eth1", 12, SYNC_PLACE), [])


def test_a_sync_id_written_after_the_instance_without_id_is_read_as_keepalived_1_wrote_it() -> None:
    assert _sync('eth1 VI_WEB "12" ttl 3') == (SyncDaemon("eth1", 12, SYNC_PLACE), [_default("ttl 3")])


def test_the_vrrp_instance_may_follow_inst_or_be_left_out() -> None:
    """keepalived 2.2: `lvs_sync_daemon IFACE [[inst] INSTANCE] [id N] ...`; the words after
    `inst INSTANCE` are options."""
    dropped = ("LVS506", "`virtual_router_id` dropped: lvscc derives it from the cluster name", 5)
    assert _sync("eth1 inst VI_1", VI_1) == (SyncDaemon("eth1", 51, SYNC_PLACE), [dropped])
    assert _sync("eth1 inst VI_1 ttl 2", VI_1) == (SyncDaemon("eth1", 51, SYNC_PLACE), [_default("ttl 2"), dropped])
    assert _sync("eth1 id 7 ttl 2", VI_1) == (SyncDaemon("eth1", 7, SYNC_PLACE), [_default("ttl 2"), dropped])


def test_a_lone_inst_is_the_instances_name() -> None:
    assert _sync("eth1 inst") == (SyncDaemon("eth1", 0, SYNC_PLACE), [
        ("LVS504", "no sync id, and no virtual_router_id of a VRRP instance inst to take it from: written id 0", 2)])


def test_a_word_after_the_instance_that_is_no_option_is_read_as_the_id_as_keepalived_reads_it() -> None:
    """keepalived 2.2.7: `lvs_sync_daemon lo VI_1 bogus` says "invalid number 'bogus'"."""
    daemon, found = _sync("eth1 VI_1 5s", VI_1)
    assert daemon == SyncDaemon("eth1", 51, SYNC_PLACE) and found[0] == _refused("expected a number, found '5s'")


def test_a_sync_daemon_of_no_vrrp_instance_without_an_id_runs_with_id_0_as_keepalived_starts_it() -> None:
    daemon, found = _sync("eth1", VI_1)
    assert daemon == SyncDaemon("eth1", 0, SYNC_PLACE) and [f[0] for f in found] == ["LVS506"]


def test_a_sync_daemon_without_an_id_takes_its_vrrp_instances_router_id_as_keepalived_does() -> None:
    """Written as id 0, a backup running keepalived's id would drop every update of this master."""
    instances = "vrrp_instance VI_0 {\n  virtual_router_id 9\n}\n" + VI_1
    assert _sync("eth1 VI_1", instances)[0] == SyncDaemon("eth1", 51, SYNC_PLACE)
    daemon, found = _sync("eth1 VI_1 id many", instances)
    assert daemon == SyncDaemon("eth1", 51, SYNC_PLACE) and found[0] == _refused("expected a number, found 'many'")


def test_a_sync_daemon_without_an_id_or_a_router_id_to_take_says_it_writes_id_0() -> None:
    for instances in ("", "vrrp_instance VI_2 {\n  virtual_router_id 9\n}\n", "vrrp_instance VI_1 {\n}\n"):
        config, found = import_keepalived("global_defs {\n  lvs_sync_daemon eth1 VI_1\n}\n" + instances, "k.conf")
        assert config is not None and config.sync_daemon == SyncDaemon("eth1", 0, SYNC_PLACE)
        said = [(d.code, d.message, d.hint, d.span) for d in found if d.code == "LVS504"]
        assert said == [("LVS504", "no sync id, and no virtual_router_id of a VRRP instance VI_1 to take it from: "
                                   "written id 0", "write `id N`", SYNC_PLACE)], instances


def test_an_unreadable_router_id_gives_the_sync_daemon_id_0() -> None:
    daemon, found = _sync("eth1 VI_1", "vrrp_instance VI_1 {\n  virtual_router_id x\n}\n")
    assert daemon == SyncDaemon("eth1", 0, SYNC_PLACE)
    assert ("LVS502", "`virtual_router_id`: expected a number, found 'x'", 5) in found


def test_an_option_without_its_value_or_an_unknown_word_is_refused_alone() -> None:
    assert _sync("eth1 VI_1 id 4 inst VI_2 maxlen") == (SyncDaemon("eth1", 4, SYNC_PLACE), [
        _refused("unknown option 'inst'"), _refused("unknown option 'VI_2'"), _refused("`maxlen` without a value")])
    daemon, found = _sync("eth1 VI_1 id", VI_1)
    assert daemon == SyncDaemon("eth1", 51, SYNC_PLACE) and found[0] == _refused("`id` without a value")


def test_a_sync_daemon_without_an_interface_is_refused() -> None:
    assert _sync("") == (None, [_refused("needs an interface")])


def test_a_second_sync_daemon_is_refused_and_the_first_kept_as_keepalived_does() -> None:
    config, found = _read("global_defs {\n  lvs_sync_daemon eth1 VI_1 id 1\n  lvs_sync_daemon eth2 VI_1 id 2\n}\n")
    assert config.sync_daemon == SyncDaemon("eth1", 1, Span("k.conf", 2, 3, 2, 18))
    assert found == [("LVS505", "a second lvs_sync_daemon: keepalived keeps the first, so does lvscc", 3)]


def test_lvs_timeouts_are_read_by_name_word_by_word_as_keepalived_reads_them() -> None:
    """An unknown word is skipped alone: the timeouts after it are still read."""
    config, found = import_keepalived('global_defs {\n  lvs_timeouts udp 30 bogus "tcpfin" 60 tcp\n}\n', "k.conf")
    assert config is not None
    assert config.timeouts == Timeouts(tcp=None, tcpfin=60, udp=30, span=Span("k.conf", 2, 3, 2, 15))
    assert _said(found) == [("LVS502", "`lvs_timeouts`: unknown timeout 'bogus'", Span("k.conf", 2, 3, 2, 15)),
                            ("LVS502", "`lvs_timeouts`: `tcp` without a value", Span("k.conf", 2, 3, 2, 15))]


def test_lvs_timeouts_with_no_readable_value_leave_the_kernel_defaults() -> None:
    config, found = _read("global_defs {\n  lvs_timeouts tcp soon\n}\n")
    assert config.timeouts is None
    assert found == [("LVS502", "`lvs_timeouts`: expected a number, found 'soon'", 2)]


def test_the_last_lvs_timeout_is_read() -> None:
    config, _ = _read("global_defs {\n  lvs_timeouts tcp 900\n}\n")
    assert config.timeouts is not None and config.timeouts.tcp == 900


# ---- vrrp_instance: the directors and the heartbeat -------------------------------------------

def test_a_master_instance_makes_this_router_the_primary_and_its_unicast_peer_the_backup() -> None:
    config, found = _read("vrrp_instance VI_1 {\n  state MASTER\n  interface eth0\n  unicast_src_ip 192.0.2.2\n"
                          "  unicast_peer {\n    192.0.2.3\n    192.0.2.4\n  }\n}\n")
    assert config.directors == (
        Director("primary", public=IPv4Address("192.0.2.2"), public_dev="eth0", span=Span("k.conf", 1, 1, 1, 14)),
        Director("backup", public=IPv4Address("192.0.2.3"), span=Span("k.conf", 6, 5, 6, 14)),
    )
    assert found == []


def test_a_backup_instance_makes_this_router_a_backup_and_its_peer_the_primary() -> None:
    config, _ = _read("vrrp_instance VI_1 {\n  state BACKUP\n  priority 255\n  unicast_peer {\n    192.0.2.3\n  }\n}\n")
    assert [(d.role, d.public) for d in config.directors] == [("backup", None), ("primary", IPv4Address("192.0.2.3"))]


def test_without_a_state_priority_255_is_the_owner_and_so_the_primary() -> None:
    config, _ = _read("vrrp_instance A {\n  priority 255\n}\nvrrp_instance B {\n  priority 100\n}\n")
    assert [d.role for d in config.directors] == ["primary"]
    config, _ = _read("vrrp_instance A {\n  priority 254\n}\n")
    assert [d.role for d in config.directors] == ["backup"]
    config, _ = _read("vrrp_instance A {\n  interface eth0\n}\n")
    assert [d.role for d in config.directors] == ["backup"]


def test_a_state_on_any_instance_decides_over_priority_255() -> None:
    config, _ = _read("vrrp_instance A {\n  priority 255\n}\nvrrp_instance B {\n  state BACKUP\n}\n")
    assert [d.role for d in config.directors] == ["backup"]
    config, _ = _read("vrrp_instance A {\n  state BACKUP\n}\nvrrp_instance B {\n  state MASTER\n}\n")
    assert [d.role for d in config.directors] == ["primary"]


def test_an_unreadable_priority_counts_as_0() -> None:
    config, found = _read("vrrp_instance A {\n  priority high\n}\n")
    assert [d.role for d in config.directors] == ["backup"]
    assert found == [("LVS502", "`priority`: expected a number, found 'high'", 2)]


def test_the_director_takes_the_first_interface_and_source_address_of_any_instance() -> None:
    config, _ = _read("vrrp_instance A {\n  state MASTER\n}\nvrrp_instance B {\n  interface eth3\n"
                      "  mcast_src_ip 198.51.100.2\n}\nvrrp_instance C {\n  interface eth4\n"
                      "  unicast_src_ip 198.51.100.3\n}\n")
    assert config.directors == (Director("primary", public=IPv4Address("198.51.100.2"), public_dev="eth3",
                                         span=Span("k.conf", 1, 1, 1, 14)),)


def test_a_unicast_source_comes_before_a_multicast_one_and_a_bare_keyword_gives_none() -> None:
    config, _ = _read("vrrp_instance A {\n  interface\n  mcast_src_ip 198.51.100.2\n  unicast_src_ip 198.51.100.3\n}\n")
    assert (config.directors[0].public, config.directors[0].public_dev) == (IPv4Address("198.51.100.3"), None)
    config, _ = _read("vrrp_instance A {\n  unicast_src_ip\n  mcast_src_ip 198.51.100.2\n}\n")
    assert config.directors[0].public == IPv4Address("198.51.100.2")


def test_a_director_address_that_is_no_address_is_refused_where_it_is_written() -> None:
    config, found = _read("vrrp_instance A {\n  state MASTER\n  unicast_src_ip 192.0.2.300\n  unicast_peer {\n"
                          "    peer.example\n  }\n}\n")
    assert [(d.role, d.public) for d in config.directors] == [("primary", None), ("backup", None)]
    assert found == [("LVS502", "`unicast_src_ip`: '192.0.2.300' is not an IP address", 3),
                     ("LVS502", "`peer.example`: 'peer.example' is not an IP address", 5)]


def test_the_vrrp_advert_interval_is_the_heartbeat_and_three_missed_declare_the_peer_dead() -> None:
    config, _ = _read("vrrp_instance A {\n  interface eth0\n}\nvrrp_instance B {\n  advert_int 2\n}\n"
                      "vrrp_instance C {\n  advert_int 7\n}\n")
    assert config.heartbeat == Heartbeat(interval=2, dead_after=6, span=Span("k.conf", 5, 3, 5, 13))


def test_an_advert_interval_of_0_or_unreadable_leaves_the_heartbeat_default() -> None:
    config, _ = _read("vrrp_instance A {\n  advert_int 0\n}\n")
    assert config.heartbeat is None
    config, found = _read("vrrp_instance A {\n  advert_int x\n}\n")
    assert config.heartbeat is None and found == [("LVS502", "`advert_int`: expected a number, found 'x'", 2)]


def test_without_a_vrrp_instance_there_is_no_director() -> None:
    config, _ = _read("virtual_server 192.0.2.10 80 {\n  protocol TCP\n}\n")
    assert config.directors == () and config.heartbeat is None


def test_settings_of_a_vrrp_instance_without_effect_or_equivalent_are_named() -> None:
    _, found = import_keepalived("vrrp_instance A {\n  virtual_router_id 9\n  track_interface {\n    eth0\n  }\n}\n",
                                 "k.conf")
    assert _said(found) == [
        ("LVS506", "`virtual_router_id` dropped: lvscc derives it from the cluster name", Span("k.conf", 2, 3, 2, 20)),
        ("LVS501", "`track_interface` not translated: no lvscc equivalent in a VRRP instance",
         Span("k.conf", 3, 3, 3, 18)),
    ]


# ---- VRRP addresses: VIP devices and the NAT gateway -----------------------------------------

SERVICE = "virtual_server 192.0.2.10 80 {\n  protocol TCP\n  lb_kind DR\n  real_server 192.0.2.21 80 {\n  }\n}\n"


def _vip(config: Config) -> tuple[object, str | None]:
    return config.services[0].vip, config.services[0].vip_dev


def test_a_vip_floats_on_its_label_before_its_dev_and_its_dev_before_the_instances_interface() -> None:
    for address, device in (("192.0.2.10/24 dev eth1 label eth1:4", "eth1:4"),
                            ("192.0.2.10/24 label eth1:4 dev eth1", "eth1:4"),
                            ("192.0.2.10/24 dev eth1", "eth1"),
                            ("192.0.2.10/24", "eth0")):
        config, found = _read(f"vrrp_instance A {{\n  interface eth0\n  virtual_ipaddress {{\n    {address}\n  }}\n}}\n"
                              + SERVICE)
        assert _vip(config) == (ip_interface("192.0.2.10/24"), device) and found == [], address


def test_a_vip_without_a_device_floats_on_the_instances_interface_written_after_it() -> None:
    """keepalived completes the instance before it places its addresses: the order of the lines
    does not matter, and a VIP left without a device cannot be brought up."""
    config, found = _read("vrrp_instance A {\n  virtual_ipaddress {\n    192.0.2.10/24\n    bogus\n  }\n"
                          "  virtual_router_id 9\n  interface eth0\n}\n" + SERVICE)
    assert _vip(config) == (ip_interface("192.0.2.10/24"), "eth0")
    assert found == [("LVS502", "`bogus`: not an address", 4),
                     ("LVS506", "`virtual_router_id` dropped: lvscc derives it from the cluster name", 6)]


def test_an_excluded_vrrp_address_floats_a_vip_too() -> None:
    config, found = _read("vrrp_instance A {\n  virtual_ipaddress_excluded {\n    192.0.2.10/25 dev eth2\n  }\n}\n"
                          + SERVICE)
    assert _vip(config) == (ip_interface("192.0.2.10/25"), "eth2") and found == []


def test_a_vrrp_address_keeps_no_device_when_its_instance_names_none() -> None:
    config, found = _read("vrrp_instance A {\n  interface\n  virtual_ipaddress {\n    192.0.2.10/24\n  }\n}\n"
                          + SERVICE)
    assert _vip(config) == (ip_interface("192.0.2.10/24"), None) and found == []


def test_vrrp_address_options_lvscc_cannot_say_are_named_and_the_address_kept() -> None:
    config, found = import_keepalived(
        'vrrp_instance A {\n  virtual_ipaddress {\n    "192.0.2.10/24" brd 192.0.2.255 dev "eth1" scope global\n'
        '  }\n}\n' + SERVICE, "k.conf")
    assert config is not None and _vip(config) == (ip_interface("192.0.2.10/24"), "eth1")
    assert _said(found) == [("LVS501", "`\"192.0.2.10/24\"` not translated: address options brd scope have no lvscc "
                                       "equivalent", Span("k.conf", 3, 5, 3, 20))]


def test_a_vrrp_line_that_is_no_address_is_refused() -> None:
    _, found = import_keepalived("vrrp_instance A {\n  virtual_ipaddress {\n    nonsense dev eth0\n  }\n}\n",
                                 "k.conf")
    assert _said(found) == [("LVS502", "`nonsense`: not an address", Span("k.conf", 3, 5, 3, 13))]


NAT_SERVICE = ("virtual_server 192.0.2.10 80 {\n  protocol TCP\n  lb_kind NAT\n"
               "  real_server 198.51.100.20 80 {\n  }\n}\n")


def test_the_vrrp_address_on_the_real_servers_network_is_their_nat_gateway() -> None:
    config, found = _read("vrrp_instance A {\n  virtual_ipaddress {\n    203.0.113.1/24 dev eth2\n"
                          "    198.51.100.1/24 dev eth1 label eth1:0\n    192.0.2.10/24 dev eth0\n"
                          "    198.51.100.2/24 dev eth1\n  }\n}\n" + NAT_SERVICE)
    assert config.forwarding == Forwarding(method=Method.NAT, gateway=ip_interface("198.51.100.1/24"),
                                           gateway_dev="eth1:0")
    assert found == [
        ("LVS501", "`203.0.113.1/24` not translated: 203.0.113.1/24 is neither a VIP nor the NAT gateway", 3),
        ("LVS504", "198.51.100.1/24 is no service's VIP: taken as the NAT gateway of the real servers", 4),
        ("LVS501", "`198.51.100.2/24` not translated: 198.51.100.2/24 is neither a VIP nor the NAT gateway", 6),
    ]


def test_a_nat_gateway_is_of_the_real_servers_family() -> None:
    """An IPv4-compatible IPv6 address spans the IPv4 servers' numbers but cannot route them."""
    config, found = _read("vrrp_instance A {\n  virtual_ipaddress {\n    ::198.51.100.1/96 dev eth3\n  }\n}\n"
                          + NAT_SERVICE)
    assert config.forwarding.gateway is None and config.forwarding.gateway_external
    assert ("LVS501", "`::198.51.100.1/96` not translated: ::c633:6401/96 is neither a VIP nor the NAT gateway",
            3) in found


def test_a_direct_routing_cluster_takes_no_gateway() -> None:
    config, found = _read("vrrp_instance A {\n  virtual_ipaddress {\n    192.0.2.1/24 dev eth1\n  }\n}\n"
                          + SERVICE)
    assert config.forwarding == Forwarding(method=Method.DIRECT)
    assert ("LVS501", "`192.0.2.1/24` not translated: 192.0.2.1/24 is neither a VIP nor the NAT gateway",
            3) in found


def test_a_nat_real_server_inside_a_direct_routing_service_makes_the_cluster_nat_with_its_gateway() -> None:
    """Its gateway comes from the cluster's forwarding (docs/language.md): a DR cluster would
    leave that real server without a route back through the director."""
    config, found = _read("vrrp_instance A {\n  virtual_ipaddress {\n    198.51.100.1/24 dev eth1\n  }\n}\n"
                          "virtual_server 192.0.2.10 80 {\n  protocol TCP\n  lb_kind DR\n"
                          "  real_server 198.51.100.20 80 {\n    lvs_method NAT\n  }\n"
                          "  real_server 192.0.2.21 80 {\n  }\n}\n"
                          "virtual_server 192.0.2.11 80 {\n  protocol TCP\n  lb_kind DR\n}\n")
    assert config.forwarding == Forwarding(method=Method.NAT, gateway=ip_interface("198.51.100.1/24"),
                                           gateway_dev="eth1")
    assert [s.forwarding.method for s in config.services] == [Method.DIRECT, Method.DIRECT]
    assert config.services[0].servers[0].method is Method.NAT
    assert ("LVS504", "198.51.100.1/24 is no service's VIP: taken as the NAT gateway of the real servers", 3) in found


def test_the_most_used_method_is_the_clusters() -> None:
    tunnel = "virtual_server 192.0.2.{} 80 {{\n  protocol TCP\n  lb_kind TUN\n}}\n"
    config, _ = _read(tunnel.format(11) + tunnel.format(12) + SERVICE)
    assert config.forwarding.method is Method.TUNNEL


def test_an_ipv6_nat_gateway_is_found_on_an_ipv6_real_servers_network() -> None:
    config, _ = _read("vrrp_instance A {\n  virtual_ipaddress {\n    192.0.2.1/24 dev eth1\n"
                      "    2001:db8:1::1/64 dev eth1\n  }\n}\n"
                      "virtual_server 2001:db8::10 80 {\n  protocol TCP\n  lb_kind NAT\n"
                      "  real_server 2001:db8:1::20 80 {\n  }\n}\n")
    assert config.forwarding.gateway == ip_interface("2001:db8:1::1/64")
    assert config.services[0].servers[0].address == IPv6Address("2001:db8:1::20")
