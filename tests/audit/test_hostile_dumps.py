"""Issue 11: nothing read from a dump or a live router may run as root. The exact reproducer
(a chain name that ends the plan's here-document and runs `id`), and the printed plans run by
`sh` against stub binaries, to prove what a shell would really do with them."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

import pytest

from lvscc.cli import main
from tests import stubs
from tests.audit.test_commands import SAMPLE, dump  # noqa: F401  (the fixture)

ATTACK = "prerouting handle 4\nLVSCC_EOF\nid > /tmp/PWNED\n: <<'LVSCC_EOF'"
MARK = [{"match": {"op": "==", "left": {"payload": {"protocol": "ip", "field": "daddr"}}, "right": "203.0.113.5"}},
        {"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": 80}},
        {"mangle": {"key": {"meta": {"key": "mark"}}, "value": 9}}]  # fmt: skip


def nft_dump(chain: str, table: str = "lvscc", family: str = "inet") -> str:
    return json.dumps({"nftables": [
        {"table": {"family": family, "name": table, "handle": 1}},
        {"rule": {"family": family, "table": table, "chain": chain, "handle": 4, "expr": MARK}},
    ]})  # fmt: skip


def plan_of(capsys: pytest.CaptureFixture[str], dump: Path) -> tuple[int, str, str]:  # noqa: F811
    code = main(["plan", str(SAMPLE), "--from-dump", str(dump)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.parametrize(("where", "value"), [("chain", ATTACK), ("table", ATTACK), ("family", "inet lvscc x;id")])
def test_the_nft_json_reproducer_is_refused(dump: Path, capsys: pytest.CaptureFixture[str],  # noqa: F811
                                            where: str, value: str) -> None:
    names = {"chain": "prerouting", "table": "lvscc", "family": "inet", where: value}
    (dump / "nft.json").write_text(nft_dump(**names))
    code, out, err = plan_of(capsys, dump)
    if where == "table":  # not the config's table, so foreign: reported, never written into a plan
        assert code == 0 and "id >" not in out
        code = main(["audit", str(SAMPLE), "--from-dump", str(dump), "--format", "text"])
        shown = capsys.readouterr().out
        assert "nft table inet prerouting handle 4?LVSCC_EOF?id > /tmp/PWNED?" in shown
        return
    assert code == 2 and out == ""
    assert len(err.splitlines()) == 1 and "nft.json" in err and "\x1b" not in err
    assert not Path("/tmp/PWNED").exists()


def test_iptables_names_that_iptables_could_not_print_are_refused(dump: Path, capsys: pytest.CaptureFixture[str]) -> None:  # noqa: F811
    (dump / "iptables.rules").write_text(
        '*nat;id\n-A POSTROUTING -s 10.11.12.0/24 -m comment --comment "lvscc: x" -j MASQUERADE\nCOMMIT\n')
    code, out, err = plan_of(capsys, dump)
    assert code == 2 and out == "" and "iptables table 'nat;id'" in err


def test_a_printed_plan_runs_only_its_commands(dump: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:  # noqa: F811
    """A legitimate extra nft rule and a changed weight: `sh -n` accepts the plan, and run
    against stubs it calls exactly the commands it shows, nft reading its whole transaction."""
    (dump / "nft.json").write_text(nft_dump("prerouting"))
    ipvs = dump / "ipvsadm.rules"
    ipvs.write_text(ipvs.read_text().replace("-r 10.11.12.2:80 -m -w 2", "-r 10.11.12.2:80 -m -w 5", 1))
    code, out, _ = plan_of(capsys, dump)
    assert code == 1 and "<<'LVSCC_EOF_" in out
    script = tmp_path / "plan.sh"
    script.write_text(out)
    assert subprocess.run(["sh", "-n", str(script)], capture_output=True, timeout=30).returncode == 0
    env = stubs.install(tmp_path)
    done = subprocess.run(["sh", str(script)], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "calls.log").read_text() == (
        "ipvsadm -e -t 192.168.26.10:80 -r 10.11.12.2:80 -m -w 2\n"
        "nft -f -\n"
        "delete rule inet lvscc prerouting handle 4\n"
    )


NESTED = "[" * 200_000
HOSTILE = [
    ("nft.json", b"[]"), ("nft.json", b"null"), ("nft.json", b"1"), ("nft.json", b'{"nftables": [1]}'),
    ("nft.json", NESTED.encode()), ("nft.json", b'{"nftables": [{"rule": {"table": "lvscc", "handle": 4}}]}'),
    ("addresses.json", b"[1]"), ("addresses.json", b'{"ifname": "eth0"}'), ("addresses.json", NESTED.encode()),
    ("addresses.json", b'[{"ifname": 3, "addr_info": [{"family": "inet", "local": "192.0.2.1", "prefixlen": 24}]}]'),
    ("addresses.json", b'[{"ifname": "e", "addr_info": [{"family": "inet", "local": 1, "prefixlen": "24"}]}]'),
    ("links.json", b'"x"'), ("links.json", b'[{"ifname": 1, "linkinfo": {"info_kind": "ipip"}}]'),
    ("routes.json", b'[{"dst": 1}]'), ("routes.json", b'[{"dst": "default", "metric": "x"}]'),
    ("iptables.rules", b"*nat\n-A \n"), ("arptables.rules", b"-A \n"), ("ipvsadm.rules", b"-A\n"),
    ("ipvsadm.rules", b"-a -t 192.168.26.10:80 -r 10.11.12.2:80 -m -w 0x" + b"f" * 4000 + b"\n"),
    ("ipvsadm.rules", b"-a -t 192.168.26.10:80 -r 10.11.12.2:80 -m -w " + b"9" * 5000 + b"\n"),
    ("iptables.rules", b"*nat\n-A POSTROUTING " + b"-s 10.0.0.0/8 " * 60_000 + b"\n"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "data"), HOSTILE, ids=[f"{n}:{d[:24]!r}" for n, d in HOSTILE])
def test_hostile_dumps_exit_2_with_one_line(dump: Path, capsys: pytest.CaptureFixture[str], name: str, data: bytes) -> None:  # noqa: F811
    (dump / name).write_bytes(data)
    if name == "routes.json":
        (dump / "routes6.json").write_text("[]")
    started = time.perf_counter()
    code = main(["audit", str(SAMPLE), "--from-dump", str(dump), "--format", "text"])
    err = capsys.readouterr().err
    assert time.perf_counter() - started < 60  # a hang guard (a loop on hostile input), not a speed claim
    assert code == 2 and len(err.splitlines()) == 1 and err.startswith(f"lvscc audit: {name}"), err


@pytest.mark.parametrize("name", ["ipvsadm.rules", "nft.json", "iptables.rules", "ip6tables.rules", "arptables.rules",
                                  "sysctl.txt", "modules.txt", "addresses.json", "links.json", "fou.json",
                                  "routes.json", "ipvs-timeouts.txt"])  # fmt: skip
def test_dumps_that_are_not_utf8_exit_2(dump: Path, capsys: pytest.CaptureFixture[str], name: str) -> None:  # noqa: F811
    (dump / name).write_bytes(b"-A -t 192.0.2.10:80 -s rr \xff\xfe\n")
    code = main(["audit", str(SAMPLE), "--from-dump", str(dump), "--format", "text"])
    err = capsys.readouterr().err
    assert code == 2 and len(err.splitlines()) == 1 and f"{name}: not UTF-8 text" in err
