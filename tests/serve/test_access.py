"""Access to `lvscc serve` over real HTTP: the --allow networks (from another namespace and
address), login, CSRF on every form, and no secret in a URL or the log."""

from __future__ import annotations

import http.client
import os
import re
import secrets
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest

from .server import PASSWORD, Serve

SERVER, INSIDE, OUTSIDE = "192.0.2.1", "192.0.2.2", "192.0.2.100"
ALLOWED = "192.0.2.0/26"  # INSIDE is in it, OUTSIDE (same link) is not


class Client:
    """A cookie-keeping HTTP client, so a test can act as one browser session."""

    def __init__(self, server: Serve) -> None:
        self.server = server
        self.cookie = ""

    def request(self, method: str, path: str, form: dict[str, str] | None = None) -> tuple[int, dict[str, str], str]:
        connection = http.client.HTTPConnection(self.server.address, self.server.port, timeout=30)
        headers = {"Cookie": self.cookie} if self.cookie else {}
        body = urlencode(form) if form is not None else None
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body, headers)
        response = connection.getresponse()
        text = response.read().decode()
        found = dict((k.lower(), v) for k, v in response.getheaders())
        if "set-cookie" in found:
            self.cookie = found["set-cookie"].split(";", 1)[0]
        connection.close()
        return response.status, found, text

    def csrf(self, path: str) -> str:
        status, _, text = self.request("GET", path)
        assert status == 200, text
        return re.search(r'name="csrf" value="([^"]+)"', text)[1]  # type: ignore[index]

    def log_in(self, password: str = PASSWORD) -> int:
        return self.request("POST", "/login", {"csrf": self.csrf("/login"), "password": password})[0]


def test_login_sessions_and_csrf(lab: Path, serve) -> None:  # type: ignore[no-untyped-def]
    server = serve(lab / "guide-nat.lvs", "--from-dump", str(lab / "dump"), "--password-file", str(lab / "passwd"))
    client = Client(server)
    assert client.request("GET", "/")[0:2][0] == 303
    assert client.request("GET", "/events")[0] == 401
    anonymous = client.cookie
    assert client.log_in("wrong password") == 401
    assert client.log_in() == 303
    assert client.cookie != anonymous  # a new session id at login
    status, headers, page = client.request("GET", "/")
    assert status == 200 and "svg" in page
    assert headers["content-security-policy"].startswith("default-src 'none'") and headers["x-frame-options"] == "DENY"
    edit = {"service": "http", "server": "web2", "action": "quiesce"}
    assert client.request("POST", "/edit", edit)[0] == 403  # no token
    assert client.request("POST", "/edit", {**edit, "csrf": secrets.token_urlsafe(32)})[0] == 403
    assert client.request("POST", "/logout", {})[0] == 403
    assert client.request("POST", "/edit", {**edit, "csrf": client.csrf("/")})[0] == 200
    assert client.request("POST", "/logout", {"csrf": client.csrf("/")})[0] == 303
    assert client.request("GET", "/")[0] == 303
    server.stop()
    log = server.said()
    assert "/login" in log and PASSWORD not in log and "csrf" not in log and "lvscc_session" not in log


@pytest.fixture
def two_namespaces() -> Iterator[tuple[str, str]]:
    """A server namespace and a client one joined by a veth pair; the client holds an address
    inside the allowed network and one outside it."""
    if os.geteuid() != 0:
        pytest.skip("needs root + network namespaces")
    tag = secrets.token_hex(3)
    server, client = f"lvscc-srv-{tag}", f"lvscc-cli-{tag}"
    commands = [
        ["ip", "netns", "add", server], ["ip", "netns", "add", client],
        ["ip", "-n", server, "link", "add", "veth0", "type", "veth", "peer", "name", "veth0", "netns", client],
        ["ip", "-n", server, "addr", "add", f"{SERVER}/24", "dev", "veth0"],
        ["ip", "-n", client, "addr", "add", f"{INSIDE}/24", "dev", "veth0"],
        ["ip", "-n", client, "addr", "add", f"{OUTSIDE}/24", "dev", "veth0"],
        *(["ip", "-n", ns, "link", "set", dev, "up"] for ns in (server, client) for dev in ("lo", "veth0")),
    ]
    try:
        for command in commands:
            done = subprocess.run(command, capture_output=True, text=True, timeout=30)
            if done.returncode != 0:
                pytest.skip(f"cannot make namespaces: {' '.join(command)}: {done.stderr.strip()}")
        yield server, client
    finally:
        for ns in (server, client):
            subprocess.run(["ip", "netns", "del", ns], capture_output=True, timeout=30)


FETCH = """
import http.client, sys
c = http.client.HTTPConnection(sys.argv[1], int(sys.argv[2]), timeout=20, source_address=(sys.argv[3], 0))
c.request("GET", "/")
r = c.getresponse()
print(r.status, r.read().decode().strip())
"""


def test_a_client_outside_allow_is_refused(lab: Path, serve, two_namespaces: tuple[str, str]) -> None:  # type: ignore[no-untyped-def]
    server_ns, client_ns = two_namespaces
    server = serve(lab / "guide-nat.lvs", "--from-dump", str(lab / "dump"), "--password-file", str(lab / "passwd"),
                   "--allow", ALLOWED, address=SERVER, port=3636, prefix=["ip", "netns", "exec", server_ns])
    in_client = ["ip", "netns", "exec", client_ns]
    server.wait_ready(connect=in_client)

    def fetch(source: str) -> str:
        done = subprocess.run([*in_client, sys.executable, "-c", FETCH, SERVER, "3636", source],
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()

    assert fetch(INSIDE).startswith("303")  # allowed: on to the login page
    refused = fetch(OUTSIDE)
    assert refused == f"403 403 Forbidden: {OUTSIDE} is not in the networks lvscc serve allows (--allow)."
