"""keepalived's `sorry_server_inhibit` imports as `sorry-server ADDR inhibit` (docs/language.md);
an ipvsadm-save weight-0 destination stays a real server: a dump cannot tell a sorry server from a
quiesced one, so the importer does not guess."""

from __future__ import annotations

from lvscc.fmt import format_config
from lvscc.importers.ipvsadm import import_ipvsadm
from lvscc.importers.keepalived import import_keepalived
from lvscc.load import load_text

KEEPALIVED = """
virtual_server 192.0.2.10 80 {
    lb_algo rr
    lb_kind NAT
    protocol TCP
    sorry_server 198.51.100.254 80
%s
    real_server 198.51.100.21 80 {
        weight 1
    }
}
"""


def test_sorry_server_inhibit_is_translated() -> None:
    config, found = import_keepalived(KEEPALIVED % "    sorry_server_inhibit", "k.conf")
    assert config is not None
    assert not [d for d in found if d.code == "LVS501"], found
    service = config.services[0]
    assert (service.sorry_server.compressed, service.sorry_inhibit) == ("198.51.100.254", True)
    text = format_config(config)
    assert "sorry-server 198.51.100.254 inhibit\n" in text
    loaded, _ = load_text(text, "imported.lvs")
    assert loaded is not None and loaded.services[0].sorry_inhibit


def test_without_the_keyword_the_sorry_server_is_not_inhibited() -> None:
    config, _ = import_keepalived(KEEPALIVED % "", "k.conf")
    assert config is not None and not config.services[0].sorry_inhibit
    assert " inhibit" not in format_config(config)


def test_sorry_server_inhibit_without_a_sorry_server_says_nothing() -> None:
    """keepalived has nothing to keep in the table; neither has lvscc."""
    text = KEEPALIVED.replace("    sorry_server 198.51.100.254 80\n", "") % "    sorry_server_inhibit"
    config, found = import_keepalived(text, "k.conf")
    assert config is not None and [d.code for d in found] == ["LVS504"]  # the VIP's device, as without it
    assert config.services[0].sorry_server is None and not config.services[0].sorry_inhibit


def test_ipvsadm_weight_0_destination_stays_a_real_server() -> None:
    dump = ("-A -t 192.0.2.10:80 -s rr\n-a -t 192.0.2.10:80 -r 198.51.100.21:80 -m -w 1\n"
            "-a -t 192.0.2.10:80 -r 198.51.100.254:80 -m -w 0\n")
    config, _ = import_ipvsadm(dump, "save")
    assert config is not None
    service = config.services[0]
    assert service.sorry_server is None and not service.sorry_inhibit
    assert [(s.address.compressed, s.weight) for s in service.servers] == [("198.51.100.21", 1), ("198.51.100.254", 0)]


def test_firewall_mark_sorry_server_keeps_its_port() -> None:
    """A firewall-mark service has no port of its own: keepalived sends sorry traffic to the port
    the sorry server names (configs_notify2: -r 192.168.0.254:80 -m -w 0 under -f 10)."""
    text = KEEPALIVED.replace("192.0.2.10 80", "fwmark 10").replace("    protocol TCP\n", "")
    config, found = import_keepalived(text % "    sorry_server_inhibit", "k.conf")
    assert config is not None and not [d for d in found if d.code == "LVS501"], found
    assert (config.services[0].sorry_port, config.services[0].sorry_inhibit) == (80, True)


def test_a_second_blocks_inhibited_sorry_server_is_a_server_at_weight_0() -> None:
    """The same virtual server twice (configs_notify1): keepalived keeps both blocks' inhibited
    sorry servers in the one kernel service at weight 0."""
    second = (KEEPALIVED % "    sorry_server_inhibit").replace("198.51.100.254", "198.51.100.253").replace(
        "198.51.100.21", "198.51.100.22")
    config, found = import_keepalived(KEEPALIVED % "    sorry_server_inhibit" + second, "k.conf")
    assert config is not None
    service = config.services[0]
    assert service.sorry_server.compressed == "198.51.100.254" and service.sorry_inhibit
    assert [(s.address.compressed, s.weight) for s in service.servers] == [
        ("198.51.100.21", 1), ("198.51.100.22", 1), ("198.51.100.253", 0)]
    assert any(d.code == "LVS505" and "198.51.100.253" in d.message for d in found), found
    again, _ = import_keepalived(KEEPALIVED % "    sorry_server_inhibit" + KEEPALIVED % "    sorry_server_inhibit", "k.conf")
    assert again is not None and [s.weight for s in again.services[0].servers] == [1]
