"""Any bytes in any dump file a probe reads give an audit, a plan, or one clear error (exit 2),
never a traceback, in bounded time (issue 11): hypothesis mutates a realistic dump of every
kind and runs the whole read -> diff -> report -> plan path on it, and the target profile
through `check --target`'s reader."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lvscc.audit import diff, scope_for
from lvscc.drift_report import FORMATS, Report, render
from lvscc.lower import lower
from lvscc.pipeline import check_file
from lvscc.plan import PlanOptions, plan
from lvscc.plan import render as render_plan
from lvscc.probes import ProbeError, from_dumps
from lvscc.syntax import Refused
from lvscc.router_profile import ProfileError, load_profile
from tests.mutation import mutate

REPO = Path(__file__).resolve().parents[2]
CONFIG = check_file(REPO / "samples" / "guide-nat.lvs").config
assert CONFIG is not None
INTENT = lower(CONFIG).chosen("primary")

SEEDS = {
    "ipvsadm.rules": "--set 900 120 300\n-A -t 192.168.26.10:80 -s wlc -p 300 -M 255.255.255.0\n"
                     "-a -t 192.168.26.10:80 -r 10.11.12.1:80 -m -w 1 -x 0 -y 0\n"
                     "-A -f 7 -6 -s rr --pe sip -b sh-port\n-a -f 7 -6 -r [2001:db8::2]:0 -i -w 1 --tun-type gue --tun-port 6080\n",
    "ipvs-timeouts.txt": "Timeout (tcp tcpfin udp): 900 120 300\n",
    "nft.json": json.dumps({"nftables": [
        {"metainfo": {"json_schema_version": 1}},
        {"table": {"family": "inet", "name": "lvscc", "handle": 1}},
        {"table": {"family": "inet", "name": "filter", "handle": 2}},
        {"rule": {"family": "inet", "table": "lvscc", "chain": "prerouting", "handle": 4, "expr": [
            {"match": {"op": "==", "left": {"payload": {"protocol": "ip", "field": "daddr"}}, "right": "192.0.2.10"}},
            {"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}},
                       "right": {"set": [80, {"range": [8000, 8010]}]}}},
            {"mangle": {"key": {"meta": {"key": "mark"}}, "value": 9}}]}},
        {"rule": {"family": "inet", "table": "lvscc", "chain": "nat_postrouting", "handle": 5, "expr": [
            {"match": {"op": "==", "left": {"payload": {"protocol": "ip", "field": "saddr"}},
                       "right": {"prefix": {"addr": "10.11.12.0", "len": 24}}}}, {"masquerade": None}]}},
    ]}),  # fmt: skip
    "iptables.rules": "*mangle\n:PREROUTING ACCEPT [0:0]\n-A PREROUTING -d 192.0.2.10/32 -p tcp -m multiport --dports 80,443 "
                      '-m comment --comment "lvscc: a.lvs:3" -j MARK --set-xmark 0x9/0xffffffff\nCOMMIT\n'
                      '*nat\n-A POSTROUTING -s 10.11.12.0/24 -m comment --comment "lvscc" -j MASQUERADE\n'
                      "-A PREROUTING -d 192.0.2.10/32 -p tcp --dport 80 -j REDIRECT\nCOMMIT\n",
    "ip6tables.rules": '*nat\n-A POSTROUTING -s 2001:db8::/64 -p udp --sport 53 -m comment --comment "lvscc" -j MASQUERADE\nCOMMIT\n',
    "arptables.rules": "*filter\n:INPUT ACCEPT\n-A INPUT -d 192.0.2.10 -j DROP\n"
                       "-A OUTPUT -s 192.0.2.10 -j mangle --mangle-ip-s 198.51.100.2\n-A IN -j ACCEPT -i eth0\n",
    "sysctl.txt": "net.ipv4.ip_forward = 1\nnet.ipv4.vs.sync_threshold = 3\t50\nnet/ipv4/conf/all/arp_ignore = 1\n",
    "modules.txt": "ip_vs 188416 2 ip_vs_wlc, Live 0x0\nip_vs_wlc 12288 1 - Live 0x0\n",
    "addresses.json": json.dumps([{"ifname": "eth0", "addr_info": [
        {"family": "inet", "local": "192.168.26.10", "prefixlen": 24, "label": "eth0:1"},
        {"family": "inet6", "local": "2001:db8::1", "prefixlen": 64}]}]),  # fmt: skip
    "routes.json": json.dumps([{"dst": "default", "gateway": "10.11.12.10", "metric": 0},
                               {"dst": "192.0.2.0/24", "nexthops": [{"gateway": "10.11.12.1"}, {"gateway": "10.11.12.2"}]}]),
    "routes6.json": "[]",
    "links.json": json.dumps([{"ifname": "tunl0", "flags": ["NOARP", "UP"], "linkinfo": {"info_kind": "ipip"}}]),
    "fou.json": json.dumps([{"port": 6080, "gue": None, "family": "inet"}, {"port": 5555, "ipproto": 4}]),
}
PROFILE = json.dumps({"kernel": "6.1.0", "ipvs_modules": ["ip_vs", "ip_vs_wlc"], "notes": []})
TOKENS = ["[", "]", "{", "}", '"', "\\", ",", ":", "\n", "\x00", "\x1b[31m", "\x07", "null", "1e999", "-1",
          '"\\ud800"', "\\u0000", "[" * 3000, "99999999999999999999999", "0x", "-A ", "-A", "-a", "#", "'",
          "*nat", "COMMIT", "--comment", "lvscc", " = ", "/", "::", "[/bold]", "prerouting handle 4\nLVSCC_EOF\n"]


@st.composite
def mutated(draw: st.DrawFn, seed: str) -> bytes:
    return mutate(draw, seed.encode(), [t.encode("utf-8", "surrogatepass") for t in TOKENS])


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(
        ["nftables", "table", "rule", "family", "name", "chain", "handle", "expr", "match", "left", "right", "ifname",
         "addr_info", "local", "prefixlen", "label", "dst", "gateway", "metric", "nexthops", "linkinfo", "info_kind",
         "flags", "port", "gue", "payload", "protocol", "field", "mangle", "set", "range", "prefix"]), inner, max_size=5),
    max_leaves=25,
)


@st.composite
def dump_files(draw: st.DrawFn) -> dict[str, bytes]:
    names = draw(st.lists(st.sampled_from(sorted(SEEDS)), min_size=1, max_size=4, unique=True))
    files = {name: draw(mutated(SEEDS[name])) for name in names}
    json_names = [n for n in names if n.endswith(".json")]
    if json_names and draw(st.booleans()):
        files[draw(st.sampled_from(json_names))] = json.dumps(draw(JSON_VALUES)).encode()
    return files


@settings(max_examples=120, deadline=2000, suppress_health_check=[HealthCheck.too_slow])
@given(files=dump_files())
def test_any_dump_audits_plans_or_is_refused(files: dict[str, bytes]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        for name, data in files.items():
            Path(tmp, name).write_bytes(data)
        try:
            observation = from_dumps(Path(tmp), INTENT.host, INTENT.role, CONFIG.audit.nft_table)
        except ProbeError as error:
            assert str(error) and "\n" not in str(error) and "\x1b" not in str(error)
            return
    scope = scope_for(INTENT, CONFIG.audit, observation.sections)
    drifts = diff(INTENT, observation.state, CONFIG.audit, scope)
    report = Report(INTENT.host, "fuzz", tuple(drifts), observation.sections, observation.notes)
    for fmt in FORMATS:
        shown = render(report, fmt)
        shown.encode("utf-8")  # printable to a UTF-8 terminal: no lone surrogate left
        assert "\x1b" not in shown and "\x07" not in shown
    try:
        render_plan(plan(drifts, PlanOptions()))
    except Refused:
        pass


@settings(max_examples=60, deadline=2000)
@given(data=mutated(PROFILE) | JSON_VALUES.map(lambda v: json.dumps(v).encode()))
def test_any_target_profile_loads_or_is_refused(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp, "profile.json")
        path.write_bytes(data)
        try:
            load_profile(path)
        except ProfileError:
            pass
