"""The repair script as a person reads and a shell runs it: the address commands (an alias label
is `label`, a plain device has none), the here-document of an nft transaction, and the comment
naming what each command repairs. Found by mutation testing (docs/testing.md)."""

from __future__ import annotations

import re
from dataclasses import replace
from ipaddress import ip_interface

import pytest

from lvscc.audit import diff, scope_for
from lvscc.model.config import AuditPolicy
from lvscc.model.state import Address, Origin
from lvscc.plan import Command, PlanOptions, plan, render
from lvscc.syntax import Refused

from .states import director, mark, real_server


def _plan(intent, observed) -> list[Command]:
    return plan(diff(intent, observed, AuditPolicy(), scope_for(intent, AuditPolicy())))


@pytest.mark.parametrize(("address", "command"), [
    (Address(ip_interface("192.0.2.10/32"), "lo"), "ip addr add 192.0.2.10/32 dev lo"),
    (Address(ip_interface("192.0.2.10/24"), "eth0:1"), "ip addr add 192.0.2.10/24 dev eth0 label eth0:1"),
])
def test_a_missing_address_goes_on_its_link_with_its_alias_label(address: Address, command: str) -> None:
    """`ip addr add ... dev eth0:1` is refused (no such device); the alias is the label."""
    commands = _plan(real_server(addresses=(address,)), real_server())
    assert [" ".join(c.argv) for c in commands] == [command]


def test_an_extra_vip_is_deleted_from_its_link_with_its_label() -> None:
    wanted = Address(ip_interface("192.0.2.10/24"), "eth0:1")
    found = Address(ip_interface("192.0.2.10/24"), "eth1:0")
    commands = _plan(director(addresses=(wanted,)), director(addresses=(wanted, found)))
    assert [" ".join(c.argv) for c in commands] == ["ip addr del 192.0.2.10/24 dev eth1 label eth1:0"]


def test_an_nft_transaction_is_one_here_document_after_the_command() -> None:
    observed = replace(director(), marks=())
    (command,) = _plan(director(), observed)
    script = render([command])
    match = re.search(r"^nft -f - <<'(LVSCC_EOF_[0-9a-f]{16})'\n(.*)^\1$", script, re.M | re.S)
    assert match is not None, script
    assert match.group(2) == command.stdin and "meta mark set 80" in command.stdin


def test_each_command_is_preceded_by_what_it_repairs() -> None:
    script = render(_plan(director(), replace(director(), marks=(mark(80, 80),)))).splitlines()
    assert script[3] == "# mark rule fwmark 80 tcp to 192.0.2.10/32 ports 80,443"
    assert script[4].startswith("nft -f - <<")


def test_iptables_rules_come_after_the_other_repairs_not_instead() -> None:
    """With `--netfilter iptables` the missing rules are appended to the plan: the sysctl and
    module repairs before them stay."""
    observed = replace(director(), marks=(), modules=("ip_vs",), sysctls=director().sysctls[1:])
    commands = plan(diff(director(), observed, AuditPolicy(), scope_for(director(), AuditPolicy())),
                    PlanOptions(netfilter="iptables"))
    assert [c.argv[0] for c in commands] == ["modprobe", "sysctl", "iptables"]


def test_a_stale_nft_rule_alone_is_only_deleted() -> None:
    """Nothing to add: the transaction neither adds nor creates anything."""
    found = replace(mark(81, 8080), origin=Origin("nft.json", 17, "inet lvscc prerouting"))
    (command,) = _plan(director(), director(marks=director().marks + (found,)))
    assert command.stdin == "delete rule inet lvscc prerouting handle 17\n"


def test_two_changed_servers_are_two_edits() -> None:
    """One `ipvsadm -e` a server: grouping every change into one edit would leave the second
    server's weight as it was."""
    wanted = director()
    service = wanted.ipvs[0]
    changed = replace(service, dests=tuple(replace(d, weight=d.weight + 4) for d in service.dests))
    commands = _plan(wanted, director(ipvs=(changed, wanted.ipvs[1])))
    assert [" ".join(c.argv) for c in commands] == [
        "ipvsadm -e -t 192.0.2.10:80 -r 198.51.100.2:80 -m -w 1",
        "ipvsadm -e -t 192.0.2.10:80 -r 198.51.100.3:80 -m -w 3",
    ]


def test_an_nft_location_not_of_three_words_is_refused_shown_to_60_characters() -> None:
    """No plan rather than a delete in the wrong table; the message quotes at most 60 characters."""
    where = "inet lvscc " + "x" * 80
    found = replace(mark(81, 8080), origin=Origin("nft.json", 17, where + " extra"))
    with pytest.raises(Refused) as refused:
        _plan(director(), director(marks=director().marks + (found,)))
    assert str(refused.value) == f"nft rule location {where[:60]!r} is not FAMILY TABLE CHAIN"
