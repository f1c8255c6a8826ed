"""Files read the way their daemons read them: keepalived's preprocessor (parameters,
conditional lines, sequences, includes, comments, lenient bytes) with positions mapped back to
the original file, keepalived's own fixes (a DR port remap reset, persistence_timeout 0), one
director per keepalived.conf and a pair of files as one cluster, and ipvsadm-save without -n."""

from __future__ import annotations

from pathlib import Path

import pytest

from lvscc.cli import main
from lvscc.fmt import format_config
from lvscc.importers import import_files
from lvscc.importers.ipvsadm import import_ipvsadm
from lvscc.importers.keepalived import import_keepalived
from lvscc.importers.keepalived.preprocess import seq_bounds
from lvscc.load import load_text
from lvscc.importers.piranha import import_piranha
from lvscc.rules import check

PREPROCESSED = r"""$IF=eth0
$RS= \
    real_server 192.0.2.${N} 80 { \
        weight 2 \
    }
@lab vrrp_instance VI_LAB {
@^lab vrrp_instance VI_1 {
    state MASTER
    interface $IF   # the public side
    virtual_router_id 51 ! a comment too
    virtual_ipaddress {
        192.0.2.10/24 dev ${IF} label eth0:1
    }
}
virtual_server 192.0.2.10 80 {
    lb_algo rr
    lb_kind DR
    protocol TCP
    delay_before_retry 3#retry
    ~SEQ(N, 21, 23) $RS
}
"""


def test_keepalived_preprocessor_as_keepalived_reads_it() -> None:
    config, notes = import_keepalived(PREPROCESSED, "pre.conf")
    assert config is not None, notes
    assert [d for d in notes if d.severity.value == "error"] == []
    director = config.directors[0]
    assert (director.role, director.public_dev) == ("primary", "eth0")
    service = config.services[0]
    assert service.vip_dev == "eth0:1"
    assert [str(s.address) for s in service.servers] == ["192.0.2.21", "192.0.2.22", "192.0.2.23"]
    assert {s.weight for s in service.servers} == {2}
    # a finding on an expanded line points at the line the text was written on
    vrrp_id = next(d for d in notes if "virtual_router_id" in d.message)
    assert vrrp_id.span.line == 10
    assert load_text(format_config(config), "pre.lvs")[1] == []


def test_config_id_selects_the_conditional_lines() -> None:
    config, _ = import_keepalived(PREPROCESSED, "pre.conf", config_id="lab")
    assert config is not None and config.directors


def test_include_glob_and_non_utf8_bytes(tmp_path: Path) -> None:
    (tmp_path / "conf.d").mkdir()
    (tmp_path / "conf.d" / "web.conf").write_bytes(
        b"virtual_server 192.0.2.10 80 {\n  protocol TCP\n  lb_kind DR\n  # caf\xe9\n"
        b"  real_server 192.0.2.21 80 {\n  }\n}\n")
    main_conf = tmp_path / "keepalived.conf"
    main_conf.write_text("include conf.d/*.conf\n")
    config, notes = import_files("keepalived", [str(main_conf)])
    assert config is not None and len(config.services) == 1
    assert config.services[0].span.file.endswith("web.conf")


def test_dr_port_remap_is_reset_and_persistence_0_is_none() -> None:
    text = ("virtual_server 192.0.2.10 80 {\n protocol TCP\n lb_kind DR\n persistence_timeout 0\n"
            " real_server 192.0.2.21 8080 {\n }\n}\n")
    config, notes = import_keepalived(text, "dr.conf")
    assert config is not None
    service = config.services[0]
    assert service.servers[0].port is None and service.persistence is None
    assert any(d.code == "LVS504" and "resets it to 80" in d.message for d in notes)


def test_one_file_one_director_and_a_pair_is_one_cluster(tmp_path: Path) -> None:
    vrrp = ("vrrp_instance {name} {{\n state {state}\n interface {dev}\n priority {prio}\n"
            " unicast_src_ip {me}\n unicast_peer {{\n  {peer}\n }}\n virtual_ipaddress {{\n  {vip} dev {dev}\n }}\n}}\n")
    service = "virtual_server 192.0.2.10 80 {\n protocol TCP\n lb_kind DR\n real_server 192.0.2.21 80 {\n }\n}\n"
    primary = (vrrp.format(name="WAN", state="MASTER", dev="eth0", prio=150, me="192.0.2.2", peer="192.0.2.3",
                           vip="192.0.2.10/24")
               + vrrp.format(name="LAN", state="MASTER", dev="eth1", prio=150, me="198.51.100.2",
                             peer="198.51.100.3", vip="198.51.100.1/24") + service)
    one, _ = import_keepalived(primary, "primary.conf")
    assert one is not None and [d.role for d in one.directors] == ["primary", "backup"]
    assert str(one.directors[0].public) == "192.0.2.2"
    backup = primary.replace("MASTER", "BACKUP").replace("src_ip 192.0.2.2", "src_ip 192.0.2.3").replace(
        "  192.0.2.3\n", "  192.0.2.2\n")
    (tmp_path / "primary.conf").write_text(primary)
    (tmp_path / "backup.conf").write_text(backup)
    pair, _ = import_files("keepalived", [str(tmp_path / "primary.conf"), str(tmp_path / "backup.conf")])
    assert pair is not None
    assert [(d.role, str(d.public)) for d in pair.directors] == [("primary", "192.0.2.2"), ("backup", "192.0.2.3")]
    assert pair.directors[1].public_dev == "eth0"
    out = tmp_path / "cluster.lvs"
    assert main(["import", "--from", "keepalived", str(tmp_path / "primary.conf"), str(tmp_path / "backup.conf"),
                 "-o", str(out)]) == 0
    assert load_text(out.read_text(), "cluster.lvs")[1] == []


def test_ipvsadm_save_without_n_reads_service_names() -> None:
    text = "-A -t 192.0.2.112:http -s wlc\n-a -t 192.0.2.112:http -r 192.0.2.20:http -g -w 1\n"
    config, notes = import_ipvsadm(text, "save.txt")
    assert config is not None and not [d for d in notes if d.severity.value == "error"]
    assert [(s.port, len(s.servers)) for s in config.services] == [(80, 1)]


def test_piranha_fwmark_port_is_the_check_port() -> None:
    """The guide's multi-port scheme: `port` of a firewall-mark virtual is nanny's check port,
    and lvsd adds the servers without one (a DR server `port 80` would be a remap, LVS102)."""
    virtual = ("virtual {name} {{\n active = 1\n address = 192.0.2.10 eth0:1\n fwmark = 80\n port = {port}\n"
               " persistent = 300\n server web1 {{\n  address = 192.0.2.11\n  active = 1\n }}\n}}\n")
    text = ("primary = 192.0.2.2\nservice = lvs\nnetwork = direct\n" + virtual.format(name="http", port=80)
            + virtual.format(name="https", port=443))
    config, _ = import_piranha(text, "lvs.cf")
    assert config is not None
    (service,) = config.services
    assert [(s.name, s.port) for s in service.servers] == [("web1", None)]
    assert "LVS102" not in {d.code for d in check(config)}


IPV6_SEQUENCE = r"""$RS6= \
real_server 2001:db8:10:${N}::1 443 { \
  weight 10 \
}
virtual_server 2001:db8::202 443 {
  lb_algo wlc
  lb_kind NAT
  protocol TCP
  ~SEQx(N, 211, 16, 243) $RS6
  ~SEQ(M, 0x3, 1) real_server 2001:db8:20::${M} 443
}
"""


def test_seqx_writes_hex_so_ipv6_real_servers_are_kept() -> None:
    """keepalived's corpus file configs_1502a: `~SEQx` builds IPv6 real-server addresses."""
    config, notes = import_keepalived(IPV6_SEQUENCE, "seq.conf")
    assert config is not None, notes
    assert [str(s.address) for s in config.services[0].servers] == [
        "2001:db8:10:d3::1", "2001:db8:10:e3::1", "2001:db8:10:f3::1",  # 211, 227, 243 in hex
        "2001:db8:20::3", "2001:db8:20::2", "2001:db8:20::1",  # two bounds counting down, as keepalived does
    ]
    assert not [d for d in notes if "SEQ" in d.message]


HASHED_OUT = r"""$TESTM=${_HASH}
virtual_server 192.0.2.10 80 {
  lb_algo rr
  lb_kind NAT
  protocol TCP
  real_server 192.0.2.21 80 {
    weight 5
${TESTM}    weight 10
${TESTM}    MISC_CHECK {
${TESTM}      misc_path "/bin/true"
${TESTM}    }
  }
  real_server 192.0.2.22 80 {
    weight 5
${UNDEFINED} weight 10
  }
}
"""


def test_a_parameter_set_to_hash_comments_its_lines_out() -> None:
    """keepalived's corpus files configs_1756/1757: `$TESTM=${_HASH}` makes `${TESTM} weight 10`
    a comment (keepalived keeps weight 5); a line starting with an undefined parameter is an
    unknown keyword for keepalived and is skipped with a warning."""
    config, notes = import_keepalived(HASHED_OUT, "hash.conf")
    assert config is not None, notes
    service = config.services[0]
    assert [(str(s.address), s.weight) for s in service.servers] == [("192.0.2.21", 5), ("192.0.2.22", 5)]
    assert service.check is None
    undefined = [d for d in notes if "${UNDEFINED} is not defined" in d.message]
    assert [(d.severity.value, d.span.line) for d in undefined] == [("warning", 15)]


def test_persistence_granularity_alone_is_persistence_for_360_s() -> None:
    """keepalived's corpus file configs_667: keepalived loads `-p 360 -M 110` for a service
    with persistence_granularity and no persistence_timeout."""
    text = "virtual_server 2001:db8::24 443 {\n  lb_algo wlc\n  lb_kind NAT\n  protocol TCP\n" \
           "  persistence_granularity 110\n  real_server 2001:db8:1::1 443 {\n  }\n}\n"
    config, notes = import_keepalived(text, "gran.conf")
    assert config is not None, notes
    service = config.services[0]
    assert (service.persistence, service.persistence_mask) == (360, 110)
    assert any("persistent for 360 s" in d.message for d in notes)


@pytest.mark.parametrize(("numbers", "hexadecimal", "bounds"), [
    (["3"], False, (1, 1, 3)),
    (["0"], False, (1, -1, 0)),  # one bound below 1 counts down from 1
    (["-2"], False, (-1, -1, -2)),
    (["5", "1"], False, (5, -1, 1)),
    (["0x10", "010"], False, (16, -1, 8)),  # C integers: hex and octal
    (["1", "-1", "5"], False, None),  # a step against the range
    (["1", "0", "5"], False, None),
    (["-1", "3"], True, None),  # ~SEQx takes no negative values
    (["x"], False, None),
])
def test_seq_bounds_as_keepalived_reads_them(numbers: list[str], hexadecimal: bool,
                                             bounds: tuple[int, int, int] | None) -> None:
    assert seq_bounds(numbers, hexadecimal) == bounds


def test_a_service_declared_twice_gets_the_real_servers_of_both_blocks() -> None:
    """keepalived's corpus files configs_notify1/notify2: two virtual_server blocks for one
    service load one IPVS service with the real servers of both (the first block's settings)."""
    block = "virtual_server 192.0.2.10 80 {{\n  lb_algo {sched}\n  lb_kind NAT\n  protocol TCP\n" \
            "  real_server 198.51.100.{a} 80 {{\n  }}\n  real_server 198.51.100.{b} 80 {{\n  }}\n}}\n"
    text = block.format(sched="rr", a=1, b=2) + block.format(sched="wlc", a=3, b=1)
    config, notes = import_keepalived(text, "twice.conf")
    assert config is not None, notes
    (service,) = config.services
    assert service.scheduler == "rr"
    assert [str(s.address) for s in service.servers] == ["198.51.100.1", "198.51.100.2", "198.51.100.3"]
    assert [d.span.line for d in notes if "declared twice" in d.message] == [10]
