"""What a director's state holds where tests/test_lower.py does not look: the sync daemon of
each director, the FTP conntrack helper, IPv6 forwarding, masquerading of per-service NAT blocks,
which addresses float, and the source line every object points at (the rule comments and the
drift report's place). Found by mutation testing (docs/testing.md)."""

from __future__ import annotations

from dataclasses import replace
from ipaddress import ip_address, ip_network

import pytest

from lvscc.lower import lower
from lvscc.lower.director import service_modules
from lvscc.model.config import Director, Ftp, Method, Protocol, SyncDaemon, Timeouts
from lvscc.model.span import Span
from lvscc.model.state import HelperRule, HostState, IpvsSync, IpvsTimeouts, Origin, Sysctl

from test_lower import DIRECTOR, FILE, NAT, config, server, service

HTTP = Origin(FILE, 10, "service http")
BACKUP = Director("backup", ip_address("203.0.113.8"), "eth0")


def _primary(*services, **fields) -> HostState:
    return lower(config(*services, **fields)).host("primary")


def test_the_primary_sends_the_sync_state_and_the_backup_receives_it() -> None:
    """Both masters, or both backups, and no connection survives a failover."""
    sync = SyncDaemon("eth1", 7, Span(FILE, 5, 1, 5, 20))
    intent = lower(config(service(), directors=(BACKUP, DIRECTOR), sync_daemon=sync))
    where = Origin(FILE, 5, "sync-daemon")
    assert intent.host("primary").sync == IpvsSync("master", "eth1", 7, where)
    assert intent.host("backup").sync == IpvsSync("backup", "eth1", 7, where)
    assert intent.host("primary").sync.origin == where
    assert _primary(service()).sync is None


def test_an_ftp_service_gets_the_ftp_helper_on_its_control_port() -> None:
    """Kernels from 6.0 attach no helper: without it ip_vs_ftp never sees the PORT commands."""
    helpers = _primary(service("ftp", ftp=Ftp()), service(vip="192.0.2.11/24")).helpers
    assert helpers == (HelperRule("ftp", ip_address("192.0.2.10"), Protocol.TCP, 21),)
    assert helpers[0].origin == Origin(FILE, 10, "service ftp")


def test_an_ipv6_nat_service_turns_on_ipv6_forwarding() -> None:
    """net.ipv4.ip_forward does not forward IPv6: the director would drop every packet."""
    svc = service(vip="2001:db8::10/64", forwarding=NAT, servers=(server(address="2001:db8:1::1"),))
    sysctls = _primary(svc, forwarding=NAT).sysctls
    assert sysctls == (Sysctl("net.ipv6.conf.all.forwarding", "1"),)
    assert sysctls[0].origin == HTTP


def test_a_direct_service_with_one_nat_server_still_forwards_and_masquerades() -> None:
    host = _primary(service(servers=(server(), server("web2", "198.51.100.2", method=Method.NAT))), forwarding=NAT)
    assert Sysctl("net.ipv4.ip_forward", "1") in host.sysctls


def test_an_ftp_service_loads_its_scheduler_and_the_ftp_modules() -> None:
    assert service_modules(service("ftp", ftp=Ftp(), scheduler="lblc")) == ["ip_vs_lblc", "ip_vs_ftp", "nf_conntrack_ftp"]


def test_masquerade_of_the_cluster_and_of_a_service_of_its_own_nat_block() -> None:
    """Each NAT block's networks are masqueraded, whichever block is read last."""
    own = replace(NAT, masquerade=(ip_network("203.0.113.0/25"),), span=Span(FILE, 8, 3, 8, 9))
    cluster = replace(NAT, masquerade=(ip_network("198.51.100.0/24"),))
    for order in ((service(forwarding=own), service("b", port=81)), (service("b", port=81), service(forwarding=own))):
        rules = _primary(*order, forwarding=cluster).masquerades
        assert {(m.source, m.origin) for m in rules} == {
            (ip_network("198.51.100.0/24"), Origin(FILE, 3, "forwarding nat")),
            (ip_network("203.0.113.0/25"), Origin(FILE, 8, "forwarding nat")),
        }


def test_a_service_nat_block_is_masqueraded_under_a_direct_cluster() -> None:
    own = replace(NAT, masquerade=(ip_network("203.0.113.0/25"),))
    assert [m.source for m in _primary(service(forwarding=own)).masquerades] == [ip_network("203.0.113.0/25")]


def test_the_ftp_data_masquerade_points_at_its_service() -> None:
    (rule,) = _primary(service("ftp", ftp=Ftp(), forwarding=NAT), forwarding=NAT).masquerades
    assert rule.origin == Origin(FILE, 10, "service ftp")


def test_vips_and_the_nat_gateway_float_and_point_at_their_source() -> None:
    """A floating address missing on a director is standing by, not drift (lvscc/audit.py)."""
    addresses = _primary(service(forwarding=NAT), forwarding=NAT).addresses
    assert [(a.floating, a.origin) for a in addresses] == [
        (True, HTTP), (True, Origin(FILE, 3, "forwarding nat gateway")),
    ]


def test_a_fwmark_service_without_vip_has_no_mark_rule() -> None:
    """Its marks are set outside lvscc (docs/language.md): nothing to write, and no crash."""
    assert _primary(replace(service(fwmark=7), vip=None)).marks == ()


def test_a_mark_rule_points_at_its_service() -> None:
    (rule,) = _primary(service("ftp", ftp=Ftp())).marks
    assert rule.origin == Origin(FILE, 10, "service ftp")


@pytest.mark.parametrize(("given", "expected"), [
    (Timeouts(tcpfin=60), IpvsTimeouts(0, 60, 0)),
    (Timeouts(tcp=900), IpvsTimeouts(900, 0, 0)),
])
def test_an_unset_timeout_is_0_so_that_set_keeps_the_kernels(given: Timeouts, expected: IpvsTimeouts) -> None:
    assert _primary(service(), timeouts=given).timeouts == expected
