"""`sorry-server ADDR[:PORT] inhibit` (keepalived's sorry_server_inhibit, docs/language.md "A
backup-only server"): the sorry server stays in the IPVS table at weight 0, with the service's
forwarding, while the real servers are up. Checked here from the statement to each artifact: the
table ipvsadm-restore loads, keepalived.conf (keepalived -t), lvs.cf's warning, fmt, and the
plan that repairs a table missing it. keepalived's own table for the same keyword is compared in
the VM (tests/kernel/test_keepalived_oracle.py)."""

from __future__ import annotations

import subprocess
from dataclasses import replace
from pathlib import Path

import pytest

from lvscc.audit import diff, scope_for
from lvscc.fmt import format_config
from lvscc.load import load_text
from lvscc.lower import lower
from lvscc.model.config import AuditPolicy, Config
from lvscc.plan import plan
from lvscc.render import registry, render

from test_keepalived import _links, netns_with  # noqa: F401 - the fixture keepalived -t runs in

CLUSTER = """
lvs sorry {{
  director primary {{ public 192.0.2.2 dev eth0  private 198.51.100.2 dev eth1 }}
  forwarding {method}
  service web {{
    {listen}
    {sorry}
    server a 198.51.100.21
    server b 198.51.100.22 weight 3
  }}
}}
"""
NAT = "nat { gateway 198.51.100.1/24 dev eth1:1 }"
HTTP = "vip 192.0.2.10/24 dev eth0:1\n    tcp 80"
MARKED = "vip 192.0.2.10/24 dev eth0:1\n    fwmark 7 { tcp 80, 443 }"


def _config(sorry: str, method: str = NAT, listen: str = HTTP) -> Config:
    config, found = load_text(CLUSTER.format(sorry=sorry, method=method, listen=listen), "sorry.lvs")
    assert config is not None, found
    assert [d for d in found if d.severity == "error"] == []
    return config


def _file(config: Config, backend: str) -> str:
    return next(a.content for a in render(config, lower(config), [registry()[backend]]) if a.host == "primary")


def _table(config: Config) -> list[str]:
    return [line for line in _file(config, "ipvsadm").splitlines() if line.startswith("-a ")]


def test_inhibit_keeps_the_sorry_server_in_the_table_at_weight_0() -> None:
    assert _table(_config("sorry-server 198.51.100.99 inhibit")) == [
        "-a -t 192.0.2.10:80 -r 198.51.100.21:80 -m -w 1",
        "-a -t 192.0.2.10:80 -r 198.51.100.22:80 -m -w 3",
        "-a -t 192.0.2.10:80 -r 198.51.100.99:80 -m -w 0",
    ]
    assert _table(_config("sorry-server 198.51.100.99:8080 inhibit"))[-1] == "-a -t 192.0.2.10:80 -r 198.51.100.99:8080 -m -w 0"


def test_without_inhibit_the_sorry_server_stays_out_of_the_table() -> None:
    assert "198.51.100.99" not in _file(_config("sorry-server 198.51.100.99"), "ipvsadm")


@pytest.mark.parametrize(("method", "options"), [("direct", "-g -w 0"), ("tunnel", "-i -w 0 --tun-type ipip")])
def test_the_sorry_server_takes_the_services_forwarding(method: str, options: str) -> None:
    """keepalived gives the sorry server the virtual server's lb_kind; direct routing and
    tunnelling keep the virtual port whatever port the sorry server names (ipvsadm's rule)."""
    table = _table(_config("sorry-server 198.51.100.99:8080 inhibit", method=method))
    assert table[-1] == f"-a -t 192.0.2.10:80 -r 198.51.100.99:80 {options}"


def test_firewall_mark_service_sorry_server_has_no_port_unless_nat_names_one() -> None:
    assert _table(_config("sorry-server 198.51.100.99 inhibit", listen=MARKED))[-1] == "-a -f 7 -r 198.51.100.99:0 -m -w 0"
    named = _config("sorry-server 198.51.100.99:8080 inhibit", listen=MARKED)
    assert _table(named)[-1] == "-a -f 7 -r 198.51.100.99:8080 -m -w 0"


def test_a_sorry_server_that_is_a_real_server_is_in_the_table_once() -> None:
    """keepalived adds it once (s_svr_duplicates_rs); a second add would be refused (EEXIST)."""
    table = _table(_config("sorry-server 198.51.100.22 inhibit"))
    assert table == ["-a -t 192.0.2.10:80 -r 198.51.100.21:80 -m -w 1", "-a -t 192.0.2.10:80 -r 198.51.100.22:80 -m -w 3"]


def test_keepalived_writes_sorry_server_inhibit_and_not_a_real_server() -> None:
    text = _file(_config("sorry-server 198.51.100.99 inhibit"), "keepalived")
    assert "  sorry_server 198.51.100.99 80\n  sorry_server_inhibit\n" in text
    assert "real_server 198.51.100.99" not in text and text.count("real_server ") == 2
    assert "sorry_server_inhibit" not in _file(_config("sorry-server 198.51.100.99"), "keepalived")


def test_keepalived_method_is_the_services_when_a_sorry_server_is_inhibited() -> None:
    """keepalived gives the sorry server the virtual server's lvs_method: that line says the
    service's method, and a server that forwards otherwise says its own (found by
    tests/roundtrip: a direct service whose one server uses NAT)."""
    config, _ = load_text(CLUSTER.format(sorry="sorry-server 198.51.100.99 inhibit", method="direct", listen=HTTP)
                          .replace("server a 198.51.100.21", "server a 198.51.100.21 nat"), "m.lvs")
    assert config is not None
    text = _file(config, "keepalived")
    assert "  lvs_method DR\n" in text
    assert "real_server 198.51.100.21 80 {\n    weight 1\n    lvs_method NAT\n" in text
    assert "real_server 198.51.100.22 80 {\n    weight 3\n  }" in text


@pytest.mark.netns
def test_keepalived_accepts_sorry_server_inhibit(netns_with, tmp_path: Path) -> None:  # noqa: F811
    text = _file(_config("sorry-server 198.51.100.99 inhibit"), "keepalived")
    path = tmp_path / "keepalived.conf"
    path.write_text(text)
    done = subprocess.run(["ip", "netns", "exec", netns_with(_links(text)), "keepalived", "-t", "-f", str(path)],
                          capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stderr) == (0, ""), done.stderr


def test_piranha_warns_that_lvs_cf_cannot_say_inhibit() -> None:
    config = _config("sorry-server 198.51.100.99 inhibit")
    found = registry()["piranha"].unsupported(config)
    assert [d.code for d in found] == ["LVS356"] and "weight 0 (`inhibit`)" in found[0].message
    text = _file(config, "piranha")
    assert "sorry_server = 198.51.100.99\n" in text and "# lvs.cf cannot say a sorry server kept in the table" in text
    assert registry()["piranha"].unsupported(_config("sorry-server 198.51.100.99")) == []


def test_inhibit_survives_fmt() -> None:
    config = _config("sorry-server 198.51.100.99:8080 inhibit")
    text = format_config(config)
    assert "    sorry-server 198.51.100.99:8080 inhibit\n" in text
    again, _ = load_text(text, "again.lvs")
    assert again is not None and again.services[0].sorry_inhibit and again.services[0].sorry_port == 8080
    assert " inhibit" not in format_config(_config("sorry-server 198.51.100.99"))


def test_inhibit_without_an_address_is_a_parse_error() -> None:
    config, found = load_text(CLUSTER.format(sorry="sorry-server inhibit", method=NAT, listen=HTTP), "bad.lvs")
    assert config is None and [d.code for d in found] == ["LVS001"] and found[0].span.line == 8


def test_plan_adds_a_missing_sorry_server_at_weight_0() -> None:
    config = _config("sorry-server 198.51.100.99 inhibit")
    want = lower(config).host("primary")
    web = want.ipvs[0]
    have = replace(want, ipvs=(replace(web, dests=web.dests[:-1]),))
    policy = AuditPolicy()
    drifts = diff(want, have, policy, scope_for(want, policy))
    assert [(d.kind, d.object) for d in drifts] == [("missing", "dest 198.51.100.99:80 of tcp 192.0.2.10:80")]
    assert [" ".join(c.argv) for c in plan(drifts)] == ["ipvsadm -a -t 192.0.2.10:80 -r 198.51.100.99:80 -m -w 0"]
    assert diff(want, want, policy, scope_for(want, policy)) == []
