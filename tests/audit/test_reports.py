"""Issue 10 (drift reports people and CI read) and issue 11 (hostile text in reports): what
ipvsadm would print instead of Python reprs, typed JSON, documents that say a run failed, and
untrusted names that can neither style the terminal nor break XML."""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from lvscc.cli import main
from lvscc.commands.audit import audit_target
from lvscc.drift_report import table
from tests.audit.test_commands import SAMPLE, dump  # noqa: F401  (the fixture)

MISSING = "-a -t 192.168.26.10:80 -r 10.11.12.2:80 -m -w 2"


def audit(capsys: pytest.CaptureFixture[str], dump: Path, fmt: str, config: Path = SAMPLE) -> tuple[int, str, str]:  # noqa: F811
    code = main(["audit", str(config), "--from-dump", str(dump), "--format", fmt])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def drop_line(dump: Path, line: str) -> None:  # noqa: F811
    rules = dump / "ipvsadm.rules"
    text = rules.read_text()
    assert line + "\n" in text
    rules.write_text(text.replace(line + "\n", ""))


def test_a_missing_server_reads_as_the_ipvsadm_line(dump: Path, capsys: pytest.CaptureFixture[str]) -> None:  # noqa: F811
    drop_line(dump, MISSING)
    code, out, _ = audit(capsys, dump, "text")
    assert code == 1 and "IpvsDest(" not in out and "<Method" not in out
    assert f"missing  dest 10.11.12.2:80 of tcp 192.168.26.10:80: {MISSING}" in out
    args = argparse.Namespace(config=str(SAMPLE), host=None, from_dump=dump, weight=None)
    shown = table(audit_target(args).report, width=250)
    assert "IpvsDest(" not in shown and f"│ {MISSING} " in shown


def test_json_has_typed_fields(dump: Path, capsys: pytest.CaptureFixture[str]) -> None:  # noqa: F811
    drop_line(dump, MISSING)
    reweight = dump / "ipvsadm.rules"
    reweight.write_text(reweight.read_text().replace("-r 10.11.12.1:80 -m -w 1", "-r 10.11.12.1:80 -m -w 4"))
    code, out, _ = audit(capsys, dump, "json")
    drifts = json.loads(out)["drifts"]
    missing = next(d for d in drifts if d["kind"] == "missing")
    assert missing["expected"] == {"address": "10.11.12.2", "port": 80, "method": "nat", "weight": 2, "upper": 0,
                                   "lower": 0, "tun_type": None, "tun_port": None, "tun_csum": None}
    assert missing["expected_text"] == MISSING and missing["observed"] is None
    changed = next(d for d in drifts if d["kind"] == "changed")
    assert (changed["field"], changed["expected"], changed["observed"]) == ("weight", 1, 4)
    assert not re.search(r"[A-Za-z]+\(|<[A-Za-z.]+: ", json.dumps(drifts))  # no repr anywhere


@pytest.mark.parametrize("broken", ["config", "dump"])
def test_junit_and_sarif_say_the_run_failed(dump: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path,  # noqa: F811
                                            broken: str) -> None:
    config = SAMPLE
    if broken == "config":
        config = tmp_path / "bad.lvs"
        config.write_text("lvs x { service s { vip 192.0.2.300 } }\n")
    else:
        (dump / "nft.json").write_text("null")
    code, out, err = audit(capsys, dump, "junit", config)
    suite = ET.fromstring(out)
    assert code == 2 and suite.tag == "testsuite"
    assert {k: suite.get(k) for k in ("tests", "failures", "errors", "skipped")} == {
        "tests": "1", "failures": "0", "errors": "1", "skipped": "0"}
    error = suite.find("testcase/error")
    assert error is not None and error.get("message") and err.strip().splitlines()[-1].startswith("lvscc audit: ")
    code, out, _ = audit(capsys, dump, "sarif", config)
    invocation = json.loads(out)["runs"][0]["invocations"][0]
    assert code == 2 and invocation["executionSuccessful"] is False
    assert invocation["toolExecutionNotifications"][0]["level"] == "error"


def test_junit_of_a_normal_run_carries_errors(dump: Path, capsys: pytest.CaptureFixture[str]) -> None:  # noqa: F811
    _, out, _ = audit(capsys, dump, "junit")
    assert ET.fromstring(out).get("errors") == "0"


FOREIGN = ["[/bold]", "[link=https://example.com/x]click[/link]", "a\x1b]8;;x\x07b\x1b[31m", "\x01\x02\x0b", "\ud800"]


@pytest.mark.parametrize("fmt", ["text", "table", "json", "sarif", "junit"])
def test_hostile_foreign_names_are_shown_not_obeyed(dump: Path, capsys: pytest.CaptureFixture[str], fmt: str) -> None:  # noqa: F811
    tables = [{"table": {"family": "inet", "name": name, "handle": i}} for i, name in enumerate(FOREIGN, 2)]
    (dump / "nft.json").write_text(json.dumps({"nftables": tables}))
    code, out, err = audit(capsys, dump, fmt)
    assert code == 0, err
    assert not any(c in out for c in "\x1b\x07\x01\x02\x0b\ud800")
    if fmt == "junit":
        ET.fromstring(out)
    if fmt in ("text", "table"):
        assert "[/bold]" in out and "[link=https://example.com/x]click[/link]" in out
        assert "a?]8;;x?b?[31m" in out
