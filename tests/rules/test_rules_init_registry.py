"""The rule registry (lvscc/rules/__init__.py): a finding leaves `check` with its rule's code and
its own severity, span and hint; findings come sorted by place; a rule only some backends need
stays out of `check` and runs through `needs`, naming the backend; a code registers once."""

from __future__ import annotations

from ipaddress import ip_address, ip_interface
from pathlib import Path

import pytest

import lvscc.rules

from lvscc.diagnostics import Diagnostic, Severity
from lvscc.model.config import Config, Director, Protocol, RealServer, VirtualService
from lvscc.model.span import NOWHERE, Span
from lvscc.rules import NEEDED_BY, RULES, check, docstrings, error, info, load_all, needs, rule, warning

AT = Span("lab.lvs", 4, 5, 4, 9)


@pytest.mark.parametrize(("make", "severity"), [(error, Severity.ERROR), (warning, Severity.WARNING),
                                                (info, Severity.INFO)])
def test_a_finding_keeps_its_severity_message_span_and_hint(make, severity: Severity) -> None:  # noqa: ANN001
    assert make("port 70000", AT, "use 1..65535").coded("LVS150") == Diagnostic(
        "LVS150", severity, "port 70000", AT, "use 1..65535")
    assert make("port 70000").coded("LVS150") == Diagnostic("LVS150", severity, "port 70000", NOWHERE, None)


def test_a_code_registers_once() -> None:
    def again(config: Config):  # noqa: ANN202
        return iter(())

    original = load_all()["LVS101"]
    try:
        with pytest.raises(ValueError, match="^rule code LVS101 registered twice$"):
            rule("LVS101")(again)
    finally:
        RULES["LVS101"] = original


def test_registering_keeps_the_rule_and_what_needs_it() -> None:
    def probe(config: Config):  # noqa: ANN202
        return iter(())

    try:
        assert rule("LVS999", needed_by=("rs-kit",))(probe) is probe
        assert RULES["LVS999"] is probe
        assert NEEDED_BY["LVS999"] == ("rs-kit",)
        assert rule("LVS998")(probe) is probe
        assert NEEDED_BY["LVS998"] == ()
    finally:
        for code in ("LVS999", "LVS998"):
            RULES.pop(code, None)
            NEEDED_BY.pop(code, None)


def test_every_rule_module_is_loaded() -> None:
    modules = {path.stem for path in Path(lvscc.rules.__file__).parent.glob("[a-z]*.py")}
    assert {func.__module__.rsplit(".", 1)[1] for func in load_all().values()} == modules


def test_a_docstring_is_one_line_of_single_spaces() -> None:
    described = docstrings()
    assert described["LVS108"] == ("ipvsadm parses -p as 1..2678400 seconds (31 days) and stops the restore "
                                   "otherwise.")
    assert list(described) == sorted(described)


def test_a_rule_without_a_docstring_describes_nothing() -> None:
    def bare(config: Config):  # noqa: ANN202
        return iter(())

    load_all()
    RULES["LVS996"] = bare
    try:
        assert docstrings()["LVS996"] == ""
    finally:
        RULES.pop("LVS996")


def test_a_rule_yielding_something_else_than_a_finding_is_refused_by_name() -> None:
    def old_style(config: Config):  # noqa: ANN202
        yield ("LVS997", "message")

    load_all()
    RULES["LVS997"] = old_style
    try:
        with pytest.raises(TypeError, match=r"^rule LVS997 \(old_style\) yields tuple: yield "
                                            r"lvscc\.rules\.error/warning/info\(message, span, hint\); "
                                            r"the code is the rule's$"):
            check(Config("lab"))
    finally:
        RULES.pop("LVS997")


def _service(name: str, line: int) -> VirtualService:
    return VirtualService(name, vip=ip_interface("192.0.2.10/24"), protocol=Protocol.TCP, port=0,
                          span=Span("lab.lvs", line, 3, line + 3, 4),
                          servers=(RealServer("web1", ip_address("192.0.2.21")),))


def test_check_sorts_findings_by_place_then_code() -> None:
    found = check(Config("lab", services=(_service("late", 9), _service("early", 2))))
    assert [(d.span.line, d.code) for d in found] == sorted((d.span.line, d.code) for d in found)
    assert [d.span.line for d in found if d.code == "LVS103"] == [2, 9]


def test_a_backend_rule_stays_out_of_check_and_names_its_backend_in_needs() -> None:
    config = Config("lab", directors=(Director("primary", span=AT),))
    assert [d.code for d in check(config)] == []
    assert needs(config, "piranha") == [Diagnostic(
        "LVS164", Severity.ERROR, "backend piranha needs the public address of director primary", AT,
        "add `director primary { public ADDR dev DEV }`")]
    assert needs(config, "keepalived") == []
