"""The real-server kit, run for real (twice) inside a fresh namespace standing in for the real
server: the first run must leave the state the host state asks for, the second must change
nothing and exit 0."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import guide_hosts
from links import up_and_settled
from lvscc.model.state import HostState

pytestmark = pytest.mark.netns

# Real servers of the guide's scenarios, and the case each is found in.
KIT_CASES = {
    "dr-sysctl": "web1",
    "guide-dr-arptables": "web1",
    "guide-dr-redirect": "web1",
    "guide-ftp": "ftp1",
    "tunnel": "web1",
}


def _prepare_nic(in_netns) -> None:
    """eth0 on the real servers' network, as the kit expects to find it."""
    in_netns("ip", "link", "add", "eth0", "type", "veth", "peer", "name", "eth0-peer")
    in_netns("ip", "addr", "add", "10.11.12.1/24", "dev", "eth0")
    up_and_settled(in_netns, "eth0", "eth0-peer")


def snapshot(in_netns, host: HostState) -> dict[str, object]:
    """Everything the kit may touch, as the kernel reports it."""
    addresses = json.loads(in_netns("ip", "-j", "addr").stdout)
    return {
        "addresses": sorted((a["ifname"], i["local"], i["prefixlen"], i.get("label", ""))
                            for a in addresses for i in a["addr_info"]),
        "routes": in_netns("ip", "route", "show", "table", "all").stdout,
        "sysctls": {s.key: in_netns("sysctl", "-n", s.key).stdout.strip() for s in host.sysctls},
        "arptables": in_netns("arptables-nft-save").stdout.split("\n")[1:-2],  # minus the dated lines
        "iptables": [line for line in in_netns("iptables-save").stdout.splitlines() if not line.startswith("#")],
    }


@pytest.mark.parametrize("case", sorted(KIT_CASES))
def test_kit_prepares_the_real_server_and_a_second_run_changes_nothing(case, in_netns, tmp_path: Path):
    host = guide_hosts.CASES[case]().host(KIT_CASES[case])
    if host.tunnels:
        if in_netns("ip", "link", "add", "probe0", "type", "ipip", check=False).returncode != 0:
            pytest.skip("the host kernel has no ipip tunnel support")
        in_netns("ip", "link", "del", "probe0")
    artifact = guide_hosts.artifacts(case, "rs-kit")[f"{host.host}/lvscc-realserver.sh"]
    assert artifact.mode == 0o755
    script = tmp_path / "lvscc-realserver.sh"
    script.write_text(artifact.content)
    _prepare_nic(in_netns)

    in_netns("sh", str(script))
    first = snapshot(in_netns, host)
    in_netns("sh", str(script))
    assert snapshot(in_netns, host) == first

    for address in host.addresses:
        label = address.device if address.interface.version == 4 else ""  # IPv6 has no labels
        assert (address.link, str(address.interface.ip), address.interface.network.prefixlen, label) in first["addresses"]
    for route in host.routes:
        assert f"{route.destination} via {route.gateway} dev eth0" in first["routes"]
    assert first["sysctls"] == {s.key: s.value for s in host.sysctls}
    assert len([line for line in first["arptables"] if line.startswith("-A")]) == 2 * len(host.arp)
    assert len([line for line in first["iptables"] if "REDIRECT" in line]) == len(host.redirects)
