"""Every other compiled artifact loads on a real IPVS kernel too: each host of each sample gets a
fresh namespace, its modules are loaded, its sysctls (net.ipv4.vs.* exist only once ip_vs is in)
set and read back, its iptables / ip6tables / nft / arptables rules restored, and a real server's
kit run twice — including the tunnel kit, which the host kernel (no ipip, no fou) cannot run."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from lvscc.load import load_file
from lvscc.lower import lower
from lvscc.model.state import HostState

from .ipvs import REPO, compile_lvs
from .lab import in_netns

pytestmark = pytest.mark.kernel

SAMPLES = sorted((REPO / "samples").glob("*.lvs"))
BACKENDS = ("modules", "sysctl", "iptables", "ip6tables", "nftables", "arptables", "rs-kit")


def _lines(path: Path) -> list[str]:
    return [ln.strip() for ln in path.read_text().splitlines() if ln.strip() and not ln.lstrip().startswith("#")]


def _load(netns: str, host: Path) -> None:
    for file in sorted(host.iterdir()):
        if file.name == "lvscc-modules.conf":
            for module in _lines(file):
                in_netns(netns, "modprobe", module)
        elif file.name == "lvscc-sysctl.conf":
            in_netns(netns, "sysctl", "-q", "-p", str(file))
            for key, value in (ln.split("=", 1) for ln in _lines(file)):
                shown = in_netns(netns, "sysctl", "-n", key.strip())
                assert shown.split() == value.split(), f"{host.name}: {key.strip()} is {shown!r}, want {value.strip()!r}"
        elif file.name == "rules.v4":
            in_netns(netns, "iptables-restore", str(file))
            assert "lvscc" in in_netns(netns, "iptables-save")
        elif file.name == "rules.v6":
            in_netns(netns, "ip6tables-restore", str(file))
            assert "lvscc" in in_netns(netns, "ip6tables-save")
        elif file.name == "lvscc.nft":
            in_netns(netns, "nft", "-f", str(file))
            assert "table inet lvscc" in in_netns(netns, "nft", "list", "ruleset")
        elif file.name == "arptables.rules":
            in_netns(netns, "arptables-nft-restore", stdin=file.read_text())


def _cable(netns: str, host: HostState) -> None:
    """What the kit expects of the machine it runs on: its own NIC and address, with the NAT
    gateway reachable on it (the kit sets the route, not the cabling)."""
    if not host.routes or host.address is None:
        return
    in_netns(netns, "ip", "link", "add", "nic0", "type", "dummy")
    in_netns(netns, "ip", "link", "set", "nic0", "up")
    in_netns(netns, "ip", "addr", "add", f"{host.address}/{host.address.max_prefixlen}", "dev", "nic0")
    for route in host.routes:
        in_netns(netns, "ip", "route", "add", str(route.gateway), "dev", "nic0")


@pytest.mark.parametrize("source", SAMPLES, ids=lambda p: p.name)
def test_every_artifact_of_every_host_loads(source: Path, netns_factory: Callable[[], str], tmp_path: Path) -> None:
    compile_lvs(source, tmp_path, BACKENDS)
    config, _ = load_file(source)
    states = {h.host: h for h in lower(config).hosts}
    hosts = sorted(p for p in tmp_path.iterdir() if p.is_dir())
    assert hosts
    for host in hosts:
        netns = netns_factory()
        _cable(netns, states[host.name])
        _load(netns, host)
        kit = host / "lvscc-realserver.sh"
        if kit.exists():
            before = None
            for _ in range(2):  # idempotent: the second run succeeds and changes nothing
                in_netns(netns, "sh", str(kit))
                state = (in_netns(netns, "ip", "-d", "addr"), in_netns(netns, "ip", "route"))
                assert before is None or state == before, f"{host.name}: second kit run changed the host"
                before = state
