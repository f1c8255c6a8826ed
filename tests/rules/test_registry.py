"""lvscc/rules/__init__.py: a code is registered once, each finding keeps the severity its rule
gave it, the findings come out in file order, a rule yielding anything but a Finding is told
how to write it, and `lvscc explain` gets each rule's docstring on one line."""

from __future__ import annotations

from typing import Iterable

import pytest

from lvscc.diagnostics import Severity
from lvscc.load import load_text
from lvscc.model.config import Config
from lvscc.rules import RULES, _coded, check, docstrings, rule
from lvscc.rules.services import one_packet_udp_only

# Rules of three modules and all three severities, on lines out of the order the rule modules
# are loaded in (cluster, forwarding, services, ...).
MIXED = """\
lvs lab {
  service shop {
    vip 192.0.2.10/24 dev eth0
    fwmark 80 { tcp 80, 443 }
    one-packet
    server web1 192.0.2.21 port 8080
  }
  ipvs { conntrack 1 }
}
"""


def test_a_code_registered_twice_is_refused_and_the_first_rule_stays() -> None:
    with pytest.raises(ValueError, match=r"^rule code LVS104 registered twice$"):
        rule("LVS104")(lambda config: ())
    assert RULES["LVS104"] is one_packet_udp_only


def test_findings_keep_their_severity_and_come_in_file_order() -> None:
    config, found = load_text(MIXED, "lab.lvs")
    assert config is not None and found == [], found
    assert [(d.span.line, d.code, d.severity) for d in check(config)] == [
        (4, "LVS111", Severity.WARNING),
        (4, "LVS134", Severity.INFO),
        (5, "LVS104", Severity.ERROR),
        (6, "LVS102", Severity.ERROR),
        (8, "LVS122", Severity.WARNING),
    ]


def test_a_rule_yielding_a_bare_message_is_told_how_to_yield_a_finding() -> None:
    def old_style(config: Config) -> Iterable[str]:
        yield "LVS999 something is wrong"

    with pytest.raises(TypeError) as refused:
        list(_coded("LVS999", old_style, Config("lab")))  # type: ignore[arg-type]
    assert str(refused.value) == ("rule LVS999 (old_style) yields str: yield lvscc.rules.error/warning/info"
                                  "(message, span, hint); the code is the rule's")


def test_a_rules_docstring_is_given_on_one_line() -> None:
    assert docstrings()["LVS104"] == ('ipvsadm refuses one-packet scheduling on anything but UDP '
                                      '("One-Packet Scheduling is only for UDP virtual services").')
