"""The director kit: chosen by default, never beside a daemon that owns the VIPs, and idempotent.
It runs for real in a throwaway namespace (addresses, sysctls, iptables and nft rules); the host
kernel has no IPVS, so ipvsadm, ipvsadm-save/-restore and modprobe are stubs bind-mounted over the
real tools in a private mount namespace, keeping a fake table and sync-daemon list. With a real
IPVS kernel the kit is proven by tests/kernel/test_director_kit.py."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import guide_hosts
import pytest
from goldenfile import expect_tree
from test_netfilter_host_backends import GOLDEN

from lvscc.load import load_text
from lvscc.lower import lower
from lvscc.render import BackendChoiceError, registry, render, select

CLUSTER = """
lvs kit {
  director primary { public 192.0.2.9 dev eth0  private 198.51.100.9 dev eth1 }
  director backup  { public 192.0.2.8 dev eth0  private 198.51.100.8 dev eth1 }
  sync-daemon { interface eth1  id 12 }
  forwarding nat { gateway 198.51.100.1/24 dev eth1:1 }
  timeouts { tcp 900s }
  service web { vip 192.0.2.10/24 dev eth0:1  tcp 80  scheduler rr  server web1 198.51.100.5 }
  service ftp { vip 192.0.2.11/24 dev eth0:2  ftp  persistence 600s  server ftp1 198.51.100.6 }
}
"""
STUBS = {
    "ipvsadm": r"""
echo "ipvsadm $*" >> "$STUB_DIR/log"
touch "$STUB_DIR/daemons"
case "$*" in
-C) : > "$STUB_DIR/table" ;;
"-L -n --daemon") cat "$STUB_DIR/daemons" ;;
"--stop-daemon "*) grep -v "^$2 " "$STUB_DIR/daemons" > "$STUB_DIR/d" || :; mv "$STUB_DIR/d" "$STUB_DIR/daemons" ;;
"--start-daemon "*) echo "$2 sync daemon (mcast=$4, syncid=$6, maxlen=1472)" >> "$STUB_DIR/daemons" ;;
*) exit 1 ;;
esac
""",
    "ipvsadm-save": 'echo "ipvsadm-save $*" >> "$STUB_DIR/log"; cat "$STUB_DIR/table" 2>/dev/null || :\n',
    "ipvsadm-restore": r"""
echo "ipvsadm-restore" >> "$STUB_DIR/log"
sed -e '/^#/d' -e '/^--set/d' -e '/^$/d' -e 's/ -x [0-9]* -y [0-9]*$//' >> "$STUB_DIR/table"
""",
    "modprobe": 'echo "modprobe $*" >> "$STUB_DIR/log"\n',
}


def _compiled(backends: list[str] | None, tmp_path: Path) -> Path:
    config, diagnostics = load_text(CLUSTER, "kit.lvs")
    assert config is not None, diagnostics
    for artifact in render(config, lower(config), select(backends)):
        path = tmp_path / "out" / artifact.path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(artifact.content)
        path.chmod(artifact.mode)
    return tmp_path / "out"


def test_kit_is_a_default_backend_and_yields_to_the_daemons() -> None:
    assert "director-kit" in [b.name for b in select(None)]
    assert "director-kit" in [b.name for b in select(["+nftables"])]
    for owner in ("keepalived", "piranha"):
        assert "director-kit" not in [b.name for b in select([f"+{owner}"])]
    assert {b.name for b in select(["all"])} == set(registry()) - {"director-kit"}
    with pytest.raises(BackendChoiceError, match="both own the VIPs"):
        select(["director-kit", "keepalived"])


def test_backend_sets() -> None:
    default = [b.name for b in select(["default"])]
    assert [b.name for b in select(None)] == default
    assert [b.name for b in select(["-iptables"])] == [n for n in default if n != "iptables"]
    assert [b.name for b in select(["ipvsadm", "nftables"])] == ["ipvsadm", "nftables"]
    with pytest.raises(BackendChoiceError, match="did you mean `nftables`"):
        select(["nftable"])


def _run_kit(netns: str, kit: Path, stubs: Path, *args: str) -> str:
    binds = " && ".join(f"mount --bind {stubs / name} /usr/sbin/{name}" for name in STUBS)
    script = f"{binds} && exec sh {kit} {' '.join(args)}"
    done = subprocess.run(["ip", "netns", "exec", netns, "unshare", "-m", "sh", "-c", script],
                          env={**os.environ, "STUB_DIR": str(stubs)}, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    log = (stubs / "log").read_text()
    (stubs / "log").write_text("")
    return log


def _state(netns: str) -> tuple[str, ...]:
    def show(*argv: str) -> str:
        out = subprocess.run(["ip", "netns", "exec", netns, *argv], check=True, capture_output=True, text=True).stdout
        return "".join(line for line in out.splitlines(True) if not line.startswith("#"))  # save's timestamps
    return show("ip", "addr"), show("iptables-save", "-t", "raw"), show("iptables-save", "-t", "nat"), \
        show("nft", "list", "ruleset"), show("sysctl", "-n", "net.ipv4.ip_forward")


@pytest.mark.parametrize("layout_backends", [None, ["+nftables"]], ids=["default", "with-nftables"])
def test_kit_brings_a_director_up_once_and_then_changes_nothing(layout_backends: list[str] | None, netns: str,
                                                                tmp_path: Path) -> None:
    out = _compiled(layout_backends, tmp_path)
    stubs = tmp_path / "stubs"
    stubs.mkdir()
    for name, body in STUBS.items():
        (stubs / name).write_text("#!/bin/sh\n" + body)
        (stubs / name).chmod(0o755)
    (stubs / "log").write_text("")
    for link in ("eth0", "eth1"):
        subprocess.run(["ip", "-n", netns, "link", "add", link, "type", "veth", "peer", "name", f"{link}p"], check=True)
    kit = out / "primary" / "lvscc-director.sh"

    first = _run_kit(netns, kit, stubs)
    assert "modprobe ip_vs_ftp" in first and "ipvsadm -C" in first and "ipvsadm-restore" in first
    assert "ipvsadm --start-daemon master --mcast-interface eth1 --syncid 12" in first
    addresses = {line.split()[1]: line.split()[-1] for line in _state(netns)[0].splitlines() if " inet " in line}
    assert addresses == {"127.0.0.1/8": "lo", "192.0.2.10/24": "eth0:1", "192.0.2.11/24": "eth0:2", "198.51.100.1/24": "eth1:1"}
    raw, nft = _state(netns)[1], _state(netns)[3]
    # the FTP helper, from the nft script when it was compiled, else from rules.v4: never both
    assert ('ct helper set "ftp"' in nft) == (layout_backends is not None) != ("--helper ftp" in raw)
    table = (stubs / "table").read_text()
    assert "-A -f 21 -s wlc -p 600" in table and "-A -t 192.0.2.10:80 -s rr" in table
    before = _state(netns)

    second = _run_kit(netns, kit, stubs)
    assert "ipvsadm -C" not in second and "--start-daemon" not in second
    assert _state(netns) == before

    standby = _run_kit(netns, kit, stubs, "standby")
    assert "ipvsadm --stop-daemon master" in standby
    assert "ipvsadm --start-daemon backup --mcast-interface eth1 --syncid 12" in standby
    assert " 192.0.2.10/" not in _state(netns)[0] and " 198.51.100.1/" not in _state(netns)[0]
    assert (stubs / "daemons").read_text() == "backup sync daemon (mcast=eth1, syncid=12, maxlen=1472)\n"


def test_kit_in_a_distribution_layout_loads_files_where_that_layout_puts_them() -> None:
    config, _ = load_text(CLUSTER, "kit.lvs")
    assert config is not None
    kits = {a.path: a.content for a in render(config, lower(config), select(None), "rhel")
            if a.backend == "director-kit"}
    assert set(kits) == {"primary/usr/local/sbin/lvscc-director.sh", "backup/usr/local/sbin/lvscc-director.sh"}
    text = kits["backup/usr/local/sbin/lvscc-director.sh"]
    assert "iptables-restore /etc/sysconfig/iptables" in text and "< /etc/sysconfig/ipvsadm" in text
    assert "role=${1:-standby}" in text and '"$here"' not in text


def test_kit_quotes_every_value() -> None:
    config, _ = load_text(CLUSTER, "kit.lvs")
    assert config is not None
    text = next(a.content for a in render(config, lower(config), [registry()["director-kit"]]))
    subprocess.run(["sh", "-n"], input=text, check=True, text=True)
    assert text.startswith("#!/bin/sh\n")


@pytest.mark.parametrize("path", guide_hosts.SAMPLES, ids=lambda p: p.stem)
def test_golden_kits_of_the_samples(path: Path) -> None:
    """Each sample's kits as the default compile writes them (the kit loads the files of the
    backends chosen with it)."""
    loaded, intent = guide_hosts.sample(path)
    kits = {a.path: a.content for a in render(loaded, intent, select(None)) if a.backend == "director-kit"}
    assert kits.keys() == {f"{h.host}/lvscc-director.sh" for h in intent.hosts if h.role == "director"}
    expect_tree(GOLDEN / path.stem, kits, whole_directory=False)
    for text in kits.values():
        subprocess.run(["sh", "-n"], input=text, check=True, text=True)
