"""arptables and sysctl backends loaded for real into a fresh namespace and read back."""

from __future__ import annotations

from pathlib import Path

import pytest

import guide_hosts

pytestmark = pytest.mark.netns


def arp_rules(save_output: str) -> set[tuple[str, ...]]:
    """arptables-nft-save's rules as (chain, sorted words): it prints -j before the matches."""
    return {(words[1], *sorted(words[2:])) for words in (line.split() for line in save_output.splitlines())
            if words and words[0] == "-A"}


def test_arptables_restore_loads_the_vip_rules_twice(in_netns, tmp_path: Path):
    rules = tmp_path / "arptables.rules"
    rules.write_text(guide_hosts.artifacts("guide-dr-arptables", "arptables")["web1/arptables.rules"].content)
    for _ in range(2):  # a restore replaces the filter table, so a reload changes nothing
        in_netns("sh", "-c", f"arptables-nft-restore < {rules}")
    vip, real = guide_hosts.VIP, "192.168.26.11"
    assert arp_rules(in_netns("arptables-nft-save").stdout) == {
        ("INPUT", *sorted(f"-d {vip} -j DROP".split())),
        ("OUTPUT", *sorted(f"-s {vip} -j mangle --mangle-ip-s {real}".split())),
    }


SYSCTL_CASES = {
    "guide-ftp": "primary",  # ip_forward on the NAT director
    "dr-sysctl": "web1",  # arp_ignore / arp_announce on a direct-routing real server
}


@pytest.mark.parametrize("case,host", sorted(SYSCTL_CASES.items()))
def test_sysctl_file_applies_inside_the_namespace(case, host, in_netns, tmp_path: Path):
    path = tmp_path / "90-lvscc.conf"
    path.write_text(guide_hosts.artifacts(case, "sysctl")[f"{host}/lvscc-sysctl.conf"].content)
    in_netns("sysctl", "-p", str(path))
    state = guide_hosts.CASES[case]().host(host)
    for sysctl in state.sysctls:
        proc = "/proc/sys/" + sysctl.key.replace(".", "/")
        assert in_netns("cat", proc).stdout.strip() == sysctl.value, sysctl.key
