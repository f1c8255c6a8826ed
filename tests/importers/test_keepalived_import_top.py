"""The top of keepalived.conf as the importer dispatches it: a virtual_server_group is read
before the virtual servers that use it, wherever the operator wrote it; a block lvscc does not
translate is named with what lvscc does translate (LVS501)."""

from __future__ import annotations

import pytest

from lvscc.importers.keepalived import import_keepalived

GROUP_AFTER_ITS_USER = """virtual_server group WEB {
  lvs_sched rr
  lvs_method DR
  protocol TCP
  real_server 198.51.100.21 80 {
  }
}
virtual_server_group WEB {
  192.0.2.10-11 80
}
vrrp_script chk {
  script "/bin/true"
}
"""


def test_a_group_written_after_its_virtual_server_still_expands_it() -> None:
    config, _ = import_keepalived(GROUP_AFTER_ITS_USER, "group.conf")
    assert config is not None
    assert [(s.name, s.port, s.forwarding.method.value, [str(r.address) for r in s.servers])
            for s in config.services] == [
        ("svc-tcp-192-0-2-10-80", 80, "direct", ["198.51.100.21"]),
        ("svc-tcp-192-0-2-11-80", 80, "direct", ["198.51.100.21"]),
    ]


def test_a_block_lvscc_does_not_translate_is_named_at_its_line() -> None:
    _, notes = import_keepalived(GROUP_AFTER_ITS_USER, "group.conf")
    assert [(d.code, d.message, d.span.line) for d in notes if d.code == "LVS501"] == [
        ("LVS501", "`vrrp_script` not translated: lvscc translates global_defs, vrrp_instance and the LVS blocks", 11)]


def service(address: str, port: int, method: str, server: str) -> str:
    return (f"virtual_server {address} {port} {{\n  lvs_method {method}\n  protocol TCP\n"
            f"  real_server {server} {port} {{\n  }}\n}}\n")


@pytest.mark.parametrize(("methods", "cluster"), [
    (("NAT", "NAT", "DR"), ("nat", True)),
    (("DR", "DR", "NAT"), ("direct", False)),
])
def test_nat_real_servers_route_back_elsewhere_when_the_file_names_no_gateway(
        methods: tuple[str, str, str], cluster: tuple[str, bool]) -> None:
    """keepalived.conf never says how NAT real servers route back: `gateway external`, for the
    cluster's NAT and for a NAT service in a DR cluster; DR stays as it is."""
    text = "".join(service(address, port, method, "198.51.100.21" if method == "NAT" else "192.0.2.21")
                   for (address, port), method in zip([("192.0.2.10", 80), ("192.0.2.10", 443), ("192.0.2.11", 80)],
                                                      methods))
    config, _ = import_keepalived(text, "route.conf")
    assert config is not None
    assert (config.forwarding.method.value, config.forwarding.gateway_external) == cluster
    assert [(s.forwarding.method.value, s.forwarding.gateway_external) for s in config.services] == [
        ({"NAT": "nat", "DR": "direct"}[method], method == "NAT") for method in methods]


def test_a_floating_address_in_the_real_servers_network_is_the_gateway_not_external() -> None:
    vrrp = ("vrrp_instance VI_1 {\n  state MASTER\n  interface eth0\n  virtual_router_id 51\n  priority 100\n"
            "  virtual_ipaddress {\n    192.0.2.10/24 dev eth0\n    198.51.100.1/24 dev eth1\n  }\n}\n")
    config, _ = import_keepalived(vrrp + service("192.0.2.10", 80, "NAT", "198.51.100.21"), "gw.conf")
    assert config is not None
    forwarding = config.forwarding
    assert (str(forwarding.gateway), forwarding.gateway_dev, forwarding.gateway_external) == (
        "198.51.100.1/24", "eth1", False)
    assert config.services[0].forwarding == forwarding


def test_the_config_id_chooses_the_conditional_lines() -> None:
    text = "@lab $PORT=8080\n@^lab $PORT=80\n" + service("192.0.2.10", 80, "DR", "192.0.2.21").replace(
        "192.0.2.10 80", "192.0.2.10 $PORT")
    ports = {config_id: [s.port for s in config.services] for config_id in (None, "lab", "prod")
             for config, _ in [import_keepalived(text, "id.conf", config_id)] if config is not None}
    assert ports == {None: [80], "lab": [8080], "prod": [80]}
