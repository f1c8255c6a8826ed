"""Every sample compiled end to end (parse, lower, render), each host-side artifact handed to the
tool that loads it on a real host, inside a fresh namespace, and what the kernel then holds read
back with the tool's own dump and compared with the host state; real-server kits run twice."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import guide_hosts
from lvscc.model.state import HostState
from links import up_and_settled
from netfilter_readback import meant, meant_arp, nft_rules, saved_arp, saved_rules

pytestmark = pytest.mark.netns

BACKENDS = ("iptables", "ip6tables", "nftables", "arptables", "rs-kit")
# file name -> the command that loads it (the real one: these all commit what they accept)
LOADERS = {
    "rules.v4": ["iptables-restore"],
    "rules.v6": ["ip6tables-restore"],
    "lvscc.nft": ["nft", "-f"],
    "lvscc.json": ["nft", "-j", "-f"],
}


def loaded(name: str, host: HostState, in_netns) -> tuple[object, object]:
    """(what the kernel holds, what the host state means) right after `name` was loaded: each
    loader replaces what the previous host's file put there (whole tables, or our nft table)."""
    if name in ("lvscc.nft", "lvscc.json"):
        return nft_rules(json.loads(in_netns("nft", "-j", "list", "ruleset").stdout), "lvscc"), meant(host)
    if name == "arptables.rules":
        return saved_arp(in_netns("arptables-nft-save").stdout), meant_arp(host)
    tool, family = ("iptables", 4) if name == "rules.v4" else ("ip6tables", 6)
    return saved_rules(in_netns(f"{tool}-save").stdout), meant(host, family)


@pytest.mark.parametrize("sample", guide_hosts.SAMPLES, ids=lambda p: p.stem)
def test_sample_artifacts_load_and_read_back(sample: Path, in_netns, tmp_path: Path):
    artifacts = guide_hosts.sample_artifacts(sample, *BACKENDS)
    _, intent = guide_hosts.sample(sample)
    for path, artifact in sorted(artifacts.items()):
        file = tmp_path / path
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_text(artifact.content)
        name = path.rsplit("/", 1)[1]
        host = intent.host(artifact.host)
        if name == "lvscc-realserver.sh":
            in_netns("sh", "-n", str(file))
            continue
        if name in LOADERS:
            in_netns(*LOADERS[name], str(file))
        elif name == "arptables.rules" and host.arp_chains == ("INPUT", "OUTPUT"):
            in_netns("sh", "-c", f"arptables-nft-restore < {file}")
        else:
            continue  # arptables_jf's IN/OUT chains: arptables-nft has no such chains to load into
        held, wanted = loaded(name, host, in_netns)
        assert held == wanted, f"{path}: the kernel holds {held}, the host state means {wanted}"


def _kit_hosts() -> list[tuple[Path, str]]:
    return [(sample, host.host) for sample in guide_hosts.SAMPLES for host in guide_hosts.sample(sample)[1].hosts
            if host.role == "real-server" and not host.tunnels]


@pytest.mark.parametrize("sample,host", _kit_hosts(), ids=lambda v: getattr(v, "stem", v))
def test_sample_real_server_kit_runs_twice(sample: Path, host: str, in_netns, tmp_path: Path):
    kit = guide_hosts.sample_artifacts(sample, "rs-kit")[f"{host}/lvscc-realserver.sh"]
    script = tmp_path / "kit.sh"
    script.write_text(kit.content)
    state = guide_hosts.sample(sample)[1].host(host)
    # The real server's own NIC, on the network of its address (its NAT gateway is reached there).
    in_netns("ip", "link", "add", "eth0", "type", "veth", "peer", "name", "eth0-peer")
    if state.address is not None:
        prefix = 24 if state.address.version == 4 else 64
        in_netns("ip", "addr", "add", f"{state.address}/{prefix}", "dev", "eth0", "nodad")
    up_and_settled(in_netns, "eth0", "eth0-peer")
    in_netns("sh", str(script))
    first = _state(in_netns)
    in_netns("sh", str(script))
    assert _state(in_netns) == first
    for address in state.addresses:
        assert f"inet{'6' if address.interface.version == 6 else ''} {address.interface.with_prefixlen}" in "\n".join(first[0])


def _state(in_netns) -> list[list[str]]:
    """Addresses, routes and ARP/IP rules, without the save tools' dated comment lines."""
    dumps = (["ip", "addr"], ["ip", "route", "show", "table", "all"], ["arptables-nft-save"], ["iptables-save"])
    return [[line for line in in_netns(*argv).stdout.splitlines() if not line.startswith("#")] for argv in dumps]
