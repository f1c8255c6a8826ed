"""Importer details the case files do not pin down: value syntax, naming, merging, and the
`lvscc import` command's output and exit codes."""

from __future__ import annotations

from pathlib import Path

import pytest

from lvscc.cli import main
from lvscc.importers.common import lvs_name
from lvscc.importers.keepalived import _escaped, import_keepalived
from lvscc.importers.piranha import import_piranha

CASES = Path(__file__).resolve().parent / "cases"


def _codes(found: list) -> list[str]:
    return [d.code for d in found]


def test_piranha_numbers_ports_and_escapes() -> None:
    config, found = import_piranha(
        "primary = 192.0.2.2\nnetwork = direct\nkeepalive = 010\nheartbeat = 1\n"
        "virtual web-01.example {\n active = 1\n address = 192.0.2.10 eth0:1\n port = 0x50\n"
        " send = 'GET / HTTP/1.0\\r\\n\\r\\n'\n expect = \"a\\\\b\\'\"\n}\n", "x.cf")
    assert config is not None
    assert config.heartbeat is not None and config.heartbeat.interval == 8  # strtol: leading 0 is octal
    service = config.services[0]
    assert (service.name, service.port) == ("web-01-example", 80)
    assert service.check is not None and service.check.expect == "a\\b'"
    assert service.check.send == "GET / HTTP/1.0\r\n\r\n"
    assert _codes(found) == ["LVS503"]


def test_piranha_booleans_are_strict() -> None:
    _, found = import_piranha("primary = 192.0.2.2\nheartbeat = yes\nbackup_active = 2\n", "x.cf")
    assert _codes(found) == ["LVS502", "LVS502"]


def test_piranha_shared_fwmark_conflict_is_reported() -> None:
    text = (CASES / "dr-fwmark.lvs.cf").read_text().replace("persistent = 600\n\tscheduler = wlc\n\tprotocol = tcp\n"
                                                            "\tsend_program", "persistent = 60\n\tscheduler = wlc\n"
                                                            "\tprotocol = tcp\n\tsend_program", 1)
    text = text.replace("port = 443\n\tpersistent = 600", "port = 443\n\tpersistent = 900")
    _, found = import_piranha(text, "x.cf")
    conflict = [d for d in found if d.code == "LVS505"]
    assert len(conflict) == 1 and "persistence" in conflict[0].message


def test_keepalived_escapes_decode_like_keepalived() -> None:
    assert _escaped(r'"a\044b \042q\042 \x41\cA \\ \t"') == 'a$b "q" A\x01 \\ \t'
    assert _escaped("plain") == "plain"


def test_keepalived_group_ranges_and_defaults() -> None:
    text = """
virtual_server_group G {
  192.0.2.10-12 443
  2001:db8::5 443
}
virtual_server group G {
  lb_kind DR
  real_server 192.0.2.21 443 {
  }
}
virtual_server 192.0.2.50 53 {
  persistence_timeout
}
"""
    config, found = import_keepalived(text, "k.conf")
    assert config is not None
    names = [s.name for s in config.services]
    assert names == ["svc-udp-192-0-2-10-443", "svc-udp-192-0-2-11-443", "svc-udp-192-0-2-12-443",
                     "svc-udp-2001-db8--5-443", "svc-udp-192-0-2-50-53"]
    last = config.services[-1]
    assert last.persistence == 360 and last.forwarding.method.value == "nat"  # keepalived's defaults
    assert _codes(found).count("LVS504") >= 5  # no protocol -> UDP, VIPs without a VRRP device


def test_keepalived_misc_path_gets_percent_h_back() -> None:
    config, _ = import_keepalived(
        'virtual_server 192.0.2.10 80 {\n protocol TCP\n real_server 192.0.2.21 80 {\n  MISC_CHECK {\n'
        '   misc_path "/bin/chk 192.0.2.21 --port=80"\n  }\n }\n}\n', "k.conf")
    assert config is not None and config.services[0].check is not None
    assert config.services[0].check.send_program == "/bin/chk %h --port=80"


def test_lvs_names() -> None:
    assert [lvs_name(n) for n in ("web", "1st", "a.b c", "")] == ["web", "_1st", "a-b-c", "_"]


# ---- the command ------------------------------------------------------------------------------

def test_import_to_stdout_clean_exit(capsys: pytest.CaptureFixture[str]) -> None:
    path = CASES / "guide-nat.lvs.cf"
    assert main(["import", "--from", "piranha", str(path)]) == 0  # only LVS506 notes
    out, err = capsys.readouterr()
    assert out == (CASES / "guide-nat.lvs.cf.lvs").read_text()
    assert "LVS506" in err and "serial_no" in err


def test_import_exits_0_when_read_in_full_and_1_when_something_is_not_translated(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "cluster.lvs"
    conf = str(CASES / "guide-nat.keepalived.conf")
    assert main(["import", "--from", "keepalived", conf, "-o", str(out)]) == 0
    _, err = capsys.readouterr()
    assert "guide-nat.keepalived.conf:18:5" in err and "authentication" in err
    assert out.read_text() == (CASES / "guide-nat.keepalived.conf.lvs").read_text()
    assert main(["import", "--from", "keepalived", conf, "--fail-on", "warning", "-o", str(out)]) == 1
    bad = tmp_path / "bad.conf"
    bad.write_text((CASES / "guide-nat.keepalived.conf").read_text().replace("interface eth0", 'interface "eth0 x"'))
    assert main(["import", "--from", "keepalived", str(bad), "-o", str(out)]) == 1
    assert "LVS507" in capsys.readouterr().err


def test_import_unreadable_input_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["import", "--from", "ipvsadm", str(tmp_path / "missing")]) == 2
    assert main(["import", "--from", "piranha", str(CASES / "badquote.lvs.cf")]) == 2
    assert "LVS500" in capsys.readouterr().err


def test_import_names_every_keyword_it_drops() -> None:
    """Nothing silently: each line of the fos block and every unknown keyword has a finding."""
    text = "service = lvs\nfrobnicate = 1\nvirtual v {\n active = 1\n address = 192.0.2.1 eth0\n colour = blue\n}\n"
    _, found = import_piranha(text, "x.cf")
    assert [(d.span.line, d.code) for d in found] == [(2, "LVS501"), (6, "LVS501")]


def test_keepalived_ipv6_fwmark_without_a_vip_stays_ipv6() -> None:
    """A firewall-mark virtual_server has no address: keepalived takes its family from its real
    servers, and so must the table lvscc writes (`ipvsadm -A -f 1 -6`, not an IPv4 mark 1)."""
    from lvscc.fmt import format_config
    from lvscc.load import load_text
    from lvscc.lower import lower
    from lvscc.render import registry, render

    text = ("virtual_server fwmark 1 {\n  lb_algo rr\n  lb_kind DR\n"
            "  real_server 2001:db8::2 0 {\n    weight 2\n  }\n}\n")
    imported, _ = import_keepalived(text, "v6mark.conf")
    assert imported is not None
    config, found = load_text(format_config(imported), "v6mark.lvs")
    assert config is not None, found
    rules = render(config, lower(config), [registry()["ipvsadm"]])[0].content
    assert "-A -f 1 -6 -s rr\n" in rules
    assert "-a -f 1 -6 -r [2001:db8::2]:0 -g -w 2\n" in rules
