"""What keepalived.conf's virtual_server and virtual_server_group blocks become
(lvscc/importers/keepalived/virtual_servers.py): which IPVS services a block makes (one per
address of a group, as keepalived adds them), each setting of the block, and every statement
lvscc refuses or cannot carry, named by its place and why."""

from __future__ import annotations

from ipaddress import IPv4Address, ip_address, ip_interface

from lvscc.importers.keepalived import import_keepalived
from lvscc.model.config import Config, Forwarding, Method, Protocol, Tunnel, TunnelType
from lvscc.model.span import Span

NO_DEVICE = "no VRRP instance floats {}; its device is unknown"


def _read(text: str) -> tuple[Config, list[tuple[str, str, int]]]:
    config, found = import_keepalived(text, "k.conf")
    assert config is not None, found
    return config, [(d.code, d.message, d.span.line) for d in found]


def _refusals(found: list[tuple[str, str, int]]) -> list[tuple[str, str, int]]:
    """What the block's own statements say: the VIP-device and UDP assumptions are services.py's."""
    return [f for f in found if f[0] != "LVS504" or "fwmark" not in f[1] and "VRRP" not in f[1]
            and "protocol" not in f[1]]


def _vips(config: Config) -> list[tuple[str, int | None, int | None]]:
    return [(str(s.vip.ip) if s.vip else "-", s.port, s.fwmark) for s in config.services]


# ---- virtual_server_group: which services a group makes -----------------------------------------

def _group(*lines: str) -> str:
    body = "".join(f"  {line}\n" for line in lines)
    return f"virtual_server_group G {{\n{body}}}\nvirtual_server group G {{\n  protocol TCP\n}}\n"


def test_a_group_network_is_every_address_from_its_first_to_its_last() -> None:
    """keepalived adds 192.0.2.8/30 as 192.0.2.8 to 192.0.2.11: four services, not two."""
    config, found = _read(_group("192.0.2.8/30 80", "2001:db8::/127 443", "192.0.2.20/32 80"))
    assert _vips(config) == [("192.0.2.8", 80, None), ("192.0.2.9", 80, None), ("192.0.2.10", 80, None),
                             ("192.0.2.11", 80, None), ("2001:db8::", 443, None), ("2001:db8::1", 443, None),
                             ("192.0.2.20", 80, None)]
    assert _refusals(found) == []


def test_a_group_network_with_host_bits_is_refused_as_keepalived_skips_it() -> None:
    config, found = _read(_group("192.0.2.9/30 80", "192.0.2.20 80"))
    assert _vips(config) == [("192.0.2.20", 80, None)]
    assert _refusals(found) == [("LVS502", "`192.0.2.9/30`: '192.0.2.9/30' is not an address or address range", 2)]


def test_a_group_range_runs_to_its_last_number_or_its_last_address() -> None:
    config, found = _read(_group("192.0.2.10-12 80", "192.0.2.254-192.0.3.1 80", "2001:db8::9-b 443",
                                 "2001:db8::1:ffff-2001:db8::2:0 443"))
    assert _vips(config) == [("192.0.2.10", 80, None), ("192.0.2.11", 80, None), ("192.0.2.12", 80, None),
                             ("192.0.2.254", 80, None), ("192.0.2.255", 80, None), ("192.0.3.0", 80, None),
                             ("192.0.3.1", 80, None), ("2001:db8::9", 443, None), ("2001:db8::a", 443, None),
                             ("2001:db8::b", 443, None), ("2001:db8::1:ffff", 443, None),
                             ("2001:db8::2:0", 443, None)]
    assert _refusals(found) == []


def test_a_range_of_one_whole_address_is_that_address() -> None:
    config, found = _read(_group("192.0.2.10-192.0.2.10 80"))
    assert _vips(config) == [("192.0.2.10", 80, None)] and _refusals(found) == []


def test_a_group_range_that_does_not_climb_is_refused() -> None:
    """keepalived skips it with an error ("range end is not greater than address range start"):
    lvscc must not make services of it, nor say nothing."""
    config, found = _read(_group("192.0.2.40-39 80", "192.0.2.30-30 80", "192.0.2.50-192.0.2.49 80",
                                 "192.0.2.70 80"))
    assert _vips(config) == [("192.0.2.70", 80, None)]
    assert _refusals(found) == [
        ("LVS502", f"`{text}`: {text!r} is not an address or address range", line)
        for line, text in ((2, "192.0.2.40-39"), (3, "192.0.2.30-30"), (4, "192.0.2.50-192.0.2.49"))
    ]


def test_a_group_range_from_one_family_to_the_other_is_refused() -> None:
    """keepalived: "Range address families do not match"; counted as numbers, the range would
    run from an IPv4 address to 2^128."""
    config, found = _read(_group("192.0.2.60-2001:db8::1 80", "2001:db8::1-192.0.2.60 80"))
    assert config.services == ()
    assert _refusals(found) == [
        ("LVS502", f"`{text}`: {text!r} is not an address or address range", line)
        for line, text in ((2, "192.0.2.60-2001:db8::1"), (3, "2001:db8::1-192.0.2.60"))
    ]


def test_a_group_line_that_is_no_address_is_refused_and_the_others_kept() -> None:
    config, found = _read(_group("www.example 80", "192.0.2.10-1x 80", "192.0.2.11 80"))
    assert _vips(config) == [("192.0.2.11", 80, None)]
    assert _refusals(found) == [
        ("LVS502", "`www.example`: 'www.example' is not an address or address range", 2),
        ("LVS502", "`192.0.2.10-1x`: '192.0.2.10-1x' is not an address or address range", 3),
    ]


def test_a_group_address_without_a_port_is_a_port_0_service_and_a_bad_port_is_refused() -> None:
    config, found = _read(_group('"192.0.2.10"', "192.0.2.11 http", "192.0.2.12 443"))
    assert _vips(config) == [("192.0.2.10", 0, None), ("192.0.2.12", 443, None)]
    assert _refusals(found) == [("LVS502", "`192.0.2.11`: expected a number, found 'http'", 3)]


def test_a_group_fwmark_is_a_firewall_mark_service_and_mark_0_is_refused() -> None:
    config, found = _read(_group("fwmark 7", "fwmark 0", "fwmark seven"))
    assert _vips(config) == [("-", None, 7)]
    assert _refusals(found) == [
        ("LVS502", "`fwmark`: firewall mark 0 marks no packet: lvscc writes marks 1..4294967295", 3),
        ("LVS502", "`fwmark`: expected a number, found 'seven'", 4),
    ]


def test_a_group_needs_exactly_one_name() -> None:
    config, found = _read("virtual_server_group {\n}\nvirtual_server_group A B {\n}\n"
                          "virtual_server_group \"C\" {\n  192.0.2.10 80\n}\nvirtual_server group C {\n"
                          "  protocol TCP\n}\n")
    assert _vips(config) == [("192.0.2.10", 80, None)]
    assert _refusals(found) == [
        ("LVS502", "`virtual_server_group`: expected `virtual_server_group NAME {`", 1),
        ("LVS502", "`virtual_server_group`: expected `virtual_server_group NAME {`", 3),
    ]


def test_a_virtual_server_of_a_group_never_declared_is_refused() -> None:
    config, found = _read("virtual_server group NONE {\n  protocol TCP\n}\n")
    assert config.services == ()
    assert found == [("LVS502", "`virtual_server`: no virtual_server_group NONE", 1)]


# ---- virtual_server: which service the block names ----------------------------------------------

def test_an_address_without_a_port_is_a_port_0_service() -> None:
    config, found = _read('virtual_server "192.0.2.10" {\n  protocol TCP\n}\n')
    assert _vips(config) == [("192.0.2.10", 0, None)] and _refusals(found) == []


def test_words_after_the_address_and_port_are_named_and_ignored_as_keepalived_does() -> None:
    config, found = _read("virtual_server 192.0.2.10 80 extra words {\n  protocol TCP\n}\n"
                          "virtual_server 192.0.2.11 80 inet {\n  protocol TCP\n}\n")
    assert _vips(config) == [("192.0.2.10", 80, None), ("192.0.2.11", 80, None)]
    assert _refusals(found) == [
        ("LVS501", "`virtual_server` not translated: keepalived reads `192.0.2.10 80` and ignores 'extra words', "
                   "so does lvscc", 1),
        ("LVS501", "`virtual_server` not translated: keepalived reads `192.0.2.11 80` and ignores 'inet', "
                   "so does lvscc", 4),
    ]


def test_a_virtual_server_without_a_readable_address_port_or_mark_makes_no_service() -> None:
    config, found = _read("virtual_server {\n}\nvirtual_server 192.0.2.300 80 {\n}\n"
                          "virtual_server 192.0.2.10 eighty {\n}\nvirtual_server fwmark 0 {\n}\n"
                          "virtual_server fwmark 1 inet6 {\n}\nvirtual_server group G H {\n}\n")
    assert config.services == ()
    assert found == [
        ("LVS502", "`virtual_server`: expected `IP [PORT]`, `fwmark N` or `group NAME`", 1),
        ("LVS502", "`virtual_server`: '192.0.2.300' is not an IP address", 3),
        ("LVS502", "`virtual_server`: expected a number, found 'eighty'", 5),
        ("LVS502", "`virtual_server`: firewall mark 0 marks no packet: lvscc writes marks 1..4294967295", 7),
        ("LVS502", "`virtual_server`: expected `IP [PORT]`, `fwmark N` or `group NAME`", 9),
        ("LVS502", "`virtual_server`: expected `IP [PORT]`, `fwmark N` or `group NAME`", 11),
    ]


def test_a_quoted_fwmark_or_group_keyword_is_read_as_the_keyword() -> None:
    config, _ = _read('virtual_server_group G {\n  192.0.2.10 80\n}\nvirtual_server "group" "G" {\n'
                      '  protocol TCP\n}\nvirtual_server "fwmark" "9" {\n}\n')
    assert _vips(config) == [("192.0.2.10", 80, None), ("-", None, 9)]


# ---- the settings of a virtual_server ---------------------------------------------------------

def _service(settings: str) -> tuple[Config, list[tuple[str, str, int]]]:
    return _read("virtual_server 192.0.2.10 80 {\n" + settings + "}\n")


def test_scheduler_method_protocol_and_family_are_read_in_either_spelling() -> None:
    config, found = _service('  lb_algo "sh"\n  lb_kind DR\n  protocol "udp"\n  ip_family inet\n')
    service = config.services[0]
    assert (service.scheduler, service.forwarding.method, service.protocol) == ("sh", Method.DIRECT, Protocol.UDP)
    assert _refusals(found) == []
    config, _ = _service("  lvs_sched rr\n  lvs_method TUN type gue port 6080 nocsum\n  protocol SCTP\n")
    service = config.services[0]
    assert (service.scheduler, service.protocol) == ("rr", Protocol.SCTP)
    assert service.forwarding.tunnel == Tunnel(TunnelType.GUE, 6080, "nocsum")


def test_without_a_scheduler_or_method_a_service_is_wlc_and_nat() -> None:
    config, _ = _service("  protocol TCP\n")
    assert (config.services[0].scheduler, config.services[0].forwarding.method) == ("wlc", Method.NAT)


def test_an_unknown_scheduler_protocol_or_family_is_refused_and_the_default_kept() -> None:
    config, found = _service("  lb_algo fastest first\n  protocol icmp\n  ip_family inet5\n  lvs_sched\n  lb_kind XX\n")
    service = config.services[0]
    assert (service.scheduler, service.protocol, service.forwarding) == ("wlc", Protocol.UDP, config.forwarding)
    assert service.forwarding.method is Method.NAT
    assert _refusals(found) == [
        ("LVS502", "`lb_algo`: unknown value 'fastest first'", 2),
        ("LVS502", "`protocol`: unknown value 'icmp'", 3),
        ("LVS502", "`ip_family`: unknown value 'inet5'", 4),
        ("LVS502", "`lvs_sched`: unknown value ''", 5),
        ("LVS502", "`lb_kind`: expected NAT, DR or TUN", 6),
    ]


def test_persistence_timeout_alone_is_360_s_and_0_is_none() -> None:
    config, found = _service("  protocol TCP\n  persistence_timeout\n")
    assert config.services[0].persistence == 360 and _refusals(found) == []
    config, found = _service("  protocol TCP\n  persistence_timeout 600\n")
    assert config.services[0].persistence == 600 and _refusals(found) == []
    config, found = _service("  protocol TCP\n  persistence_timeout 0\n")
    assert config.services[0].persistence is None
    assert _refusals(found) == [("LVS506", "`persistence_timeout` dropped: 0 is no persistence, as keepalived "
                                           "runs it", 3)]
    config, found = _service("  protocol TCP\n  persistence_timeout long\n")
    assert config.services[0].persistence is None
    assert _refusals(found) == [("LVS502", "`persistence_timeout`: expected a number, found 'long'", 3)]


def test_persistence_granularity_alone_makes_the_service_persistent_for_360_s() -> None:
    config, found = import_keepalived("virtual_server 192.0.2.10 80 {\n  protocol TCP\n"
                                      "  persistence_granularity 24\n}\n", "k.conf")
    assert config is not None
    service = config.services[0]
    assert (service.persistence, service.persistence_mask) == (360, 24)
    said = [(d.message, d.hint, d.span) for d in found if "granularity" in d.message]
    assert said == [("persistence_granularity without persistence_timeout: keepalived makes the service "
                     "persistent for 360 s, so does lvscc", "write `persistence_timeout` to say how long",
                     Span("k.conf", 1, 1, 1, 15))]


def test_persistence_granularity_with_a_timeout_keeps_both_and_says_nothing() -> None:
    config, found = _service("  protocol TCP\n  persistence_granularity 255.255.255.0\n  persistence_timeout 60\n")
    service = config.services[0]
    assert (service.persistence, service.persistence_mask) == (60, IPv4Address("255.255.255.0"))
    assert found == [("LVS504", NO_DEVICE.format("192.0.2.10"), 1)]


def test_a_persistence_granularity_that_is_no_mask_or_prefix_is_refused() -> None:
    config, found = _service("  protocol TCP\n  persistence_timeout 60\n  persistence_granularity 255.255.0\n")
    assert (config.services[0].persistence, config.services[0].persistence_mask) == (60, None)
    assert _refusals(found) == [("LVS502", "`persistence_granularity`: '255.255.0' is not a netmask or prefix "
                                           "length", 4)]


def test_persistence_engine_one_packet_and_scheduler_flags_are_kept() -> None:
    config, found = _service('  protocol UDP\n  lb_algo mh\n  persistence_engine "sip"\n  ops\n  mh-port\n'
                             "  mh-fallback\n  flag-1\n")
    service = config.services[0]
    assert (service.persistence_engine, service.one_packet) == ("sip", True)
    assert service.sched_flags == ("flag-1", "mh-fallback", "mh-port")
    assert _refusals(found) == []


def test_the_sorry_server_keeps_its_address_and_a_port_like_the_services() -> None:
    config, found = _service("  protocol TCP\n  sorry_server 192.0.2.99 80\n  sorry_server_inhibit\n")
    service = config.services[0]
    assert (service.sorry_server, service.sorry_port, service.sorry_inhibit) == (ip_address("192.0.2.99"), None,
                                                                               True)
    assert _refusals(found) == []
    config, found = _service('  protocol TCP\n  sorry_server "192.0.2.99"\n')
    service = config.services[0]
    assert (service.sorry_server, service.sorry_inhibit) == (ip_address("192.0.2.99"), False)
    assert _refusals(found) == []


def test_a_sorry_server_on_another_port_is_named_and_a_bad_one_refused() -> None:
    config, found = _service("  protocol TCP\n  sorry_server 192.0.2.99 8080\n")
    assert config.services[0].sorry_server == ip_address("192.0.2.99")
    assert _refusals(found) == [("LVS501", "`sorry_server` not translated: lvscc sends sorry traffic to the "
                                           "service's port 80, not 8080", 3)]
    config, found = _service("  protocol TCP\n  sorry_server 192.0.2.99 web\n  sorry_server_inhibit\n")
    assert config.services[0].sorry_server == ip_address("192.0.2.99") and config.services[0].sorry_inhibit
    assert _refusals(found) == [("LVS502", "`sorry_server`: expected a number, found 'web'", 3)]
    config, found = _service("  protocol TCP\n  sorry_server somewhere\n")
    assert config.services[0].sorry_server is None
    assert _refusals(found) == [("LVS502", "`sorry_server`: 'somewhere' is not an IP address", 3)]


def test_a_firewall_mark_sorry_server_keeps_its_port() -> None:
    config, _ = _read("virtual_server fwmark 5 {\n  lb_kind DR\n  sorry_server 192.0.2.99 8080\n}\n")
    assert (config.services[0].sorry_server, config.services[0].sorry_port) == (ip_address("192.0.2.99"), 8080)


def test_inhibit_on_failure_quiesces_the_servers() -> None:
    config, _ = _service("  protocol TCP\n  inhibit_on_failure\n  real_server 192.0.2.21 80 {\n  }\n")
    assert config.services[0].quiesce
    config, _ = _service("  protocol TCP\n  real_server 192.0.2.21 80 {\n  }\n")
    assert not config.services[0].quiesce


def test_the_real_servers_of_the_block_are_the_services() -> None:
    config, _ = _service("  protocol TCP\n  lb_kind DR\n  real_server 192.0.2.21 80 {\n    weight 3\n  }\n"
                         "  real_server 192.0.2.22 80 {\n  }\n  real_server bogus 80 {\n  }\n")
    assert [(str(s.address), s.weight) for s in config.services[0].servers] == [("192.0.2.21", 3), ("192.0.2.22", 1)]


def test_an_ipv6_family_gives_a_firewall_mark_service_an_ipv6_vip() -> None:
    config, _ = _read("vrrp_instance A {\n  virtual_ipaddress {\n    192.0.2.10/24 dev eth0\n"
                      "    2001:db8::10/64 dev eth0\n  }\n}\n"
                      "virtual_server fwmark 5 {\n  ip_family inet6\n  lb_kind DR\n}\n")
    assert config.services[0].vip == ip_interface("2001:db8::10/64")
    config, _ = _read("vrrp_instance A {\n  virtual_ipaddress {\n    2001:db8::10/64 dev eth0\n"
                      "    192.0.2.10/24 dev eth0\n  }\n}\n"
                      "virtual_server fwmark 5 {\n  ip_family inet\n  lb_kind DR\n}\n")
    assert config.services[0].vip == ip_interface("192.0.2.10/24")


def test_checker_timers_on_the_virtual_server_time_the_check() -> None:
    """keepalived's inheritance: a checker without timers takes the virtual server's."""
    check = "  real_server 192.0.2.21 80 {\n    TCP_CHECK {\n    }\n  }\n"
    config, found = _service("  protocol TCP\n  delay_loop 9\n" + check)
    assert config.services[0].check is not None and config.services[0].check.timeout == 9
    assert _refusals(found) == []
    config, found = _service('  protocol TCP\n  delay_loop 9\n  connect_timeout "4"\n' + check)
    assert config.services[0].check is not None and config.services[0].check.timeout == 4
    assert _refusals(found) == []
    config, found = _service("  protocol TCP\n  delay_loop often\n" + check)
    assert config.services[0].check is not None and config.services[0].check.timeout == 10
    assert _refusals(found) == [("LVS502", "`delay_loop`: expected a number, found 'often'", 3)]


def test_settings_lvscc_cannot_carry_in_a_virtual_server_are_named() -> None:
    _, found = _service("  protocol TCP\n  quorum 2\n  delay_before_retry 3\n")
    assert _refusals(found) == [
        ("LVS501", "`quorum` not translated: no lvscc equivalent in a virtual service", 3),
        ("LVS501", "`delay_before_retry` not translated: lvscc has no retries to pace (a failed check takes the "
                    "server out, as in nanny)", 4),
    ]


def test_a_service_forwarding_is_its_own_when_the_cluster_forwards_otherwise() -> None:
    config, _ = _read("virtual_server 192.0.2.10 80 {\n  protocol TCP\n  lb_kind DR\n}\n"
                      "virtual_server 192.0.2.11 80 {\n  protocol TCP\n  lb_kind DR\n}\n"
                      "virtual_server 192.0.2.12 80 {\n  protocol TCP\n  lb_kind TUN\n}\n")
    assert [s.forwarding for s in config.services] == [Forwarding(method=Method.DIRECT)] * 2 + [
        Forwarding(method=Method.TUNNEL, tunnel=Tunnel(TunnelType.IPIP))]
