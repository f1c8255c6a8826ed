"""The director kit on a real IPVS kernel: with the lab's hand-made VIP and NAT gateway taken
away, the compiled kit alone (run twice: idempotent) brings the director up and the NAT cluster
answers through its VIP; `standby` gives the floating addresses back."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from .ipvs import CASES, compile_lvs, save
from .lab import NAT_GATEWAY, PRIVATE, VIP, Lab, NameServers, get, in_netns, ip_batch
from .test_traffic import NAT_SERVERS

pytestmark = pytest.mark.kernel


def test_kit_alone_makes_the_nat_cluster_answer(lab_factory: Callable[..., Lab], name_servers: NameServers,
                                                 tmp_path: Path) -> None:
    compiled = tmp_path / "compiled"
    compile_lvs(CASES / "nat.lvs", compiled)  # the default backends, the director kit among them
    kit = compiled / "primary" / "lvscc-director.sh"
    lab = lab_factory(NAT_SERVERS, compiled)
    ip_batch(lab.director, [f"addr del {VIP}/32 dev br-pub", f"addr del {NAT_GATEWAY}/{PRIVATE.prefixlen} dev br-priv"])
    in_netns(lab.director, "ipvsadm", "-C")
    for rs in NAT_SERVERS:
        name_servers.listen(lab.netns_of[rs.name], rs.name, 80)

    in_netns(lab.director, "sh", str(kit))
    state = (in_netns(lab.director, "ip", "addr"), save(lab.director))
    assert f"inet {VIP}/32 " in state[0] and f"inet {NAT_GATEWAY}/{PRIVATE.prefixlen} " in state[0]
    assert sorted(get(lab.client, VIP) for _ in range(4)) == ["rs1", "rs1", "rs2", "rs2"]

    in_netns(lab.director, "sh", str(kit))
    assert (in_netns(lab.director, "ip", "addr"), save(lab.director)) == state

    in_netns(lab.director, "sh", str(kit), "standby")
    addresses = in_netns(lab.director, "ip", "addr")
    assert f" {VIP}/" not in addresses and f" {NAT_GATEWAY}/" not in addresses
    assert save(lab.director) == state[1]  # a standby keeps the table, ready to take over
