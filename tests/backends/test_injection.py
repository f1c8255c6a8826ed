"""Issue 11's injection suite, generated-file side: every string a config can carry into a
kernel-tool artifact (names, devices, labels, the scheduler, the persistence engine, the nft
table, ipvs sysctl names), given a newline, quotes, `}`, `$()`, backticks, `;`, a heredoc
terminator or control bytes, is either refused by `lvscc compile` with a rule code or compiled
into files the consuming tools accept as meant: `sh -n` and a run of the real-server kit
against stub binaries, `nft -c`, `iptables-restore --test`, `arptables-restore` in a namespace,
and `keepalived -t` for what reaches keepalived.conf."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from lvscc.cli import main
from test_keepalived import _links, netns_with  # noqa: F401 (a fixture)
from tests import stubs

BASE = """\
lvs lab {
  director primary { public 192.0.2.2 dev eth0 private 10.11.12.2 dev eth1 }
  sync-daemon { interface eth1 }
  ipvs { conn_reuse_mode 1 }
  audit { nft-table lvscc_lab }
  forwarding direct { arp arptables }
  pool webs { server web1 192.0.2.21 server web2 192.0.2.22 }
  service web {
    vip 192.0.2.10/24 dev eth0:1
    tcp 80
    scheduler wlc
    persistence 300s
    persistence-engine sip
    servers webs
  }
  service marked {
    vip 192.0.2.11/24 dev eth0:2
    fwmark 7 { tcp 80, 443 }
    scheduler rr
    persistence 300s
    servers webs
  }
}
"""
SLOTS = {
    "cluster": ["lvs lab {"], "service": ["service web {"], "server": ["server web1 "], "pool": ["pool webs", "servers webs"],
    "device": ["dev eth0:1"], "label": ["eth0:1"], "sync-interface": ["interface eth1"], "ipvs-sysctl": ["conn_reuse_mode"],
    "nft-table": ["lvscc_lab"], "scheduler": ["scheduler wlc"], "engine": ["persistence-engine sip"],
}  # fmt: skip
PLACED = {
    "cluster": "lvs {} {{", "service": "service {} {{", "server": "server {} ", "pool": ("pool {}", "servers {}"),
    "device": "dev {}", "label": "eth0:{}", "sync-interface": "interface {}", "ipvs-sysctl": "{}", "nft-table": "{}",
    "scheduler": "scheduler {}", "engine": "persistence-engine {}",
}  # fmt: skip
PAYLOADS = ["x\ny", 'x"y', "x'y", "x}y", "$(id)", "`id`", "x;id", "LVSCC_EOF", "x\x1b[31m", "x\x07y", "chain",
            "filter", "a" * 300, "eth0:1:2", "_"]  # fmt: skip
BACKENDS = ("ipvsadm", "iptables", "nftables", "arptables", "sysctl", "rs-kit", "modules")


def config_with(slot: str, payload: str) -> str:
    text = BASE
    placed = PLACED[slot] if isinstance(PLACED[slot], tuple) else (PLACED[slot],)
    for original, form in zip(SLOTS[slot], placed):
        assert original in text
        text = text.replace(original, form.format(payload))
    return text


@pytest.fixture(scope="module")
def namespace() -> Iterator[str]:
    if os.geteuid() != 0:
        pytest.skip("needs root + network namespaces")
    name = f"lvscc-inj-{secrets.token_hex(4)}"
    subprocess.run(["ip", "netns", "add", name], check=True, timeout=30)
    try:
        yield name
    finally:
        subprocess.run(["ip", "netns", "del", name], timeout=30)


def in_namespace(name: str, *argv: str, stdin: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["ip", "netns", "exec", name, *argv], input=stdin, capture_output=True, text=True, timeout=60)


def run_kit(kit: Path, tmp: Path) -> list[str]:
    """The real-server kit run by sh with every tool it calls stubbed: the commands it ran."""
    env = stubs.install(tmp)
    # The kit pins its own PATH: point it at the stubs.
    script = tmp / "kit.sh"
    script.write_text(kit.read_text().replace("PATH=/usr/sbin:/usr/bin:/sbin:/bin\n", f"PATH={env['PATH']}\n"))
    done = subprocess.run(["sh", str(script)], cwd=tmp, env=env, capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    return Path(env["STUB_LOG"]).read_text().splitlines()


def verify(out: Path, tmp: Path, namespace: str) -> None:
    for path in sorted(out.rglob("*")):
        if not path.is_file() or path.name == "manifest.json":
            continue
        text = path.read_text()
        assert "\x1b" not in text and "\x07" not in text, path
        if path.name.endswith(".sh"):
            assert subprocess.run(["sh", "-n", str(path)], capture_output=True, timeout=30).returncode == 0, path
            calls = run_kit(path, tmp)
            assert any(c.startswith("arptables -A ") for c in calls) and any(c.startswith("ip addr replace ") for c in calls)
            assert all(c.split()[0] in stubs.TOOLS for c in calls), calls
        elif path.name == "lvscc.nft":
            done = in_namespace(namespace, "nft", "-c", "-f", "-", stdin=text)
            assert done.returncode == 0, done.stderr
        elif path.name == "rules.v4":
            done = in_namespace(namespace, "iptables-restore", "--test", stdin=text)
            assert done.returncode == 0, done.stderr
        elif path.name == "arptables.rules":
            done = in_namespace(namespace, "arptables-restore", stdin=text)
            assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("payload", PAYLOADS, ids=[repr(p)[1:20] for p in PAYLOADS])
@pytest.mark.parametrize("slot", sorted(SLOTS))
def test_hostile_value_is_refused_or_rendered_safely(slot: str, payload: str, tmp_path: Path, namespace: str,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "inj.lvs"
    config.write_text(config_with(slot, payload))
    out = tmp_path / "out"
    argv = ["compile", str(config), "-o", str(out), "--format", "json"]
    code = main([*argv, *(a for b in BACKENDS for a in ("--backend", b))])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    if code == 2:  # refused while writing (a host name too long for a directory): one clear line
        assert captured.err.startswith("lvscc compile: ") and len(captured.err.splitlines()) == 1, captured.err
        assert not out.exists()
        return
    if code != 0:
        errors = re.findall(r'"code": "(LVS\d{3})",\s*"severity": "error"', captured.out)
        assert code == 1 and errors, captured.out + captured.err
        assert not out.exists()
        return
    verify(out, tmp_path, namespace)


@pytest.mark.parametrize(("slot", "payload"), [(None, None), ("service", "LVSCC_EOF"), ("server", "_"), ("cluster", "chain")])
def test_names_the_grammar_allows_compile_into_files_the_tools_accept(slot: str | None, payload: str | None, tmp_path: Path,
                                                                      namespace: str, capsys: pytest.CaptureFixture[str]) -> None:
    """The suite's other half: these values pass, so their files are checked by the tools."""
    config = tmp_path / "ok.lvs"
    config.write_text(BASE if slot is None else config_with(slot, payload or ""))
    out = tmp_path / "out"
    code = main(["compile", str(config), "-o", str(out), *(a for b in BACKENDS for a in ("--backend", b))])
    capsys.readouterr()
    assert code == 0
    assert {p.name for p in out.rglob("*") if p.is_file()} >= {"lvscc.nft", "rules.v4", "arptables.rules", "lvscc-realserver.sh"}
    verify(out, tmp_path, namespace)


@pytest.mark.parametrize("payload", PAYLOADS, ids=[repr(p)[1:20] for p in PAYLOADS])
@pytest.mark.parametrize("slot", sorted(SLOTS))
def test_hostile_value_reaches_keepalived_only_as_keepalived_reads_it(slot: str, payload: str, tmp_path: Path,
                                                                       netns_with, capsys: pytest.CaptureFixture[str]) -> None:
    """The daemon's side of the suite: what compiles into keepalived.conf, keepalived -t accepts
    without a warning, in a namespace holding every interface the file names."""
    config = tmp_path / "inj.lvs"
    config.write_text(config_with(slot, payload))
    out = tmp_path / "out"
    code = main(["compile", str(config), "-o", str(out), "--format", "json", "--backend", "keepalived"])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    if code != 0:
        refused = code == 2 and captured.err.startswith("lvscc compile: ") or (code == 1 and re.search(
            r'"code": "(LVS\d{3})",\s*"severity": "error"', captured.out))
        assert refused and not out.exists(), captured.out + captured.err
        return
    for path in out.rglob("keepalived.conf"):
        text = path.read_text()
        assert "\x1b" not in text and "\x07" not in text, path
        done = subprocess.run(["ip", "netns", "exec", netns_with(_links(text)), "keepalived", "-t", "-f", str(path)],
                              capture_output=True, text=True, timeout=60)
        assert (done.returncode, done.stderr) == (0, ""), f"{done.stderr}\n{text}"
