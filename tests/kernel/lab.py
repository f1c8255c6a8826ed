"""A small LVS lab inside one (guest) kernel: a director netns, a client netns and one netns per
real server, joined by two bridges that live in the director's namespace.

Address plan (documentation ranges only):
  public segment  192.0.2.0/24    director 192.0.2.1, VIP 192.0.2.10, client 192.0.2.100/.101,
                                  direct-routing real servers 192.0.2.11+
  private segment 198.51.100.0/24 director (the NAT gateway) 198.51.100.1, NAT real servers .11+

Everything that can run in-process does (setns on the calling thread, sysctls through /proc/sys,
one server thread for every real server), because each process start under TCG costs dearly."""

from __future__ import annotations

import ctypes
import json
import os
import selectors
import socket
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from ipaddress import IPv4Address, IPv4Network
from pathlib import Path
from typing import Literal

PUBLIC = IPv4Network("192.0.2.0/24")
PRIVATE = IPv4Network("198.51.100.0/24")
DIRECTOR_PUBLIC = IPv4Address("192.0.2.1")
NAT_GATEWAY = IPv4Address("198.51.100.1")
VIP = IPv4Address("192.0.2.10")
CLIENT = IPv4Address("192.0.2.100")
CLIENT_2 = IPv4Address("192.0.2.101")

Method = Literal["nat", "direct"]

_CLONE_NEWNET = 0x40000000
_libc = ctypes.CDLL(None, use_errno=True)


def run(*argv: str, stdin: str | None = None) -> str:
    """Run a tool; a failure raises with its stderr so the test report says what the kernel refused."""
    done = subprocess.run(argv, input=stdin, capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} exited {done.returncode}: {done.stderr.strip()}")
    return done.stdout


def ip_batch(netns: str | None, commands: Sequence[str]) -> None:
    """One `ip` process for many commands: under TCG a process start costs more than the work."""
    prefix = ("ip", "-n", netns) if netns else ("ip",)
    run(*prefix, "-batch", "-", stdin="\n".join(commands) + "\n")


def in_netns(netns: str, *argv: str, stdin: str | None = None) -> str:
    return run("ip", "netns", "exec", netns, *argv, stdin=stdin)


def _setns(fd: int) -> None:
    if _libc.setns(fd, _CLONE_NEWNET) != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, os.strerror(errno))


@contextmanager
def entered(netns: str) -> Iterator[None]:
    """Move this thread into `netns` and back. Sockets opened meanwhile stay in `netns`, and
    /proc/sys/net opened meanwhile shows `netns`'s sysctls."""
    home = os.open("/proc/thread-self/ns/net", os.O_RDONLY)
    target = os.open(f"/run/netns/{netns}", os.O_RDONLY)
    try:
        _setns(target)
        try:
            yield
        finally:
            _setns(home)
    finally:
        os.close(target)
        os.close(home)


def set_sysctls(netns: str, values: dict[str, str]) -> None:
    with entered(netns):
        for name, value in values.items():
            with open(f"/proc/sys/{name.replace('.', '/')}", "w") as knob:
                knob.write(value)


def add_netns(names: Sequence[str]) -> None:
    ip_batch(None, [f"netns add {name}" for name in names])
    for name in names:
        ip_batch(name, ["link set lo up"])


def delete_netns(names: Sequence[str]) -> None:
    # -force: keep deleting the rest when one is already gone.
    subprocess.run(["ip", "-force", "-batch", "-"], input="".join(f"netns del {n}\n" for n in names),
                   capture_output=True, text=True, timeout=120)


@dataclass(frozen=True)
class RealServer:
    name: str
    address: IPv4Address
    method: Method


@dataclass
class Lab:
    director: str
    client: str
    netns_of: dict[str, str] = field(default_factory=dict)  # real server name -> netns

    @classmethod
    def build(cls, director: str, servers: Sequence[RealServer], compiled: Path | None = None) -> Lab:
        """Wire client and real servers to `director` (an existing netns with lo up). With
        `compiled` (an `lvscc compile` output directory) the director's sysctls and each real
        server's preparation come from its artifacts instead of the lab's own wiring."""
        lab = cls(director, f"{director}-c", {rs.name: f"{director}-{rs.name}" for rs in servers})
        add_netns([lab.client, *lab.netns_of.values()])
        ports = [(lab.client, "br-pub")] + [
            (lab.netns_of[rs.name], "br-pub" if rs.method == "direct" else "br-priv") for rs in servers
        ]
        ip_batch(director, [
            "link add br-pub type bridge",
            "link add br-priv type bridge",
            *(f"link add p{i} type veth peer name eth0 netns {ns}" for i, (ns, _) in enumerate(ports)),
            *(f"link set p{i} master {bridge} up" for i, (_, bridge) in enumerate(ports)),
            f"addr add {DIRECTOR_PUBLIC}/{PUBLIC.prefixlen} dev br-pub",
            f"addr add {VIP}/32 dev br-pub",
            f"addr add {NAT_GATEWAY}/{PRIVATE.prefixlen} dev br-priv",
            "link set br-pub up",
            "link set br-priv up",
        ])
        ip_batch(lab.client, [
            "link set eth0 up",
            f"addr add {CLIENT}/{PUBLIC.prefixlen} dev eth0",
            f"addr add {CLIENT_2}/{PUBLIC.prefixlen} dev eth0",
        ])
        for rs in servers:
            segment = PUBLIC if rs.method == "direct" else PRIVATE
            ip_batch(lab.netns_of[rs.name], ["link set eth0 up", f"addr add {rs.address}/{segment.prefixlen} dev eth0"])
        if compiled is None:
            lab._wire_by_hand(servers)
        else:
            lab._wire_from(compiled, servers)
        return lab

    def _wire_by_hand(self, servers: Sequence[RealServer]) -> None:
        set_sysctls(self.director, {"net.ipv4.ip_forward": "1"})
        for rs in servers:
            netns = self.netns_of[rs.name]
            if rs.method == "nat":
                # Replies must go back through the director, which un-NATs them.
                ip_batch(netns, [f"route add default via {NAT_GATEWAY}"])
                continue
            # Direct routing: take packets for the VIP without ever answering ARP for it (the
            # guide's arp_ignore/arp_announce method); replies go straight to the client.
            set_sysctls(netns, {"net.ipv4.conf.all.arp_ignore": "1", "net.ipv4.conf.all.arp_announce": "2"})
            ip_batch(netns, [f"addr add {VIP}/32 dev lo"])

    def _wire_from(self, compiled: Path, servers: Sequence[RealServer]) -> None:
        artifacts = {(a["host"], a["backend"]): compiled / a["path"]
                     for a in json.loads((compiled / "manifest.json").read_text())["artifacts"]}
        if ("primary", "sysctl") in artifacts:
            in_netns(self.director, "sysctl", "-q", "-p", str(artifacts["primary", "sysctl"]))
        for rs in servers:
            in_netns(self.netns_of[rs.name], "sh", str(artifacts[rs.name, "rs-kit"]))

    @property
    def namespaces(self) -> list[str]:
        return [self.client, *self.netns_of.values()]


class NameServers:
    """Minimal HTTP/1.0 servers, one listening socket per (real server, port), all served by one
    thread; each answers with its real server's name and counts the connections it took."""

    def __init__(self) -> None:
        self.hits: Counter[str] = Counter()
        self.local_addresses: dict[str, set[str]] = {}  # what each real server saw as the destination
        self._selector = selectors.DefaultSelector()
        self._wake_r, self._wake_w = socket.socketpair()
        self._selector.register(self._wake_r, selectors.EVENT_READ, None)
        self._thread = threading.Thread(target=self._serve, name="lvs-name-servers", daemon=True)
        self._thread.start()

    def listen(self, netns: str, name: str, port: int) -> None:
        with entered(netns):
            listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("0.0.0.0", port))
        listener.listen(64)
        listener.setblocking(False)
        self._selector.register(listener, selectors.EVENT_READ, ("listen", name))

    def _serve(self) -> None:
        buffers: dict[socket.socket, bytes] = {}
        while True:
            for key, _ in self._selector.select():
                if key.data is None:
                    return
                kind, name = key.data
                sock = key.fileobj
                assert isinstance(sock, socket.socket)
                try:
                    if kind == "listen":
                        self._accept(sock, name, buffers)
                    else:
                        self._read(sock, name, buffers)
                except OSError:
                    # A reset connection must not take the server thread, and the next test, down.
                    if kind == "conn":
                        self._selector.unregister(sock)
                        buffers.pop(sock, None)
                        sock.close()

    def _accept(self, listener: socket.socket, name: str, buffers: dict[socket.socket, bytes]) -> None:
        conn, _ = listener.accept()
        conn.setblocking(False)
        self.hits[name] += 1
        self.local_addresses.setdefault(name, set()).add(conn.getsockname()[0])
        buffers[conn] = b""
        self._selector.register(conn, selectors.EVENT_READ, ("conn", name))

    def _read(self, conn: socket.socket, name: str, buffers: dict[socket.socket, bytes]) -> None:
        chunk = conn.recv(4096)
        buffers[conn] += chunk
        if chunk and b"\r\n\r\n" not in buffers[conn]:
            return
        self._selector.unregister(conn)
        del buffers[conn]
        with conn:
            if chunk:
                body = f"{name}\n".encode()
                conn.setblocking(True)
                conn.sendall(b"HTTP/1.0 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))

    def wait_for_new_connection(self, since: Counter[str], timeout: float = 10.0) -> str:
        """The real server that accepted a connection after `since` (a copy of `hits`)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            grown = [name for name in self.hits if self.hits[name] > since[name]]
            if grown:
                assert len(grown) == 1, grown
                return grown[0]
            time.sleep(0.05)
        raise AssertionError("no real server accepted the connection")

    def close(self) -> None:
        self._wake_w.send(b"x")
        self._thread.join(timeout=10)
        for key in list(self._selector.get_map().values()):
            key.fileobj.close()  # type: ignore[union-attr]
        self._selector.close()
        self._wake_w.close()


def connect(netns: str, address: IPv4Address, port: int, source: IPv4Address | None = None) -> socket.socket:
    with entered(netns):
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.settimeout(10)
    if source is not None:
        sock.bind((str(source), 0))
    sock.connect((str(address), port))
    return sock


def request(sock: socket.socket) -> str:
    """Send GET / on an open connection and return the name the real server answered with."""
    with sock:
        sock.sendall(b"GET / HTTP/1.0\r\n\r\n")
        response = b""
        while chunk := sock.recv(4096):
            response += chunk
    head, _, body = response.partition(b"\r\n\r\n")
    if not head.startswith(b"HTTP/1.0 200"):
        raise AssertionError(f"unexpected response {response!r}")
    return body.decode().strip()


def get(netns: str, address: IPv4Address, port: int = 80, source: IPv4Address | None = None) -> str:
    return request(connect(netns, address, port, source))
