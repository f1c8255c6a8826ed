"""Nothing silently dropped: a statement no chosen backend writes is a warning at its line that
names the backends that would (LVS360), and a fail under --fail-on warning."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import guide_hosts
import pytest

from lvscc.pipeline import compile_file
from lvscc.render import ALIKE, NOT_CARRIED, select

REPO = guide_hosts.REPO


def _not_carried(path: Path, backends: list[str] | None) -> list[tuple[int, str, str | None]]:
    result = compile_file(path, select(backends))
    assert result.artifacts, [d.message for d in result.diagnostics]  # compiled: coverage was checked
    return [(d.span.line, d.message, d.hint) for d in result.diagnostics if d.code == NOT_CARRIED]


@pytest.mark.parametrize("path", guide_hosts.SAMPLES, ids=lambda p: p.stem)
def test_every_statement_of_every_sample_is_carried_with_keepalived(path: Path) -> None:
    assert _not_carried(path, ["+keepalived", "+nftables"]) == []


def test_default_compile_names_what_only_a_daemon_carries() -> None:
    found = _not_carried(REPO / "samples" / "guide-nat.lvs", None)
    daemons = "add `--backend +keepalived` or `--backend +piranha`"
    assert found == [
        (6, "heartbeat: the heartbeat is written by no chosen backend", daemons),
        (19, "service http: quiesce is written by no chosen backend", daemons),
        (24, "check of service http: the health check is written by no chosen backend", daemons),
    ]
    assert _not_carried(REPO / "samples" / "guide-nat.lvs", ["+keepalived"]) == []


def test_a_narrow_choice_names_each_dropped_statement_once() -> None:
    found = _not_carried(REPO / "samples" / "tunnel.lvs", ["ipvsadm"])
    lines = [line for line, _, _ in found]
    assert lines == sorted(lines) and len(set(zip(lines, (m for _, m, _ in found)))) == len(found)
    sync = next(f for f in found if f[1].startswith("sync-daemon"))
    assert sync[2] == "add `--backend +director-kit` or `--backend +keepalived` or `--backend +piranha`"


def test_fail_on_warning_makes_a_dropped_statement_an_error(tmp_path: Path) -> None:
    def compile_(*extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "lvscc", "compile", "samples/guide-nat.lvs", "-o",
                               str(tmp_path / "out"), *extra], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert compile_().returncode == 0
    failed = compile_("--fail-on", "warning")
    assert failed.returncode == 1 and "warning[LVS360]" in failed.stderr
    assert compile_("--backend", "all", "--fail-on", "warning").returncode == 0
    assert compile_("--backend=-sysctl", "--backend", "+piranha", "--fail-on", "warning").returncode == 1
    both = compile_("--backend", "director-kit", "--backend", "keepalived")
    assert both.returncode == 2 and "both own the VIPs" in both.stderr


def _nat_cluster(tmp_path: Path, servers: int) -> Path:
    lines = ["lvs wide {", "  director primary { public 203.0.113.2 dev eth0 }",
             "  forwarding nat { gateway 10.255.255.254/8 dev eth1 }",
             "  service web {", "    vip 198.51.100.10 dev eth0", "    tcp 80", "    scheduler wlc"]
    lines += [f"    server r{j} 10.0.0.{j + 1}:80" for j in range(servers)] + ["  }", "}"]
    path = tmp_path / "wide.lvs"
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.mark.parametrize("servers", [ALIKE, ALIKE + 1, 40])
def test_many_statements_missing_the_same_thing_are_one_warning_past_the_limit(tmp_path: Path, servers: int) -> None:
    routes = [f for f in _not_carried(_nat_cluster(tmp_path, servers), ["ipvsadm"]) if "route back" in f[1]]
    if servers <= ALIKE:
        assert [line for line, _, _ in routes] == list(range(8, 8 + servers))
        assert all(" more statements like it" not in message for _, message, _ in routes)
    else:  # at the first such statement, counting the others
        assert [(line, message) for line, message, _ in routes] == [
            (8, f"server r0 of service web and {servers - 1} more statements like it: "
                "the route back through the NAT gateway is written by no chosen backend")]
