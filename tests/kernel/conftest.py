"""Fixtures for the real-kernel IPVS tests. IPVS state is per network namespace, so every test
gets fresh namespaces and with them an empty IPVS table. On a kernel without IPVS (the usual
development host) they skip; tests/test_kernel_vm.py runs them inside a virtme-ng guest."""

from __future__ import annotations

import os
import platform
import secrets
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from .lab import Lab, NameServers, RealServer, add_netns, delete_netns

IP_VS_PROC = Path("/proc/net/ip_vs")


@pytest.fixture(scope="session")
def ipvs_kernel() -> None:
    if os.geteuid() != 0:
        pytest.skip("real-kernel IPVS tests need root")
    if not IP_VS_PROC.exists():
        subprocess.run(["modprobe", "ip_vs"], capture_output=True, timeout=60)
    if not IP_VS_PROC.exists():
        pytest.skip(
            f"IPVS not available in the running kernel ({platform.release()}); "
            "run these via the qemu/virtme-ng harness (tests/test_kernel_vm.py)"
        )


@pytest.fixture
def netns_factory(ipvs_kernel: None) -> Iterator[Callable[[], str]]:
    """Make fresh namespaces with lo up: a brand-new netns has no local FIB table, and IPVS then
    refuses every real server with EINVAL ("address not unicast")."""
    made: list[str] = []

    def make() -> str:
        name = f"lvsk-{secrets.token_hex(3)}"
        add_netns([name])
        made.append(name)
        return name

    yield make
    delete_netns(made)


@pytest.fixture
def ipvs_netns(netns_factory: Callable[[], str]) -> str:
    return netns_factory()


@pytest.fixture
def lab_factory(ipvs_netns: str) -> Iterator[Callable[..., Lab]]:
    labs: list[Lab] = []

    def build(servers: list[RealServer], compiled: Path | None = None) -> Lab:
        lab = Lab.build(ipvs_netns, servers, compiled)
        labs.append(lab)
        return lab

    yield build
    delete_netns([ns for lab in labs for ns in lab.namespaces])


@pytest.fixture
def name_servers() -> Iterator[NameServers]:
    servers = NameServers()
    yield servers
    servers.close()
