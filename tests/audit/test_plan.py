"""The planner: drifts in, the fewest safe commands out."""

from __future__ import annotations

from dataclasses import replace
from ipaddress import ip_address, ip_network

from lvscc.audit import diff, scope_for
from lvscc.model.config import AuditPolicy, Protocol, WeightPolicy
from lvscc.model.state import IpvsService, MarkRule, Origin, Sysctl
from lvscc.plan import Command, PlanOptions, plan, render

from .states import dest, director, mark

MANAGED = AuditPolicy(weight=WeightPolicy.MANAGED)


def plan_for(intent, observed, policy: AuditPolicy = AuditPolicy(), options: PlanOptions = PlanOptions()) -> list[Command]:
    return plan(diff(intent, observed, policy, scope_for(intent, policy)), options)


def argvs(commands: list[Command]) -> list[str]:
    return [" ".join(command.argv) for command in commands]


def with_web(service: IpvsService):
    return director(ipvs=(service, director().ipvs[1]))


def test_in_sync_means_no_commands() -> None:
    assert plan_for(director(), director()) == []
    assert render([]) == "#!/bin/sh\n# lvscc plan: apply in this order\nset -eu\n"


def test_one_changed_weight_is_exactly_one_edit() -> None:
    service = director().ipvs[0]
    observed = with_web(replace(service, dests=(service.dests[0], replace(service.dests[1], weight=5))))
    assert argvs(plan_for(director(), observed)) == ["ipvsadm -e -t 192.0.2.10:80 -r 198.51.100.3:80 -m -w 3"]


def test_quiesced_and_observed_weights_are_left_alone() -> None:
    service = director().ipvs[0]
    quiesced = with_web(replace(service, dests=(service.dests[0], replace(service.dests[1], weight=0))))
    assert plan_for(director(), quiesced) == []
    assert argvs(plan_for(director(), quiesced, MANAGED)) == ["ipvsadm -e -t 192.0.2.10:80 -r 198.51.100.3:80 -m -w 3"]
    assert plan_for(director(), quiesced, AuditPolicy(weight=WeightPolicy.OBSERVED)) == []


def test_scheduler_change_is_an_edit_not_delete_and_add() -> None:
    observed = with_web(replace(director().ipvs[0], scheduler="rr", persistence=60))
    assert argvs(plan_for(director(), observed)) == ["ipvsadm -E -t 192.0.2.10:80 -s wlc"]


def test_adds_before_deletes_and_never_a_flush() -> None:
    """A real server moved to another port: the new one is added before the old one goes."""
    service = director().ipvs[0]
    observed = with_web(replace(service, dests=(service.dests[0], dest("198.51.100.3", 8080, 3))))
    policy = AuditPolicy(scope=(ip_network("203.0.113.0/24"),))
    extra_service = IpvsService(4, Protocol.TCP, ip_address("203.0.113.80"), 80, dests=(dest("198.51.100.7"),))
    observed = replace(observed, ipvs=observed.ipvs + (extra_service,))
    got = argvs(plan_for(director(), observed, policy))
    assert got == [
        "ipvsadm -a -t 192.0.2.10:80 -r 198.51.100.3:80 -m -w 3",
        "ipvsadm -d -t 192.0.2.10:80 -r 198.51.100.3:8080",
        "ipvsadm -D -t 203.0.113.80:80",
    ]
    assert not any("-C" in command.argv or "ipvsadm-restore" in command.argv for command in plan_for(director(), director(ipvs=()), policy))


def test_missing_service_is_added_with_its_real_servers() -> None:
    got = argvs(plan_for(director(), director(ipvs=director().ipvs[1:])))
    assert got == [
        "ipvsadm -A -t 192.0.2.10:80 -s wlc",
        "ipvsadm -a -t 192.0.2.10:80 -r 198.51.100.2:80 -m -w 1",
        "ipvsadm -a -t 192.0.2.10:80 -r 198.51.100.3:80 -m -w 3",
    ]


def test_foreign_services_are_never_touched() -> None:
    kube = IpvsService(4, Protocol.TCP, ip_address("203.0.113.50"), 443, dests=(dest("198.51.100.40", 443),))
    assert plan_for(director(), director(ipvs=director().ipvs + (kube,))) == []


def test_fwmark_service_persistence_and_ipv6_flags() -> None:
    intent = director(ipvs=(replace(director().ipvs[1], family=6),))
    got = argvs(plan_for(intent, director(ipvs=())))
    assert got == ["ipvsadm -A -f 80 -6 -s rr -p 300", "ipvsadm -a -f 80 -6 -r 198.51.100.2:0 -m -w 1"]


def test_nft_changes_are_one_transaction_on_our_table() -> None:
    found = replace(mark(81, 8080), origin=Origin("nft.json", 17, "inet lvscc prerouting"))
    commands = plan_for(director(), director(marks=(found,)))
    assert len(commands) == 1 and commands[0].argv == ("nft", "-f", "-")
    assert commands[0].stdin == (
        "add table inet lvscc\n"
        "add chain inet lvscc prerouting { type filter hook prerouting priority mangle; policy accept; }\n"
        "add rule inet lvscc prerouting ip daddr 192.0.2.10 tcp dport { 80, 443 } meta mark set 80\n"
        "delete rule inet lvscc prerouting handle 17\n"
    )


def test_iptables_rules_use_the_exact_saved_spec_to_delete() -> None:
    saved = 'mangle -A PREROUTING -d 192.0.2.10/32 -p tcp -m tcp --dport 8080 -m comment --comment "lvscc: old" -j MARK --set-xmark 0x51/0xffffffff'
    found = replace(mark(81, 8080), origin=Origin("iptables.rules", 9, saved))
    commands = plan_for(director(), director(marks=(found,)), options=PlanOptions(netfilter="iptables"))
    assert [command.argv for command in commands] == [
        ("iptables", "-t", "mangle", "-A", "PREROUTING", "-d", "192.0.2.10/32", "-p", "tcp", "-m", "multiport",
         "--dports", "80,443", "-m", "comment", "--comment", "lvscc", "-j", "MARK", "--set-mark", "80"),
        ("iptables", "-t", "mangle", "-D", "PREROUTING", "-d", "192.0.2.10/32", "-p", "tcp", "-m", "tcp", "--dport",
         "8080", "-m", "comment", "--comment", "lvscc: old", "-j", "MARK", "--set-xmark", "0x51/0xffffffff"),
    ]


def test_long_port_lists_split_like_the_iptables_backend() -> None:
    many = mark(21, *range(1000, 1040, 2))  # 20 single ports, no two adjacent
    commands = plan_for(director(marks=(many,)), director(marks=()), options=PlanOptions(netfilter="iptables"))
    assert [command.argv[command.argv.index("--dports") + 1] for command in commands] == [
        ",".join(str(p) for p in range(1000, 1030, 2)), ",".join(str(p) for p in range(1030, 1040, 2))]


def test_sysctls_and_shell_rendering_quote_values() -> None:
    observed = director(sysctls=(Sysctl("net.ipv4.ip_forward", "1"), Sysctl("net.ipv4.vs.sync_threshold", "3 40")))
    commands = plan_for(director(), observed)
    assert argvs(commands) == ["sysctl -w net.ipv4.vs.sync_threshold=3 50"]
    assert "sysctl -w 'net.ipv4.vs.sync_threshold=3 50'" in render(commands)


def test_nft_rule_text_round_trips_through_nft_syntax() -> None:
    from lvscc.syntax.nft import rule as nft_rule

    rule = MarkRule(21, ip_network("2001:db8::/64"), Protocol.UDP, mark(1, 53, (10000, 10010)).ports)
    assert nft_rule(rule) == ("mark", "ip6 daddr 2001:db8::/64 udp dport { 53, 10000-10010 } meta mark set 21")
