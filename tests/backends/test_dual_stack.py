"""One host, one address per family: a dual-stack real server is one name with an IPv4 and an
IPv6 address, gets one kit that takes both VIPs, and each finding about it is printed once."""

from __future__ import annotations

import subprocess
from ipaddress import ip_interface

from lvscc.load import load_text
from lvscc.lower import lower
from lvscc.render import registry, render

DUAL = """
lvs ds {{
  director primary {{ public 192.0.2.2 dev eth0 }}
  forwarding direct {{ arp sysctl }}
  service dns4 {{ vip 192.0.2.53/32 dev eth0:1  udp 53  one-packet  server ns1 192.0.2.31{extra} }}
  service dns6 {{ vip 2001:db8::53/128 dev eth0  udp 53  one-packet  server ns1 2001:db8::31{extra} }}
}}
"""


def test_a_dual_stack_server_gets_one_kit_with_both_vips(netns: str) -> None:
    config, found = load_text(DUAL.format(extra=""), "ds.lvs")
    assert config is not None and not [d for d in found if d.severity == "error"], found
    servers = [h for h in lower(config).hosts if h.role == "real-server"]
    assert [h.host for h in servers] == ["ns1"]
    assert {a.interface for a in servers[0].addresses} == {ip_interface("192.0.2.53/32"), ip_interface("2001:db8::53/128")}
    kit = next(a.content for a in render(config, lower(config), [registry()["rs-kit"]]))
    for _ in range(2):
        subprocess.run(["ip", "netns", "exec", netns, "sh", "-s"], input=kit, check=True, text=True, timeout=60)
    shown = subprocess.run(["ip", "-n", netns, "addr", "show", "dev", "lo"], check=True, capture_output=True, text=True).stdout
    assert "inet 192.0.2.53/32" in shown and "inet6 2001:db8::53/128" in shown


def test_two_addresses_of_one_family_are_still_two_hosts_and_said_once() -> None:
    config, found = load_text(DUAL.format(extra="  server ns1 192.0.2.32").replace(
        "server ns1 2001:db8::31  server ns1 192.0.2.32", "server ns1 2001:db8::31"), "ds.lvs")
    identity = [d for d in found if d.code == "LVS029"]
    assert len(identity) == 1 and "192.0.2.32" in identity[0].message
