"""The piranha backend: lvs.cf in the form lvsconfig.c reads, the same on both routers, and
`unsupported` naming every limit of the format (V28) with its own code."""

from __future__ import annotations

from pathlib import Path

import pytest

from lvscc.importers.piranha import import_piranha
from lvscc.load import load_file, load_text
from lvscc.lower import lower
from lvscc.model.config import Config
from lvscc.render import output_path, registry, render

REPO = Path(__file__).resolve().parents[2]
PIRANHA = registry()["piranha"]

BASE = """
lvs base {{
  director primary {{ public 192.0.2.2 dev eth0 }}
  director backup {{ public 192.0.2.3 dev eth0 }}
  {cluster}
  service web {{
    vip 192.0.2.10 dev eth0:1
    {service}
    server a 192.0.2.21 {server}
  }}
}}
"""


def _config(cluster: str = "", service: str = "tcp 80", server: str = "") -> Config:
    config, found = load_text(BASE.format(cluster=cluster, service=service, server=server), "base.lvs")
    assert config is not None, found
    return config


def _lvs_cf(config: Config) -> list[str]:
    return [a.content for a in render(config, lower(config), [PIRANHA])]


def test_guide_nat_lvs_cf() -> None:
    config = load_file(REPO / "samples" / "guide-nat.lvs")[0]
    assert config is not None
    primary, backup = _lvs_cf(config)
    assert primary == backup, "pulse expects the same lvs.cf on both routers"
    for line in ("service = lvs", "primary = 192.168.26.9", "primary_private = 10.11.12.9", "backup_active = 1",
                 "heartbeat = 1", "keepalive = 6", "deadtime = 18", "network = nat",
                 "nat_router = 10.11.12.10 eth1:1", "nat_nmask = 255.255.255.0", "tcp_timeout = 900",
                 "\taddress = 192.168.26.10 eth0:1", "\tpersistent = 300", "\tpmask = 255.255.255.0",
                 '\tsend = "GET / HTTP/1.0\\r\\n\\r\\n"', '\texpect = "HTTP"', "\tquiesce_server = 1",
                 "\ttimeout = 6", "\treentry = 15", "\tserver web2 {", "\t\tweight = 2", "\t\tactive = 1"):
        assert line + "\n" in primary, line
    assert PIRANHA.unsupported(config) == []


def test_rendered_file_reads_back_through_lvsconfig_rules() -> None:
    config = load_file(REPO / "samples" / "guide-nat.lvs")[0]
    assert config is not None
    imported, found = import_piranha(_lvs_cf(config)[0], "lvs.cf")
    assert imported is not None and [d for d in found if d.severity != "info"] == []
    assert [s.name for s in imported.services] == ["http"]
    check = imported.services[0].check
    assert check is not None
    assert (check.send, check.expect, check.timeout, check.reentry) == ("GET / HTTP/1.0\r\n\r\n", "HTTP", 6, 15)


def test_booleans_are_zero_or_one_and_inactive_is_written() -> None:
    text = _lvs_cf(_config(service="tcp 80\n disabled", server="inactive"))[0]
    assert "\tactive = 0\n" in text and "\t\tactive = 0\n" in text
    assert "syncdaemon = 0\n" in text and "monitor_links = 0\n" in text


@pytest.mark.parametrize("code,cluster,service,server", [
    ("LVS350", "", "tcp 80", "nat"),
    ("LVS351", "", "tcp 80\n scheduler sed", ""),
    ("LVS352", "", "tcp 80", ""),
    ("LVS353", "", 'tcp 80\n check { send "' + "x" * 256 + '" }', ""),
    ("LVS353", "", 'tcp 80\n check { expect "say \\"hi\\"" }', ""),
    ("LVS354", "", "tcp 80", ""),
    ("LVS355", "", "sctp 80", ""),
    ("LVS356", "", "udp 53\n one-packet", ""),
    ("LVS356", "", "tcp 80", "upper 10 lower 5"),
    ("LVS357", "forwarding tunnel { type gue port 6080 }", "tcp 80", ""),
])
def test_each_limit_has_its_diagnostic(code: str, cluster: str, service: str, server: str) -> None:
    text = BASE.format(cluster=cluster, service=service, server=server)
    if code == "LVS352":
        text = text.replace(" dev eth0:1", "")
    if code == "LVS354":
        text = text.replace("192.0.2.21", "2001:db8::21")
    config, found = load_text(text, "limit.lvs")
    assert config is not None, found
    codes = [d.code for d in PIRANHA.unsupported(config)]
    assert codes == [code], codes


def test_a_config_within_the_limits_has_no_diagnostic() -> None:
    assert PIRANHA.unsupported(_config(service="udp 53\n scheduler lblcr\n persistence 60s")) == []


def test_fwmark_port_is_the_first_marked_port() -> None:
    config = _config(service="fwmark 80 { tcp 80, 443 }\n persistence 300s")
    text = _lvs_cf(config)[0]
    assert "\tfwmark = 80\n\tport = 80\n\tprotocol = tcp\n" in text
    assert [d.code for d in PIRANHA.unsupported(config)] == ["LVS356"]


@pytest.mark.parametrize("server", ["", "port 8080"])
def test_a_server_of_a_fwmark_virtual_states_no_port(server: str) -> None:
    """nanny checks a server's `port` and lvsd adds the server without it: written, it would
    move the check off the virtual's port (to 0, or to a port the forwarding ignores)."""
    text = _lvs_cf(_config(service="fwmark 80 { tcp 80, 443 }\n persistence 300s", server=server))[0]
    block = text[text.index("\tserver a {"):]
    assert "port" not in block.split("}", 1)[0]


def test_a_server_of_a_port_virtual_states_a_port_of_its_own() -> None:
    text = _lvs_cf(_config(server="port 8080"))[0]
    assert "\t\tport = 8080\n" in text


def test_layout_paths() -> None:
    config = _config()
    host = lower(config).hosts[0]
    assert output_path(PIRANHA, host, "lvs.cf", "rhel") == f"{host.host}/etc/sysconfig/ha/lvs.cf"
