"""Each field lvscc hands to keepalived and to Piranha, checked against what the daemon does with
it (keepalived.conf(5); piranha's nanny.c and lvsconfig.c): a check's timeout and reentry, the
heartbeat defaults, the sorry server's port, retries, the sync daemon and the VRRP addresses by
family. Every file here also passes keepalived -t (tests/backends/test_keepalived.py runs the
same renderer over every sample)."""

from __future__ import annotations

import pytest

from lvscc.load import load_text
from lvscc.lower import lower
from lvscc.render import registry, render

CLUSTER = """
lvs maps {{
  director primary {{ public 192.0.2.2 dev eth0  private 198.51.100.2 dev eth1 }}
  director backup {{ public 192.0.2.3 dev eth0  private 198.51.100.3 dev eth1 }}
  {cluster}
  forwarding nat {{ gateway 198.51.100.1/24 dev eth1:1 }}
  service web {{
    vip 192.0.2.10/24 dev eth0:1
    tcp 80
    {service}
    server a 198.51.100.21
  }}
}}
"""


def _file(backend: str, cluster: str = "", service: str = "") -> str:
    config, found = load_text(CLUSTER.format(cluster=cluster, service=service), "maps.lvs")
    assert config is not None, found
    return next(a.content for a in render(config, lower(config), [registry()[backend]]) if a.host == "primary")


def test_default_reentry_is_not_keepalived_check_interval() -> None:
    """reentry 180 s is how long a recovered server must stay up; delay_loop 180 would check
    every three minutes. nanny checks every `timeout` seconds (its -t), default 10."""
    text = _file("keepalived", service='check { send "GET / HTTP/1.0\\r\\n\\r\\n"  expect "HTTP" }')
    assert "delay_loop 10\n" in text and "delay_loop 180" not in text
    assert "connect_timeout 10\n" in text
    assert "`reentry 180s`" in text and "no keepalived equivalent" in text


def test_one_failed_check_takes_a_server_out_as_nanny_does() -> None:
    text = _file("keepalived", service='check { timeout 3s }')
    assert "retry 0\n" in text and "delay_before_retry" not in text


def test_inhibit_on_failure_is_quiesce() -> None:
    assert "inhibit_on_failure" in _file("keepalived", service="check { timeout 3s }\n quiesce")
    assert "inhibit_on_failure" not in _file("keepalived", service="check { timeout 3s }")
    assert "quiesce_server = 1" in _file("piranha", service="check { timeout 3s }\n quiesce")


@pytest.mark.parametrize(("written", "keepalived"), [
    ("sorry-server 198.51.100.99", "sorry_server 198.51.100.99 80\n"),
    ("sorry-server 198.51.100.99:8080", "sorry_server 198.51.100.99 8080\n"),
])
def test_sorry_server_takes_a_port(written: str, keepalived: str) -> None:
    assert keepalived in _file("keepalived", service=written)
    assert "sorry_server = 198.51.100.99\n" in _file("piranha", service=written)


def test_piranha_says_it_drops_the_sorry_server_port() -> None:
    config, _ = load_text(CLUSTER.format(cluster="", service="sorry-server 198.51.100.99:8080"), "m.lvs")
    assert config is not None
    found = registry()["piranha"].unsupported(config)
    assert [d.code for d in found] == ["LVS356"] and "sorry server's port" in found[0].message


def test_heartbeat_defaults_when_no_block() -> None:
    """Documented defaults (docs/language.md, Piranha's lvsconfig.c): 539, 2 s, 5 s."""
    text = _file("piranha")
    assert "heartbeat = 1\nheartbeat_port = 539\nkeepalive = 2\ndeadtime = 5\n" in text
    assert "advert_int 2\n" in _file("keepalived")
    declared = _file("piranha", cluster="heartbeat { port 600  interval 6s  dead-after 18s }")
    assert "heartbeat_port = 600\nkeepalive = 6\ndeadtime = 18\n" in declared


def test_piranha_check_timeout_and_reentry_are_its_own() -> None:
    text = _file("piranha", service="check { timeout 4s  reentry 30s }")
    assert "\ttimeout = 4\n\treentry = 30\n" in text


def test_sync_daemon_in_both_daemons() -> None:
    cluster = "sync-daemon { interface eth1  id 12 }"
    assert 'lvs_sync_daemon "eth1" "VI_maps" id 12\n' in _file("keepalived", cluster=cluster)
    assert "syncdaemon = 1\nsyncd_iface = eth1\nsyncd_id = 12\n" in _file("piranha", cluster=cluster)


def test_vrrp_addresses_split_by_family() -> None:
    """One VRRP instance speaks one family: the other family's VIPs are virtual_ipaddress_excluded."""
    config, _ = load_text(CLUSTER.format(cluster="", service="").replace(
        "  service web {", "  service web6 {\n    vip 2001:db8::10/64 dev eth0:2\n    tcp 80\n"
        "    server b 2001:db8:1::21\n  }\n  service web {"), "fam.lvs")
    assert config is not None
    text = next(a.content for a in render(config, lower(config), [registry()["keepalived"]]) if a.host == "primary")
    included = text[text.index("virtual_ipaddress {"):text.index("virtual_ipaddress_excluded")]
    excluded = text[text.index("virtual_ipaddress_excluded"):]
    assert "192.0.2.10/24" in included and "198.51.100.1/24" in included and "2001:db8" not in included
    assert '2001:db8::10/64 dev "eth0" label "eth0:2"' in excluded.split("}")[0]


def test_sorry_server_port_survives_fmt() -> None:
    from lvscc.fmt import format_config

    config, _ = load_text(CLUSTER.format(cluster="", service="sorry-server 198.51.100.99:8080"), "f.lvs")
    assert config is not None
    assert "sorry-server 198.51.100.99:8080\n" in format_config(config)
    again, _ = load_text(format_config(config), "g.lvs")
    assert again is not None and again.services[0].sorry_port == 8080


def test_what_has_no_equivalent_is_said_in_the_file() -> None:
    keepalived = _file("keepalived", cluster="heartbeat { interval 2s  dead-after 10s  monitor-links }")
    assert "# VRRP declares the master dead after 3 adverts (6s); no keepalived equivalent: " \
           "dead-after 10s, monitor-links\n" in keepalived
    assert "no keepalived equivalent" not in _file("keepalived", cluster="heartbeat { interval 2s  dead-after 6s }")
    piranha = _file("piranha", service="sorry-server 198.51.100.99:8080")
    assert "\t# lvs.cf cannot say the sorry server's port\n" in piranha
