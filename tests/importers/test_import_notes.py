"""What every importer says in the same words (lvscc/importers/common.py): a name rewritten
into an lvscc name names both spellings where it was read; a value no .lvs token can carry is
refused with the hint that the file, not lvscc, holds it; and the `untranslated` lines an
operator is asked to write by hand never carry a control character from the imported file."""

from __future__ import annotations

from dataclasses import replace

import pytest

from lvscc.commands.import_ import IMPORTERS
from lvscc.fmt import format_config
from lvscc.importers.common import Notes, writable
from lvscc.load import load_text
from lvscc.model.config import DEFAULT_SCHEDULER, Config
from lvscc.model.span import Span

AT = Span("lvs.cf", 7, 9, 7, 14)


def test_a_rewritten_name_names_both_spellings_where_it_was_read() -> None:
    notes = Notes()
    assert notes.name("web.1", AT) == "web-1"
    assert [(d.code, d.severity.value, d.message, d.span) for d in notes.items] == [
        ("LVS503", "info", "name 'web.1' is written 'web-1' in lvscc", AT)]


def test_a_valid_name_is_kept_without_a_note() -> None:
    notes = Notes()
    assert notes.name("web-1", AT) == "web-1" and notes.items == []


KEEPALIVED = """virtual_server group we\x07b {
    lb_algo rr
    protocol TCP
}
virtual_server 192.0.2.10 80 {
    lb_algo rr
    protocol TCP
    persistence_engine "s\x07ip"
    real_server 192.0.2.11 80 {
    }
}
"""


def test_an_untranslated_line_shows_a_control_character_as_a_question_mark() -> None:
    config, _ = IMPORTERS["keepalived"](KEEPALIVED, "k.conf")
    assert config is not None
    assert [text for text, _ in config.untranslated] == [
        "k.conf:1: `virtual_server`: no virtual_server_group we?b",
        "k.conf:5: persistence engine 's\\x07ip' cannot be written in .lvs: left out",
    ]


def test_a_value_no_token_can_carry_is_refused_with_where_the_fault_lies() -> None:
    config, diagnostics = IMPORTERS["keepalived"](KEEPALIVED, "k.conf")
    assert config is not None and config.services[0].persistence_engine is None
    (refused,) = [d for d in diagnostics if d.code == "LVS507"]
    assert (refused.severity.value, refused.message, refused.hint, refused.span.line) == (
        "error", "persistence engine 's\\x07ip' cannot be written in .lvs: left out",
        "the imported file holds a value lvscc's language has no token for", 5)


GATED = """lvs gated {
  director primary { public 192.0.2.2 dev eth0  private 198.51.100.2 dev eth1 }
  sync-daemon { interface eth1  id 7 }
  forwarding nat { gateway 198.51.100.1/24 dev eth1 }
  service web {
    vip 192.0.2.10 dev eth0:1
    tcp 80
    scheduler sh sh-port sh-fallback
    persistence-engine sip
    check { send "GET /"  expect "OK"  send-program "/bin/probe %h" }
    server a 198.51.100.21
  }
}
"""


def _gated(**bad: str) -> tuple[Config, list[tuple[str, str, int]]]:
    """GATED with the values a foreign file could hold in place of its own, through the gate."""
    config, found = load_text(GATED, "gated.lvs")
    assert config is not None, found
    director, service = config.directors[0], config.services[0]
    check = service.check
    assert check is not None and config.sync_daemon is not None
    config = replace(
        config,
        directors=(replace(director, public_dev=bad.get("public_dev", director.public_dev),
                           private_dev=bad.get("private_dev", director.private_dev)),),
        sync_daemon=replace(config.sync_daemon, interface=bad.get("sync", config.sync_daemon.interface)),
        forwarding=replace(config.forwarding, gateway_dev=bad.get("gateway_dev", config.forwarding.gateway_dev)),
        services=(replace(service, vip_dev=bad.get("vip_dev", service.vip_dev),
                          scheduler=bad.get("scheduler", service.scheduler),
                          sched_flags=(bad.get("flag", "sh-port"), "sh-fallback"),
                          persistence_engine=bad.get("engine", service.persistence_engine),
                          forwarding=replace(service.forwarding, gateway_dev=bad.get("service_gateway_dev",
                                                                                      service.forwarding.gateway_dev)),
                          check=replace(check, send=bad.get("send", check.send), expect=bad.get("expect", check.expect),
                                        send_program=bad.get("program", check.send_program))),),
    )
    notes = Notes()
    gated = writable(config, notes)
    return gated, [(d.code, d.message, d.span.line) for d in notes.items]


def test_values_every_token_can_carry_pass_the_gate_unchanged() -> None:
    config, said = _gated()
    assert said == [] and config == writable(config, Notes())
    text = format_config(config)
    assert text.count("dev eth1") == 2 and "interface eth1" in text


@pytest.mark.parametrize(("field", "value", "what", "line", "left"), [
    ("public_dev", "eth0 }", "device", 2, lambda c: c.directors[0].public_dev),
    ("private_dev", "eth1 x", "device", 2, lambda c: c.directors[0].private_dev),
    ("sync", "eth1\n", "device", 3, lambda c: c.sync_daemon),
    ("gateway_dev", "e\x1b", "device", 4, lambda c: c.forwarding.gateway_dev),
    ("service_gateway_dev", "e f", "device", 4, lambda c: c.services[0].forwarding.gateway_dev),
    ("vip_dev", "eth0:1 tcp 22", "device", 5, lambda c: c.services[0].vip_dev),
    ("engine", "sip }", "persistence engine", 5, lambda c: c.services[0].persistence_engine),
    ("send", "a\x1bb", "check string", 10, lambda c: c.services[0].check.send),
    ("expect", "a\x00b", "check string", 10, lambda c: c.services[0].check.expect),
    ("program", "/bin/p\x7f", "check program", 10, lambda c: c.services[0].check.send_program),
])  # fmt: skip
def test_a_value_no_token_can_carry_is_left_out_where_it_was_read(field: str, value: str, what: str, line: int,
                                                                  left) -> None:  # noqa: ANN001 - a getter
    config, said = _gated(**{field: value})
    assert said == [("LVS507", f"{what} {value!r} cannot be written in .lvs: left out", line)]
    assert left(config) is None
    loaded, found = load_text(format_config(config), "gated.lvs")
    assert loaded is not None, found


def test_a_scheduler_no_token_can_carry_falls_back_to_the_default_and_a_bad_flag_alone_is_dropped() -> None:
    config, said = _gated(scheduler="w lc", flag="sh port")
    assert said == [("LVS507", "scheduler flag 'sh port' cannot be written in .lvs: left out", 5),
                    ("LVS507", "scheduler 'w lc' cannot be written in .lvs: left out", 5)]
    assert (config.services[0].scheduler, config.services[0].sched_flags) == (DEFAULT_SCHEDULER, ("sh-fallback",))
