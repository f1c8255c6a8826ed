"""Lowering decisions tests/test_lower.py does not pin: an intent without a source file, the
all-ports service (port 0) on the director, and a service whose marks are set outside lvscc
(no VIP) on its real servers. Found by mutation testing (docs/testing.md)."""

from __future__ import annotations

from dataclasses import replace
from ipaddress import ip_address

import pytest

from lvscc.lower import lower
from lvscc.model.config import Config, Method, VirtualService
from lvscc.model.state import Route

from test_lower import DIRECTOR, NAT, config, only_service, server, service


def test_an_intent_without_source_file_names_none() -> None:
    """A config built in memory (an import, `serve`'s edit) has no file: the intent's source is
    empty, not an invented name and not a crash."""
    cfg = Config("t", services=(service(),), directors=(DIRECTOR,))
    assert lower(cfg).source == ""


@pytest.mark.parametrize("forwarding", [None, NAT], ids=["direct", "nat"])
def test_an_all_ports_service_keeps_port_0_for_its_servers(forwarding) -> None:
    """Port 0 with persistence is ipvsadm's every-port service; its servers take port 0 too
    (a NAT server without its own port), never port 1."""
    fields = {"forwarding": forwarding} if forwarding else {}
    svc = only_service(config(service(port=0, persistence=300, **fields), **fields))
    assert (svc.port, [d.port for d in svc.dests]) == (0, [0])


def _no_vip(**fields) -> VirtualService:
    """A fwmark service without a VIP: its marks come from rules lvscc does not write."""
    return replace(service(**fields), vip=None)


def test_a_nat_server_of_a_service_without_vip_still_routes_via_the_gateway() -> None:
    """The marks are set elsewhere, but replies must still go back through the director."""
    cfg = config(_no_vip(fwmark=7, protocol=None, port=None, forwarding=NAT), forwarding=NAT)
    assert lower(cfg).host("web1").routes == (Route("default", ip_address("198.51.100.254")),)


def test_a_direct_server_of_a_service_without_vip_gets_nothing() -> None:
    """No VIP to put on lo or keep quiet (LVS185 tells the operator); the kit is empty rather than
    a crash."""
    host = lower(config(_no_vip(fwmark=7, protocol=None, port=None))).host("web1")
    assert (host.addresses, host.arp, host.sysctls, host.redirects, host.routes) == ((), (), (), (), ())


def test_a_nat_override_of_a_service_without_vip_routes_via_the_gateway() -> None:
    svc = _no_vip(fwmark=7, protocol=None, port=None, servers=(server(method=Method.NAT),))
    assert lower(config(svc, forwarding=NAT)).host("web1").routes == (Route("default", ip_address("198.51.100.254")),)
