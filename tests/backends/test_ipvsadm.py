"""The ipvsadm backend: golden ipvsadm.rules for every sample and for configs built in code, each
line checked against ipvsadm 1.31's FMT_RULE printf formats and parsed back by the probe.
Regenerate the golden files with LVSCC_UPDATE_GOLDEN=1 and review the diff before committing."""

from __future__ import annotations

import contextlib
import re
from dataclasses import replace
from ipaddress import IPv4Address, ip_address, ip_interface
from pathlib import Path

import pytest

from goldenfile import expect_tree
from lvscc.load import load_file
from lvscc.lower import lower
from lvscc.model.config import (
    Config,
    Director,
    Forwarding,
    MarkPorts,
    Method,
    PortRange,
    Protocol,
    RealServer,
    Timeouts,
    Tunnel,
    TunnelType,
    VirtualService,
)
from lvscc.model.span import Span
from lvscc.model.state import HostState, Intent, IpvsDest, IpvsService, IpvsTimeouts, Origin
from lvscc.probes.ipvsadm import parse_save
from lvscc.render import Artifact, output_path, registry, render
from lvscc.syntax import ipvsadm

REPO = Path(__file__).resolve().parents[2]
GOLDEN = REPO / "tests" / "golden"
SAMPLES = sorted((REPO / "samples").glob("*.lvs"))
BACKEND = registry()["ipvsadm"]


# --- configs built in code, for what the samples do not show -----------------------------

def _span(line: int) -> Span:
    return Span("code.lvs", line, 3, line, 20)


def _server(name: str, address: str, line: int, **fields) -> RealServer:
    return RealServer(name, ip_address(address), span=_span(line), **fields)


def _service(name: str, vip: str, line: int, **fields) -> VirtualService:
    return VirtualService(name, vip=ip_interface(vip), vip_dev="eth0:1", span=_span(line), **fields)


def voip() -> Config:
    """SIP with the SIP persistence engine, one-packet DNS, and source hashing with both flags."""
    return Config(
        "voip",
        directors=(Director("primary", ip_address("192.0.2.2"), "eth0"),),
        services=(
            _service("sip", "192.0.2.50/24", 10, protocol=Protocol.UDP, port=5060, scheduler="rr", persistence=60,
                     persistence_engine="sip", servers=(_server("pbx1", "192.0.2.61", 11), _server("pbx2", "192.0.2.62", 12))),
            _service("dns", "192.0.2.53/24", 20, protocol=Protocol.UDP, port=53, scheduler="rr", one_packet=True,
                     servers=(_server("ns1", "192.0.2.71", 21),)),
            _service("web", "192.0.2.80/24", 30, protocol=Protocol.TCP, port=80, scheduler="sh",
                     sched_flags=("sh-port", "sh-fallback"), servers=(_server("w1", "192.0.2.81", 31),)),
        ),
        files=("code.lvs",),
    )


def assorted() -> Config:
    """Ordering and rarer options: services declared out of ipvsadm-save order, IPv4 and IPv6
    services under one mark, SCTP, an all-ports persistent service with a prefix-length mask,
    ipip and gre tunnels, NAT port remapping, thresholds, and a partial timeouts block."""
    gre = Forwarding(Method.TUNNEL, tunnel=Tunnel(TunnelType.GRE))
    marks = (MarkPorts(Protocol.TCP, (PortRange(8000, 8010),)),)
    return Config(
        "assorted",
        directors=(Director("backup", ip_address("203.0.113.3"), "eth0"), Director("primary", ip_address("203.0.113.2"), "eth0")),
        timeouts=Timeouts(tcp=3600, udp=60),
        services=(
            _service("mark6", "2001:db8::5/64", 10, fwmark=5, mark_ports=marks, persistence=120,
                     servers=(_server("six", "2001:db8::21", 11),)),
            _service("mark4", "203.0.113.5/24", 15, fwmark=5, mark_ports=marks, scheduler="lc",
                     servers=(_server("b", "203.0.113.22", 16), _server("a", "203.0.113.21", 17))),
            _service("sctp", "203.0.113.7/24", 20, protocol=Protocol.SCTP, port=3868, forwarding=gre,
                     servers=(_server("d1", "203.0.113.31", 21),)),
            _service("any", "203.0.113.6/24", 25, protocol=Protocol.TCP, port=0, persistence=900, persistence_mask=24,
                     servers=(_server("a", "203.0.113.21", 26),)),
            _service("app", "203.0.113.6/24", 30, protocol=Protocol.TCP, port=8080, scheduler="wrr",
                     forwarding=Forwarding(Method.NAT, gateway=ip_interface("203.0.113.254/24"), gateway_dev="eth1"),
                     servers=(_server("b", "203.0.113.22", 31, port=80, weight=0),
                              _server("a", "203.0.113.21", 32, port=8081, upper=200, lower=100),
                              _server("t", "203.0.113.41", 33, method=Method.TUNNEL))),
        ),
        files=("code.lvs",),
    )


CODE_CONFIGS = {"code-voip": voip, "code-assorted": assorted}


# --- rendering ---------------------------------------------------------------------------

def rules_of(config: Config) -> list[Artifact]:
    return render(config, lower(config), [BACKEND])


def build(name: str) -> Config:
    if name in CODE_CONFIGS:
        return CODE_CONFIGS[name]()
    # Loaded by its repository-relative name, which the generated comments quote.
    with contextlib.chdir(REPO):
        config, diagnostics = load_file(f"samples/{name}.lvs")
    assert config is not None, diagnostics
    return config


@pytest.fixture(scope="module", params=[path.stem for path in SAMPLES] + list(CODE_CONFIGS))
def case(request: pytest.FixtureRequest) -> tuple[str, Config, list[Artifact]]:
    config = build(request.param)
    return request.param, config, rules_of(config)


def test_matches_golden(case: tuple[str, Config, list[Artifact]]) -> None:
    name, _, artifacts = case
    assert artifacts, f"{name}: no director got an ipvsadm.rules"
    expect_tree(GOLDEN / name, {artifact.path: artifact.content for artifact in artifacts})


def test_every_director_and_only_directors_get_rules(case: tuple[str, Config, list[Artifact]]) -> None:
    _, config, artifacts = case
    directors = [h.host for h in lower(config).hosts if h.role == "director"]
    assert [a.host for a in artifacts] == directors
    assert all(a.path == f"{a.host}/ipvsadm.rules" and a.mode == 0o644 for a in artifacts)


# The exact printf formats of ipvsadm 1.31 -S -n (ipvsadm.c print_service_entry,
# print_tunnel_rule; checked against the strings in the installed /usr/sbin/ipvsadm).
_ADDR = r"(?:\d{1,3}(?:\.\d{1,3}){3}|\[[0-9a-f:]+\])"
_VIRTUAL = rf"(?:(?:-t|-u|--sctp-service) {_ADDR}:\d+|-f \d+(?: -6)?)"
_SERVICE_LINE = re.compile(rf"-A {_VIRTUAL} -s [a-z]+(?: -p \d+(?: -M [\d.]+)?)?(?: --pe [a-z]+)?(?: -o)?(?: -b [a-z0-9,-]+)?")
_CSUM = r"--tun-(?:no|rem)?csum"
_DEST_LINE = re.compile(
    rf"-a {_VIRTUAL} -r {_ADDR}:\d+ (?:-[mg] -w \d+|-i -w \d+ --tun-type (?:ipip|gue --tun-port \d+ {_CSUM}|gre {_CSUM}))"
    r"(?: -x \d+ -y \d+)?"  # thresholds: for ipvsadm -R only, save never prints them
)


def test_lines_are_ipvsadm_save_lines(case: tuple[str, Config, list[Artifact]]) -> None:
    for artifact in case[2]:
        lines = artifact.content.splitlines()
        assert lines[0].startswith("# Generated by lvscc") and "Do not edit" in lines[1]
        for line in lines:
            assert re.fullmatch(r"[\x20-\x7e]*", line), line
            if line.startswith("#") or line.startswith("--set "):
                continue
            assert _SERVICE_LINE.fullmatch(line) or _DEST_LINE.fullmatch(line), f"not an ipvsadm-save line: {line!r}"


def _without_thresholds(service: IpvsService) -> IpvsService:
    return replace(service, dests=tuple(replace(d, upper=0, lower=0) for d in service.dests))


def test_the_probe_reads_back_the_intended_table(case: tuple[str, Config, list[Artifact]]) -> None:
    """The auditor's reader of ipvsadm-save text sees exactly the lowered table (thresholds aside:
    the save format has none)."""
    _, config, artifacts = case
    intent = lower(config)
    for artifact in artifacts:
        # `--set` is for ipvsadm -R; a save dump (what the probe reads) never holds one.
        saved = "".join(line for line in artifact.content.splitlines(True) if not line.startswith("--set "))
        parsed = parse_save(re.sub(r" -x \d+ -y \d+$", "", saved, flags=re.M))
        assert parsed.services == tuple(_without_thresholds(s) for s in intent.host(artifact.host).ipvs)


# --- the template on hand-made states ----------------------------------------------------

def _host(**fields) -> HostState:
    return HostState("primary", "director", **fields)


def _render(host: HostState, cluster: str = "c", source: str = "c.lvs") -> str:
    (artifact,) = render(Config(cluster), Intent(cluster, (host,), source), [BACKEND])
    return artifact.content


WEB = IpvsService(4, Protocol.TCP, IPv4Address("192.0.2.10"), 80,
                  dests=(IpvsDest(IPv4Address("198.51.100.1"), 80, Method.DIRECT),),
                  origin=Origin("c.lvs", 3, "service web"))


def test_the_table_s_lines_are_the_syntax_module_s_lines(case: tuple[str, Config, list[Artifact]]) -> None:
    """The backend writes a service's lines with `service_lines`, which names the service once
    for all of its real servers: the same lines `service_line` and `dest_line` write one by one."""
    _, config, _ = case
    services = [s for host in lower(config).hosts for s in host.ipvs]
    assert services
    for service in services:
        one_by_one = [ipvsadm.service_line(service), *(ipvsadm.dest_line(d, service) for d in service.dests)]
        assert ipvsadm.service_lines(service) == one_by_one


def test_user_text_in_comments_cannot_break_out_of_the_line() -> None:
    evil = replace(WEB, origin=Origin("a\nb.lvs", 3, "service x\n-C"))
    text = _render(_host(ipvs=(evil,)), cluster="c\n-C", source="s\r\n-C")
    assert not any(line.startswith("-C") for line in text.splitlines())
    assert "# a?b.lvs:3 service x?-C\n" in text


def test_timeouts_line_only_with_a_timeouts_block() -> None:
    assert "--set" not in _render(_host(ipvs=(WEB,)))
    assert "\n--set 0 0 30\n" in _render(_host(ipvs=(WEB,), timeouts=IpvsTimeouts(udp=30)))


def test_thresholds_end_their_line_so_restore_applies_them() -> None:
    dest = IpvsDest(IPv4Address("198.51.100.1"), 80, Method.DIRECT, upper=9, lower=3,
                    origin=Origin("c.lvs", 4, "server a of service web"))
    text = _render(_host(ipvs=(replace(WEB, dests=(dest,)),)))
    assert "-a -t 192.0.2.10:80 -r 198.51.100.1:80 -g -w 1 -x 9 -y 3\n" in text


def test_empty_table_is_just_the_header() -> None:
    assert len(_render(_host()).splitlines()) == 2


@pytest.mark.parametrize(("layout", "path"), [("flat", "primary/ipvsadm.rules"), ("rhel", "primary/etc/sysconfig/ipvsadm"),
                                              ("debian", "primary/etc/ipvsadm.rules")])
def test_layouts(layout: str, path: str) -> None:
    assert output_path(BACKEND, _host(), "ipvsadm.rules", layout) == path
