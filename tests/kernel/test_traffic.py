"""End-to-end traffic through a real IPVS director: client -> VIP -> real servers, each in its own
namespace, with the director's table loaded from the lab cases in tests/kernel/cases/."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from ipaddress import IPv4Address
from pathlib import Path

import pytest

from .ipvs import CASES, assert_round_trip, compile_lvs, compiler_available, load_case
from .lab import CLIENT, CLIENT_2, VIP, Lab, NameServers, RealServer, connect, get, in_netns, request

pytestmark = pytest.mark.kernel

NAT_SERVERS = [RealServer("rs1", IPv4Address("198.51.100.11"), "nat"),
               RealServer("rs2", IPv4Address("198.51.100.12"), "nat")]
DIRECT_SERVERS = [RealServer("rs1", IPv4Address("192.0.2.11"), "direct"),
                  RealServer("rs2", IPv4Address("192.0.2.12"), "direct")]

LabFactory = Callable[..., Lab]


def start(lab_factory: LabFactory, servers: list[RealServer], case: str, name_servers: NameServers,
          tmp_path: Path, ports: Sequence[int] = (80,)) -> Lab:
    lab = lab_factory(servers)
    load_case(lab.director, case, tmp_path)
    for rs in servers:
        for port in ports:
            name_servers.listen(lab.netns_of[rs.name], rs.name, port)
    return lab


def test_nat_cluster_answers_through_the_vip(lab_factory: LabFactory, name_servers: NameServers,
                                             tmp_path: Path) -> None:
    lab = start(lab_factory, NAT_SERVERS, "nat", name_servers, tmp_path)
    answers = [get(lab.client, VIP) for _ in range(4)]
    assert sorted(answers) == ["rs1", "rs1", "rs2", "rs2"]
    # NAT rewrote the destination: each real server saw the connection on its own address.
    assert name_servers.local_addresses == {rs.name: {str(rs.address)} for rs in NAT_SERVERS}


def test_direct_routing_cluster_answers(lab_factory: LabFactory, name_servers: NameServers,
                                        tmp_path: Path) -> None:
    lab = start(lab_factory, DIRECT_SERVERS, "direct", name_servers, tmp_path)
    answers = [get(lab.client, VIP) for _ in range(4)]
    assert sorted(answers) == ["rs1", "rs1", "rs2", "rs2"]
    # Direct routing left the destination alone: the real servers took the VIP itself...
    assert name_servers.local_addresses == {rs.name: {str(VIP)} for rs in DIRECT_SERVERS}
    # ...and, with arp_ignore/arp_announce, only the director ever answered ARP for it.
    director_mac = in_netns(lab.director, "cat", "/sys/class/net/br-pub/address").strip()
    neighbour = in_netns(lab.client, "ip", "neigh", "show", str(VIP)).split()
    assert neighbour[neighbour.index("lladdr") + 1] == director_mac


@pytest.mark.skipif(not compiler_available(), reason="lvscc has no compile command yet")
@pytest.mark.parametrize(("case", "servers"), [("nat", NAT_SERVERS), ("direct", DIRECT_SERVERS)],
                         ids=["nat", "direct"])
def test_compiled_artifacts_alone_make_the_cluster_answer(case: str, servers: list[RealServer],
                                                          lab_factory: LabFactory, name_servers: NameServers,
                                                          tmp_path: Path) -> None:
    """Only cabling and addresses by hand: the director's sysctls and IPVS table and the real
    servers' preparation (routes, VIP on lo, ARP sysctls) all come from `lvscc compile`."""
    compiled = tmp_path / "compiled"
    compile_lvs(CASES / f"{case}.lvs", compiled)
    lab = lab_factory(servers, compiled)
    assert_round_trip(lab.director, (compiled / "primary" / "ipvsadm.rules").read_text(), f"case {case}")
    for rs in servers:
        name_servers.listen(lab.netns_of[rs.name], rs.name, 80)
    assert sorted(get(lab.client, VIP) for _ in range(4)) == ["rs1", "rs1", "rs2", "rs2"]


def test_wrr_weights_split_the_load(lab_factory: LabFactory, name_servers: NameServers, tmp_path: Path) -> None:
    lab = start(lab_factory, NAT_SERVERS, "wrr", name_servers, tmp_path)
    answers = [get(lab.client, VIP) for _ in range(400)]
    assert abs(answers.count("rs1") / 400 - 0.25) <= 0.05, answers.count("rs1")
    assert abs(answers.count("rs2") / 400 - 0.75) <= 0.05, answers.count("rs2")


def test_persistence_keeps_a_client_on_one_server(lab_factory: LabFactory, name_servers: NameServers,
                                                  tmp_path: Path) -> None:
    lab = start(lab_factory, NAT_SERVERS, "persistent", name_servers, tmp_path)
    first = {get(lab.client, VIP, source=CLIENT) for _ in range(8)}
    second = {get(lab.client, VIP, source=CLIENT_2) for _ in range(8)}
    assert len(first) == len(second) == 1, (first, second)
    # rr hands the second client the other server: it is persistence that holds each one.
    assert first != second


@pytest.mark.skipif(not compiler_available(), reason="lvscc has no compile command yet")
@pytest.mark.parametrize("marks", ["rules.v4", "lvscc.nft"], ids=["iptables", "nftables"])
def test_fwmark_service_sends_both_ports_to_one_server(marks: str, lab_factory: LabFactory,
                                                      name_servers: NameServers, tmp_path: Path) -> None:
    """The marks come from the compiled iptables-restore file or nft script, as on a router."""
    lab = start(lab_factory, NAT_SERVERS, "fwmark", name_servers, tmp_path, ports=(80, 443))
    compiled = tmp_path / "marks"
    compile_lvs(CASES / "fwmark.lvs", compiled, ["iptables", "nftables"])
    loader = ("iptables-restore",) if marks == "rules.v4" else ("nft", "-f")
    in_netns(lab.director, *loader, str(compiled / "primary" / marks))
    first = {get(lab.client, VIP, port, source=CLIENT) for port in (80, 443, 80, 443)}
    second = {get(lab.client, VIP, port, source=CLIENT_2) for port in (443, 80, 443, 80)}
    assert len(first) == len(second) == 1, (first, second)
    assert first != second


def test_quiesced_server_gets_no_new_connections(lab_factory: LabFactory, name_servers: NameServers,
                                                 tmp_path: Path) -> None:
    lab = start(lab_factory, NAT_SERVERS, "nat", name_servers, tmp_path)
    assert sorted(get(lab.client, VIP) for _ in range(2)) == ["rs1", "rs2"]
    before = name_servers.hits.copy()
    held = connect(lab.client, VIP, 80)
    holder = name_servers.wait_for_new_connection(before)
    address = {rs.name: rs.address for rs in NAT_SERVERS}[holder]
    in_netns(lab.director, "ipvsadm", "-e", "-t", f"{VIP}:80", "-r", f"{address}:80", "-m", "-w", "0")
    hits = name_servers.hits[holder]
    others = {get(lab.client, VIP) for _ in range(10)}
    assert holder not in others
    assert name_servers.hits[holder] == hits
    # Quiescing is graceful: the connection the server already had still gets its answer.
    assert request(held) == holder
