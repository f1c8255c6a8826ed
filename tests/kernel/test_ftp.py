"""FTP through a real IPVS director, active and passive, from the compiled artifacts alone: the
director's modules, sysctls, netfilter rules (which attach the ftp conntrack helper) and IPVS
table, and the real servers' kits. The client is Python's ftplib and trusts the address in the
PASV reply, so behind NAT a transfer succeeds only if ip_vs_ftp rewrote it to the VIP."""

from __future__ import annotations

import ftplib
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from .ftp import FtpServer, payload
from .ipvs import CASES, assert_round_trip, compile_lvs
from .lab import VIP, Lab, entered, in_netns, run
from .test_traffic import DIRECT_SERVERS, NAT_SERVERS

pytestmark = pytest.mark.kernel

PASSIVE = (10000, 20000)  # the cases' `ftp passive` range
NETFILTER = {"rules.v4": ("iptables", ("iptables-restore",)), "lvscc.nft": ("nftables", ("nft", "-f"))}


@pytest.fixture
def ftp_servers() -> Iterator[list[FtpServer]]:
    started: list[FtpServer] = []
    yield started
    for server in started:
        server.close()


def _lines(path: Path) -> list[str]:
    return [ln.strip() for ln in path.read_text().splitlines() if ln.strip() and not ln.startswith("#")]


def _transfer(client: str, passive: bool) -> bytes:
    with entered(client):  # ftplib opens its sockets (the active-mode listener too) in the client
        ftp = ftplib.FTP(timeout=10)
        ftp.trust_server_pasv_ipv4_address = True
        ftp.connect(str(VIP), 21)
        ftp.login()
        ftp.set_pasv(passive)
        chunks: list[bytes] = []
        ftp.retrbinary("RETR file", chunks.append)
        ftp.quit()
    return b"".join(chunks)


@pytest.mark.parametrize(("case", "rules"), [("ftp-nat", "rules.v4"), ("ftp-nat", "lvscc.nft"),
                                             ("ftp-direct", "rules.v4")],
                         ids=["nat-iptables", "nat-nftables", "direct-iptables"])
def test_active_and_passive_transfers_through_the_vip(case: str, rules: str, lab_factory: Callable[..., Lab],
                                                      ftp_servers: list[FtpServer], tmp_path: Path) -> None:
    servers = NAT_SERVERS if case == "ftp-nat" else DIRECT_SERVERS
    backend, loader = NETFILTER[rules]
    compiled = tmp_path / "compiled"
    compile_lvs(CASES / f"{case}.lvs", compiled, ["modules", "sysctl", "ipvsadm", "rs-kit", backend])
    director = compiled / "primary"
    for module in _lines(director / "lvscc-modules.conf"):  # before the sysctls: net.ipv4.vs.* need ip_vs
        run("modprobe", module)
    lab = lab_factory(servers, compiled)
    in_netns(lab.director, *loader, str(director / rules))
    assert_round_trip(lab.director, (director / "ipvsadm.rules").read_text(), f"case {case}")
    ftp_servers += [FtpServer(lab.netns_of[rs.name], rs.name, PASSIVE) for rs in servers]

    first = _transfer(lab.client, passive=True)
    name = first.split(b"\n", 1)[0].decode()
    assert first == payload(name)
    # Persistence (and ip_vs_ftp behind NAT) keep the client on one server for every connection.
    assert _transfer(lab.client, passive=False) == payload(name)
    assert _transfer(lab.client, passive=True) == payload(name)
    assert {s.name: s.sessions for s in ftp_servers}[name] == 3
