"""Every numeric limit a rule claims, at its edges: the smallest and the largest value load
clean, one beyond either edge gets exactly the rule's code (docs/testing.md, "Boundaries").
The limits are lvscc/rules/_common.py's and docs/language.md's; a rule that stopped checking
one field (say a real server's port, so `port 70000` compiled to `-r ...:70000`) fails here.
The largest values together then compile to an ipvsadm.rules that carries them verbatim."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from lvscc.diagnostics import Diagnostic, Severity
from lvscc.load import load_text
from lvscc.lower import lower
from lvscc.probes.ipvsadm import parse_save
from lvscc.render import registry, render
from lvscc.rules import check
from lvscc.rules._common import FWMARK_MAX, INT_MAX, IPVSADM_WEIGHT_MAX, MAX_TIMEOUT, PORT_MAX, SYNC_ID_MAX

CLUSTER = """\
lvs lab {{
  {cluster}
  service web {{
    vip {vip} dev eth0
    {service}
    server web1 {server}
  }}
}}
"""
NAT = "forwarding nat {{ gateway 198.51.100.1/24 dev eth1 }}"


@dataclass(frozen=True)
class Limit:
    """One field: where its value goes in the config, its range, and the rule that guards it."""

    field: str
    code: str
    low: int
    high: int
    cluster: str = ""
    service: str = "tcp 80"
    server: str = "192.0.2.21"
    vip: str = "192.0.2.10/24"
    below: str | None = None  # the code for low-1, when another rule owns that value
    at_low: str | None = None  # advice the minimum draws though it is in range (weight 0: LVS174)

    def text(self, value: int) -> str:
        parts = {k: getattr(self, k).replace("{v}", str(value)) for k in ("cluster", "service", "server", "vip")}
        return CLUSTER.format(**{k: v.replace("{{", "{").replace("}}", "}") for k, v in parts.items()})


LIMITS = (
    Limit("service port", "LVS150", 0, PORT_MAX, service="tcp {v}\n    persistence"),
    Limit("real-server port (nat)", "LVS150", 0, PORT_MAX, cluster=NAT, server="198.51.100.21 port {v}"),
    Limit("real-server address:port (nat)", "LVS012", 0, PORT_MAX, cluster=NAT, server="198.51.100.21:{v}"),
    Limit("check port", "LVS150", 0, PORT_MAX, service="tcp 80\n    check {{ port {v} }}\n    quiesce"),
    Limit("gue tunnel port", "LVS150", 1, PORT_MAX, cluster="forwarding tunnel {{ type gue port {v} }}",
          server="198.51.100.21", below="LVS114"),
    Limit("fwmark port", "LVS150", 0, PORT_MAX, service="fwmark 7 {{ tcp {v} }}\n    persistence"),
    Limit("fwmark port range end", "LVS150", 0, PORT_MAX, service="fwmark 7 {{ tcp 0-{v} }}\n    persistence"),
    Limit("ftp passive range end", "LVS150", 0, PORT_MAX, service="ftp passive 0-{v}\n    persistence"),
    # a second server keeps weight 0 from being "every server drained" (LVS163)
    Limit("weight", "LVS107", 0, IPVSADM_WEIGHT_MAX, server="192.0.2.21 weight {v}\n    server web2 192.0.2.22",
          at_low="LVS174"),
    Limit("upper threshold", "LVS153", 0, INT_MAX, server="192.0.2.21 upper {v}"),
    Limit("lower threshold", "LVS153", 0, INT_MAX, server="192.0.2.21 lower {v}"),
    Limit("fwmark", "LVS151", 1, FWMARK_MAX, service="fwmark {v} {{ tcp 80 }}\n    persistence"),
    Limit("persistence", "LVS108", 1, MAX_TIMEOUT, service="tcp 80\n    persistence {v}s"),
    Limit("persistence prefix", "LVS156", 1, 128, service="tcp 80\n    persistence prefix {v}",
          server="2001:db8::21", vip="2001:db8::10/64"),
    Limit("sync-daemon id", "LVS152", 0, SYNC_ID_MAX, cluster="sync-daemon {{ interface eth1  id {v} }}"),
    Limit("tcp timeout", "LVS155", 0, MAX_TIMEOUT, cluster="timeouts {{ tcp {v}s }}"),
    Limit("tcpfin timeout", "LVS155", 0, MAX_TIMEOUT, cluster="timeouts {{ tcpfin {v}s }}"),
    Limit("udp timeout", "LVS155", 0, MAX_TIMEOUT, cluster="timeouts {{ udp {v}s }}"),
    Limit("heartbeat port", "LVS154", 1, PORT_MAX, cluster="heartbeat {{ port {v} }}"),
)


def _serious(text: str) -> list[Diagnostic]:
    config, found = load_text(text, "limits.lvs")
    if config is not None:
        found = found + check(config)
    # LVS134 (info) notes that marks match incoming traffic only: guidance, not a finding.
    return [d for d in found if d.severity is not Severity.INFO]


def _edges(limit: Limit) -> list[tuple[int, str | None]]:
    """(value, the code it gets): min and max pass, max+1 and, where the language can say it
    (a NUMBER is never negative), min-1 fail."""
    edges = [(limit.low, limit.at_low), (limit.high, None), (limit.high + 1, limit.code)]
    return edges + ([(limit.low - 1, limit.below or limit.code)] if limit.low > 0 else [])


CASES = [(limit, value, code) for limit in LIMITS for value, code in _edges(limit)]


@pytest.mark.parametrize(("limit", "value", "code"), CASES, ids=[f"{limit.field}={value}" for limit, value, _ in CASES])
def test_limit_edges(limit: Limit, value: int, code: str | None) -> None:
    found = _serious(limit.text(value))
    if code is None:
        assert found == [], [f"{d.code} {d.message}" for d in found]
    else:
        assert [d.code for d in found] == [code], [f"{d.code} {d.message}" for d in found]  # one finding, once
        assert all(str(value) in d.message for d in found if d.code == limit.code), [d.message for d in found]


AT_THE_MAXIMUM = f"""\
lvs lab {{
  forwarding nat {{ gateway 198.51.100.1/24 dev eth1 }}
  timeouts {{ tcp {MAX_TIMEOUT}s  tcpfin {MAX_TIMEOUT}s  udp {MAX_TIMEOUT}s }}
  sync-daemon {{ interface eth1  id {SYNC_ID_MAX} }}
  service web {{
    vip 192.0.2.10/24 dev eth0
    tcp {PORT_MAX}
    persistence {MAX_TIMEOUT}s
    server web1 198.51.100.21 port {PORT_MAX} weight {IPVSADM_WEIGHT_MAX} upper {INT_MAX} lower {INT_MAX}
  }}
  service mark {{
    vip 192.0.2.11/24 dev eth0
    fwmark {FWMARK_MAX} {{ tcp 0-{PORT_MAX} }}
    persistence {MAX_TIMEOUT}s
    server web2 198.51.100.22
  }}
}}
"""


def test_every_maximum_at_once_compiles_to_those_numbers() -> None:
    assert _serious(AT_THE_MAXIMUM) == []
    config, _ = load_text(AT_THE_MAXIMUM, "limits.lvs")
    assert config is not None
    rules = render(config, lower(config), [registry()["ipvsadm"]])[0].content
    assert f"\n--set {MAX_TIMEOUT} {MAX_TIMEOUT} {MAX_TIMEOUT}\n" in rules
    assert f"\n-A -t 192.0.2.10:{PORT_MAX} -s wlc -p {MAX_TIMEOUT}\n" in rules
    assert (f"\n-a -t 192.0.2.10:{PORT_MAX} -r 198.51.100.21:{PORT_MAX} -m -w {IPVSADM_WEIGHT_MAX} "
            f"-x {INT_MAX} -y {INT_MAX}\n") in rules
    assert f"\n-A -f {FWMARK_MAX} -s wlc -p {MAX_TIMEOUT}\n" in rules
    table = parse_save(rules)
    assert table.timeouts is not None and table.timeouts.udp == MAX_TIMEOUT
    assert {s.fwmark or s.port for s in table.services} == {FWMARK_MAX, PORT_MAX}


PORTS_OUT_OF_RANGE = """\
lvs lab {
  forwarding nat { gateway 198.51.100.1/24 dev eth1 }
  service web {
    vip 192.0.2.10/24 dev eth0
    tcp 70000
    server web1 198.51.100.21 port 70000
  }
}
"""


def test_a_port_finding_points_at_the_port_it_names() -> None:
    found = _serious(PORTS_OUT_OF_RANGE)
    lines = PORTS_OUT_OF_RANGE.splitlines()
    spots = sorted((d.span.line, lines[d.span.line - 1][d.span.column - 1:].split()[0]) for d in found)
    assert spots == [(5, "tcp"), (6, "port")], [f"{d.message} @{d.span.line}:{d.span.column}" for d in found]
