"""`lvscc audit`, `lvscc plan` end to end on dump directories, and the report formats."""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from lvscc.cli import main
from lvscc.pipeline import compile_file
from lvscc.render import registry

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "samples" / "guide-nat.lvs"


@pytest.fixture
def dump(tmp_path: Path) -> Path:
    """The primary director's compiled files, laid out as `lvscc snapshot` would have saved a
    host that runs them."""
    result = compile_file(SAMPLE, [registry()[n] for n in ("ipvsadm", "iptables", "sysctl")])
    names = {"ipvsadm.rules": "ipvsadm.rules", "rules.v4": "iptables.rules", "lvscc-sysctl.conf": "sysctl.txt"}
    for artifact in result.artifacts:
        name = artifact.path.split("/")[-1]
        if artifact.host == "primary" and name in names:
            (tmp_path / names[name]).write_text(artifact.content)
    return tmp_path


def reweight(dump: Path, old: str, new: str) -> None:
    rules = dump / "ipvsadm.rules"
    text = rules.read_text()
    assert old in text
    rules.write_text(text.replace(old, new, 1))


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    return code, capsys.readouterr().out


def test_audit_in_sync_exits_0(dump: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run(capsys, "audit", str(SAMPLE), "--from-dump", str(dump), "--format", "json")
    body = json.loads(out)
    assert code == 0 and body["in_sync"] and body["drifts"] == []
    assert "arp" in body["not_audited"] and "ipvs" in body["audited"]


def test_audit_drift_exits_1_and_plan_prints_one_edit(dump: Path, capsys: pytest.CaptureFixture[str]) -> None:
    reweight(dump, "-r 10.11.12.2:80 -m -w 2", "-r 10.11.12.2:80 -m -w 5")
    code, out = run(capsys, "audit", str(SAMPLE), "--from-dump", str(dump), "--format", "text")
    assert code == 1
    assert "changed  dest 10.11.12.2:80 of tcp 192.168.26.10:80: weight expected 2, observed 5" in out
    code, out = run(capsys, "plan", str(SAMPLE), "--from-dump", str(dump))
    commands = [ln for ln in out.splitlines() if ln and not ln.startswith(("#", "set "))]
    assert code == 1 and commands == ["ipvsadm -e -t 192.168.26.10:80 -r 10.11.12.2:80 -m -w 2"]


def test_quiesced_server_is_reported_but_in_sync(dump: Path, capsys: pytest.CaptureFixture[str]) -> None:
    reweight(dump, "-r 10.11.12.2:80 -m -w 2", "-r 10.11.12.2:80 -m -w 0")
    code, out = run(capsys, "audit", str(SAMPLE), "--from-dump", str(dump), "--format", "table")
    assert code == 0 and "quiesced" in out and "in sync" in out
    code, out = run(capsys, "plan", str(SAMPLE), "--from-dump", str(dump))
    assert code == 0


def test_errors_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["audit", str(SAMPLE), "--from-dump", str(tmp_path)]) == 2  # no dump files
    (tmp_path / "ipvsadm.rules").write_text("-A -t 192.0.2.300:80 -s rr\n")
    assert main(["audit", str(SAMPLE), "--from-dump", str(tmp_path)]) == 2
    assert main(["audit", str(SAMPLE), "--host", "nosuchhost", "--from-dump", str(tmp_path)]) == 2
    assert "no host 'nosuchhost'" in capsys.readouterr().err


def test_sarif_and_junit(dump: Path, capsys: pytest.CaptureFixture[str]) -> None:
    reweight(dump, "-r 10.11.12.2:80 -m -w 2", "-r 10.11.12.2:80 -m -w 5")
    (dump / "ipvsadm.rules").write_text((dump / "ipvsadm.rules").read_text() + "-A -t 203.0.113.80:80 -s rr\n")
    _, out = run(capsys, "audit", str(SAMPLE), "--from-dump", str(dump), "--format", "sarif")
    results = json.loads(out)["runs"][0]["results"]
    assert [(r["ruleId"], r["level"]) for r in results] == [("drift/changed", "error"), ("drift/foreign", "note")]
    physical = results[0]["locations"][0]["physicalLocation"]
    assert physical["artifactLocation"]["uri"].endswith("guide-nat.lvs") and physical["region"]["startLine"] > 0
    _, out = run(capsys, "audit", str(SAMPLE), "--from-dump", str(dump), "--format", "junit")
    suite = ET.fromstring(out)
    cases = {c.get("name"): c for c in suite.iter("testcase")}
    assert [n for n, c in cases.items() if c.find("failure") is not None] == ["ipvs"]
    present = {n.split(".")[0] for n in ("ipvsadm.rules", "iptables.rules") if (dump / n).exists()}
    expected_skips = {"thresholds", "arp", "modules", "addresses", "routes", "tunnels", "fou"}
    expected_skips |= {"netfilter"} if "iptables" not in present else set()
    assert {n for n, c in cases.items() if c.find("skipped") is not None} == expected_skips
    assert (suite.get("failures"), suite.get("skipped")) == ("1", str(len(expected_skips)))


@pytest.mark.parametrize("policy,code,kind", [("managed", 1, "changed"), ("observed", 0, None), ("quiesce", 0, "quiesced")])
def test_weight_policy_on_the_command_line(dump: Path, capsys: pytest.CaptureFixture[str], policy: str, code: int,
                                           kind: str | None) -> None:
    reweight(dump, "-r 10.11.12.2:80 -m -w 2", "-r 10.11.12.2:80 -m -w 0")
    found, out = run(capsys, "audit", str(SAMPLE), "--from-dump", str(dump), "--format", "json", "--weight", policy)
    kinds = [d["kind"] for d in json.loads(out)["drifts"]]
    assert found == code and kinds == ([kind] if kind else [])


def test_sarif_points_an_extra_object_at_a_declaration(dump: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A real server the config never declared has no declaration: SARIF points at the dump line
    it was seen on (its service's), so code scanning can show it."""
    rules = dump / "ipvsadm.rules"
    rules.write_text(rules.read_text() + "-a -t 192.168.26.10:80 -r 10.11.12.9:80 -m -w 1\n")
    _, out = run(capsys, "audit", str(SAMPLE), "--from-dump", str(dump), "--format", "sarif")
    results = json.loads(out)["runs"][0]["results"]
    extra = [r for r in results if r["ruleId"] == "drift/extra"]
    assert len(extra) == 1 and "10.11.12.9:80" in extra[0]["message"]["text"]
    physical = extra[0]["locations"][0]["physicalLocation"]
    line = physical["region"]["startLine"]
    assert physical["artifactLocation"]["uri"] == "ipvsadm.rules"
    assert rules.read_text().splitlines()[line - 1].startswith("-A -t 192.168.26.10:80")
