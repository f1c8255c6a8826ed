"""The keepalived backend: every generated keepalived.conf must pass keepalived 2.2's own
parser (`keepalived -t`) inside a throwaway network namespace holding the interfaces the file
names, with no warning at all; plus the mapping decisions keepalived cannot check for us."""

from __future__ import annotations

import os
import re
import secrets
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from lvscc.load import load_file, load_text
from lvscc.lower import lower
from lvscc.model.config import Config
from lvscc.render import Artifact, output_path, registry, render
from prerequisites import unavailable

REPO = Path(__file__).resolve().parents[2]
SAMPLES = sorted((REPO / "samples").glob("*.lvs"))
KEEPALIVED = registry()["keepalived"]
QUORUM_NOTICE = re.compile(r"quorum 1 for .* exceeds total weight of real servers 0|hysteresis 0 >= quorum 0")

# Configs that reach the corners of the mapping: checks of every kind, sorry servers, IPv6
# firewall marks, mixed families, port remapping behind NAT, per-server methods.
CORNERS = {
    "checks": """
lvs corners {
  director primary { public 192.0.2.2 dev eth0  private 198.51.100.2 dev eth1 }
  director backup { public 192.0.2.3 dev eth0  private 198.51.100.3 dev eth1 }
  heartbeat { interval 3s  dead-after 9s }
  sync-daemon { interface eth1  id 200 }
  forwarding nat { gateway 198.51.100.1/24 dev eth1:1 }
  timeouts { tcp 3600s }
  service web {
    vip 192.0.2.10/24 dev eth0:1
    tcp 80
    scheduler wrr
    check { send "GET /health?full=1 HTTP/1.1\\r\\nHost: shop.example\\r\\n\\r\\n"  expect "HTTP/1.1 200 OK"  timeout 4s  reentry 20s }
    quiesce
    sorry-server 198.51.100.99
    server web1 198.51.100.11 port 8080 weight 5 upper 100 lower 10
    server web2 198.51.100.12 port 8080
  }
  service script {
    vip 192.0.2.11 dev eth0:2
    udp 53
    one-packet
    check { send-program "/usr/local/bin/check dns \\"$HOME\\" %h#1"  timeout 2s }
    server dns1 198.51.100.21
  }
  service body {
    vip 192.0.2.12 dev eth0:3
    tcp 8000
    check { send "GET / HTTP/1.0\\r\\n\\r\\n"  expect "ready.*now"  regex }
    server app1 198.51.100.31
  }
  service marks {
    vip 192.0.2.13 dev eth0:4
    fwmark 7 { tcp 443, 8443 }
    persistence
    check { timeout 3s }
    server m1 198.51.100.41
  }
}
""",
    "v6": """
lvs sixes {
  director primary { public 2001:db8::2 dev eth0 }
  forwarding direct
  service v4 {
    vip 192.0.2.20 dev eth0:1
    tcp 80
    server a 192.0.2.31
  }
  service marked6 {
    vip 2001:db8::20/64 dev eth0
    fwmark 9 { tcp 80 }
    persistence 60s prefix 64
    server b 2001:db8::31
  }
}
""",
}


def _keepalived_files(config: Config) -> list[Artifact]:
    return render(config, lower(config), [KEEPALIVED])


def _sample_configs() -> list[tuple[str, Config]]:
    loaded = [(p.name, load_file(p)[0]) for p in SAMPLES]
    loaded += [(name, load_text(text, f"{name}.lvs")[0]) for name, text in CORNERS.items()]
    for name, config in loaded:
        assert config is not None, name
    return loaded  # type: ignore[return-value]


CONFIGS = _sample_configs()


def _links(text: str) -> set[str]:
    """Every interface keepalived will look up: `interface X` and `dev X` (sync daemon too)."""
    words = re.findall(r'(?:interface|dev|lvs_sync_daemon) "([^"]+)"', text)
    return {w.split(":")[0] for w in words}


@pytest.fixture
def netns_with() -> Iterator:
    if os.geteuid() != 0 or shutil.which("keepalived") is None:
        unavailable("needs root, network namespaces and keepalived")
    made: list[str] = []

    def make(links: set[str]) -> str:
        name = f"lvscc-k-{secrets.token_hex(4)}"
        if subprocess.run(["ip", "netns", "add", name], capture_output=True).returncode != 0:
            unavailable("needs network namespaces: ip netns add failed")
        made.append(name)
        for i, link in enumerate(sorted(links)):
            # veth needs no kernel module beyond the host's; the peer stays in the namespace
            subprocess.run(["ip", "-n", name, "link", "add", link, "type", "veth", "peer", "name", f"peer{i}"],
                           check=True, capture_output=True)
        return name

    yield make
    for name in made:
        subprocess.run(["ip", "netns", "del", name], capture_output=True)


@pytest.mark.netns
@pytest.mark.parametrize("name,config", CONFIGS, ids=[n for n, _ in CONFIGS])
def test_keepalived_accepts_every_generated_file(name: str, config: Config, netns_with, tmp_path: Path) -> None:
    artifacts = _keepalived_files(config)
    assert artifacts, "a config with directors must produce keepalived.conf"
    for artifact in artifacts:
        path = tmp_path / f"{artifact.host}.conf"
        path.write_text(artifact.content)
        ns = netns_with(_links(artifact.content))
        done = subprocess.run(["ip", "netns", "exec", ns, "keepalived", "-t", "-f", str(path)],
                              capture_output=True, text=True, timeout=60)
        assert (done.returncode, done.stderr) == (0, ""), f"{name}/{artifact.host}:\n{done.stderr}\n{artifact.content}"


@pytest.mark.netns
def test_keepalived_check_catches_a_broken_file(netns_with, tmp_path: Path) -> None:
    """The test above can fail: the same run rejects a file keepalived cannot use."""
    text = _keepalived_files(CONFIGS[0][1])[0].content.replace("lvs_sched ", "lvs_sched bogus", 1)
    path = tmp_path / "bad.conf"
    path.write_text(text)
    ns = netns_with(_links(text))
    done = subprocess.run(["ip", "netns", "exec", ns, "keepalived", "-t", "-f", str(path)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode != 0 and "bogus" in done.stderr


def _corner(name: str, host: str = "primary") -> str:
    config = load_text(CORNERS[name], f"{name}.lvs")[0]
    assert config is not None
    return next(a.content for a in _keepalived_files(config) if a.host == host)


def test_primary_is_master_and_backup_is_backup() -> None:
    primary, backup = _corner("checks"), _corner("checks", "backup")
    assert "state MASTER" in primary and "priority 150" in primary
    assert "state BACKUP" in backup and "priority 100" in backup
    assert re.findall(r"virtual_router_id \d+", primary) == re.findall(r"virtual_router_id \d+", backup)
    assert primary.replace("MASTER", "BACKUP").replace("150", "100").replace("primary", "backup") == backup


def test_vrrp_carries_vips_and_nat_gateway_with_labels() -> None:
    text = _corner("checks")
    assert '192.0.2.10/24 dev "eth0" label "eth0:1"' in text
    assert '198.51.100.1/24 dev "eth1" label "eth1:1"' in text
    assert "advert_int 3" in text
    assert 'lvs_sync_daemon "eth1" "VI_corners" id 200' in text
    assert "lvs_timeouts tcp 3600\n" in text


def test_method_and_scheduler_are_always_explicit() -> None:
    for _, config in CONFIGS:
        for artifact in _keepalived_files(config):
            blocks = artifact.content.count("virtual_server ")
            assert artifact.content.count("lvs_sched ") == blocks
            assert artifact.content.count("  lvs_method ") >= blocks


def test_http_check_keeps_path_host_and_status() -> None:
    text = _corner("checks")
    assert 'path "/health?full=1"' in text
    assert 'virtualhost "shop.example"' in text
    assert "status_code 200" in text
    # nanny's timeout is its check interval and connect timeout; reentry is not a retry delay
    assert "connect_timeout 4" in text and "delay_loop 4" in text and "retry 0" in text
    assert "delay_before_retry" not in text and "delay_loop 20" not in text
    assert "`reentry 20s` (how long a recovered server must stay up)" in text
    assert "real_server 198.51.100.11 8080" in text and "uthreshold 100" in text and "lthreshold 10" in text
    assert "inhibit_on_failure" in text and "sorry_server 198.51.100.99 80" in text


def test_misc_check_substitutes_the_server_and_escapes() -> None:
    text = _corner("checks")
    assert r'misc_path "/usr/local/bin/check dns \042\044HOME\042 198.51.100.21#1"' in text


def test_regex_expect_and_fwmark_connect_port() -> None:
    text = _corner("checks")
    assert 'regex "ready.*now"' in text
    marks = text[text.index("virtual_server fwmark 7"):]
    assert "TCP_CHECK" in marks and "connect_port 443" in marks and "persistence_timeout 360" in marks
    assert "protocol" not in marks.split("real_server")[0]


def test_ipv6_fwmark_and_mixed_families() -> None:
    text = _corner("v6")
    assert "virtual_server fwmark 9 {\n  ip_family inet6" in text
    assert "virtual_ipaddress_excluded" in text
    assert "persistence_granularity 64" in text


def test_unsupported_names_what_keepalived_cannot_say() -> None:
    config = load_text(CORNERS["checks"].replace('expect "ready.*now"  regex', 'expect "ready"')
                       .replace('send-program "/usr/local/bin/check dns \\"$HOME\\" %h#1"',
                                'send "PING\\r\\n"  expect "+PONG"  load-monitor uptime'), "u.lvs")[0]
    assert config is not None
    codes = sorted(d.code for d in KEEPALIVED.unsupported(config))
    assert codes == ["LVS340", "LVS341", "LVS342"]


def test_unquotable_url_is_an_error() -> None:
    config = load_text(CORNERS["checks"].replace("/health?full=1", "/a$b"), "q.lvs")[0]
    assert config is not None
    found = [d for d in KEEPALIVED.unsupported(config) if d.severity == "error"]
    assert [d.code for d in found] == ["LVS344"] and "/a$b" in found[0].message


def test_layout_paths() -> None:
    config = CONFIGS[0][1]
    host = lower(config).hosts[0]
    assert output_path(KEEPALIVED, host, "keepalived.conf", "rhel") == f"{host.host}/etc/keepalived/keepalived.conf"
    assert output_path(KEEPALIVED, host, "keepalived.conf", "debian") == f"{host.host}/etc/keepalived/keepalived.conf"


@pytest.mark.netns
def test_keepalived_accepts_generated_configs(netns_with, tmp_path: Path) -> None:
    """The same proof for configs hypothesis draws (every scheduler, method, family, check)."""
    import sys

    from hypothesis import HealthCheck, given, settings

    sys.path.insert(0, str(REPO / "tests" / "roundtrip"))
    from strategies import config_text

    ns = netns_with({"eth0", "eth1"})

    @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
    @given(config_text())
    def accepted(text: str) -> None:
        config = load_text(text, "generated.lvs")[0]
        assert config is not None
        for artifact in _keepalived_files(config):
            path = tmp_path / "keepalived.conf"
            path.write_text(artifact.content)
            done = subprocess.run(["ip", "netns", "exec", ns, "keepalived", "-t", "-f", str(path)],
                                  capture_output=True, text=True, timeout=60)
            if "LVS346" in {d.code for d in KEEPALIVED.unsupported(config)}:
                # announced: all weights 0, so keepalived lowers its quorum, and says so
                lines = done.stderr.splitlines()
                assert lines and all(QUORUM_NOTICE.search(line) for line in lines), done.stderr
                continue
            assert (done.returncode, done.stderr) == (0, ""), f"{done.stderr}\n{artifact.content}"

    accepted()
