"""The top of keepalived.conf as the importer dispatches it: a virtual_server_group is read
before the virtual servers that use it, wherever the operator wrote it; a block lvscc does not
translate is named with what lvscc does translate (LVS501)."""

from __future__ import annotations

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
