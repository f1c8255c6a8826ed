"""What the kernel oracle (tests/kernel/test_keepalived_oracle.py) stands on, proved without IPVS:
the copy keepalived loads has no checker left and keepalived still accepts it, and the table
comparison sees every field it claims to compare."""

from __future__ import annotations

import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from keepalived_oracle import Table, checkers_in, net_namespace, without_checkers  # noqa: E402
from real_world import can_run_keepalived, corpus_files, keepalived_accepts  # noqa: E402

CUT = [
    # own lines, nested blocks, braces in quotes and comments
    ('real_server 192.0.2.2 80 {\n  weight 2\n  HTTP_GET {\n    url { path "/{x}" }  # }\n'
     '    connect_timeout 3\n  }\n}\n',
     "real_server 192.0.2.2 80 {\n  weight 2\n  \n\n\n\n}\n"),
    # inline, with the real server's brace after it
    ("real_server 192.0.2.2 80 { weight 1 TCP_CHECK { connect_timeout 3 } }\n",
     "real_server 192.0.2.2 80 { weight 1  }\n"),
    # inside a multi-line parameter: every continuation survives
    ("$RS=real_server 192.0.2.2 80 { \\\n  TCP_CHECK { \\\n    retry 3 \\\n  } \\\n}\n",
     "$RS=real_server 192.0.2.2 80 { \\\n   \\\n \\\n \\\n}\n"),
    # a word that only contains a checker's name, and one in quotes, stay
    ('$TCP_CHECK_PORT=80\nnotify "TCP_CHECK {"\nMY_TCP_CHECK\n',
     '$TCP_CHECK_PORT=80\nnotify "TCP_CHECK {"\nMY_TCP_CHECK\n'),
]


@pytest.mark.parametrize(("text", "cut"), CUT)
def test_checker_blocks_are_cut_and_every_line_stays(text: str, cut: str) -> None:
    assert without_checkers(text.encode()).decode() == cut
    assert not checkers_in(cut.encode())


def test_bytes_that_are_not_utf8_pass_through() -> None:
    text = b"# caf\xe9\nvirtual_server 192.0.2.1 80 {\n  MISC_CHECK { misc_path \"\xff\" }\n}\n"
    assert without_checkers(text) == b"# caf\xe9\nvirtual_server 192.0.2.1 80 {\n  \n}\n"


SAVE = """-A -t 192.0.2.10:80 -s wlc -p 300
-a -t 192.0.2.10:80 -r 198.51.100.3:80 -m -w 2
-a -t 192.0.2.10:80 -r 198.51.100.2:80 -m -w 1
-A -f 7 -6 -s rr
-a -f 7 -6 -r [2001:db8::2]:0 -g -w 1
"""
LISTING = """IP Virtual Server version 1.2.1 (size=4096)
Prot LocalAddress:Port            Uthreshold Lthreshold ActiveConn InActConn
  -> RemoteAddress:Port
TCP  192.0.2.10:80 wlc persistent 300
  -> 198.51.100.2:80              0          0          0          0
  -> 198.51.100.3:80              40         10         0          0
FWM  7 IPv6 rr
  -> [2001:db8::2]:0              5          0          0          0
"""
TIMEOUT = "Timeout (tcp tcpfin udp): 900 120 300\n"


def _shown(save: str = SAVE, listing: str = LISTING, timeout: str = TIMEOUT) -> Table:
    return Table.read(f"{save}%%\n{listing}%%\n{timeout}")


def test_table_orders_services_and_servers_and_carries_thresholds() -> None:
    moved = SAVE.splitlines()
    reordered = "\n".join(moved[3:] + [moved[0], moved[2], moved[1]]) + "\n"
    assert _shown(reordered) == _shown()
    assert "-r 198.51.100.3:80 -m -w 2 -x 40 -y 10" in _shown().text
    assert "-r [2001:db8::2]:0 -g -w 1 -x 5 -y 0" in _shown().text
    assert _shown().services == 2


def test_a_destination_the_dump_lists_twice_is_seen() -> None:
    """The table is read as dumped: a torn dump (servers listed twice, configs_1809 under load)
    differs, so the kernel test's settled read, not the comparison, has to wait it out."""
    doubled = SAVE.replace("-a -t 192.0.2.10:80 -r 198.51.100.2:80 -m -w 1\n",
                           "-a -t 192.0.2.10:80 -r 198.51.100.2:80 -m -w 1\n" * 2)
    assert doubled != SAVE
    assert _shown(doubled) != _shown()


@pytest.mark.parametrize("change", [
    lambda s, l, t: (s.replace("-w 2", "-w 3"), l, t),  # a weight
    lambda s, l, t: (s.replace("-m -w 1", "-g -w 1"), l, t),  # a method
    lambda s, l, t: (s.replace("-p 300", "-p 360"), l, t),  # an option
    lambda s, l, t: (s.replace(" -6", ""), l.replace("FWM  7 IPv6", "FWM  7"), t),  # the family
    lambda s, l, t: (s, l.replace("40         10", "40         0 "), t),  # a threshold
    lambda s, l, t: (s, l, t.replace("900", "960")),  # a timeout
    lambda s, l, t: ("\n".join(s.splitlines()[:2]) + "\n", l, t),  # a real server
])
def test_table_sees_every_field(change) -> None:  # noqa: ANN001 - a lambda over three strings
    assert _shown(*change(SAVE, LISTING, TIMEOUT)) != _shown()


def test_every_real_file_keepalived_accepts_stays_accepted_without_its_checkers() -> None:
    files = [p for p in corpus_files() if checkers_in(p.read_bytes())]
    if not files:
        pytest.skip("no real-world corpus beside the repository")
    if not can_run_keepalived():
        pytest.skip("needs root, ip netns and keepalived for `keepalived -t`")
    with ThreadPoolExecutor(max_workers=4) as pool:
        accepted = [p for p, ok in zip(files, pool.map(keepalived_accepts, files)) if ok]
        with tempfile.TemporaryDirectory() as folder:
            copies = [Path(folder) / p.name for p in accepted]
            for path, copy in zip(accepted, copies):
                copy.write_bytes(without_checkers(path.read_bytes()))
                assert not checkers_in(copy.read_bytes()), path.name
                assert copy.read_bytes().count(b"\n") == path.read_bytes().count(b"\n"), path.name
            lost = [p.name for p, ok in zip(accepted, pool.map(keepalived_accepts, copies)) if not ok]
    assert accepted, "keepalived accepted no corpus file with a checker"
    assert not lost, f"keepalived -t accepts these, but not once their checkers are cut: {lost}"


def test_the_namespace_a_file_switches_to_is_read_as_keepalived_reads_it(tmp_path: Path) -> None:
    """The oracle loads a file that sets `net_namespace` inside that namespace: the name comes
    through the preprocessor under the oracle's config id, an undefined `$NAME` as written."""
    cases = {
        "net_namespace low\n": "low",
        "@^samson net_namespace $NAME\n": "$NAME",
        "$NS=blue\n@^samson net_namespace $NS\n": "blue",
        "@low net_namespace low\n": None,  # a config id the oracle never runs under
        "virtual_server 192.0.2.1 80 {\n}\n": None,
    }
    for i, (text, expected) in enumerate(cases.items()):
        conf = tmp_path / f"{i}.conf"
        conf.write_text(text)
        assert net_namespace(conf) == expected, text
