"""Who may use `lvscc serve`: the `--allow` networks (the guide's 2.4, done in the server
rather than in Apache's config), and password sessions with a CSRF token for every form.

Sessions live in memory, keyed by a random cookie that is HttpOnly and SameSite=Strict; the
CSRF token travels only in form bodies. Neither ever appears in a URL, so neither reaches an
access log. A restart logs everyone out, which is the safe direction."""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from dataclasses import dataclass, field
from ipaddress import IPv4Address, IPv6Address, ip_address, ip_network

from lvscc.model.config import IPNetwork

COOKIE = "lvscc_session"
IDLE = 8 * 3600.0  # seconds a session survives without a request
LOCALHOST: tuple[IPNetwork, ...] = (ip_network("127.0.0.0/8"), ip_network("::1/128"))


def allowed(client: str | None, networks: tuple[IPNetwork, ...]) -> bool:
    """A client address inside one of the networks; an unknown or unparsable peer is not."""
    if client is None:
        return False
    try:
        address: IPv4Address | IPv6Address = ip_address(client.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(address, IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return any(address.version == net.version and address in net for net in networks)


@dataclass
class Session:
    csrf: str
    user: bool = False  # logged in; an anonymous session only carries the login form's token
    seen: float = field(default_factory=time.monotonic)
    pending: dict[str, object] = field(default_factory=dict)  # edits shown but not yet confirmed


class Sessions:
    def __init__(self) -> None:
        self._by_id: dict[str, Session] = {}
        self._lock = threading.Lock()

    def get(self, sid: str | None) -> Session | None:
        if not sid:
            return None
        with self._lock:
            session = self._by_id.get(sid)
            now = time.monotonic()
            if session is None or now - session.seen > IDLE:
                self._by_id.pop(sid, None)
                return None
            session.seen = now
            return session

    def new(self, user: bool = False) -> tuple[str, Session]:
        sid, session = secrets.token_urlsafe(32), Session(secrets.token_urlsafe(32), user)
        with self._lock:
            self._expire()
            self._by_id[sid] = session
        return sid, session

    def drop(self, sid: str | None) -> None:
        with self._lock:
            self._by_id.pop(sid or "", None)

    def _expire(self) -> None:
        now = time.monotonic()
        for sid in [s for s, v in self._by_id.items() if now - v.seen > IDLE]:
            del self._by_id[sid]


def csrf_ok(session: Session | None, token: str | None) -> bool:
    return session is not None and token is not None and hmac.compare_digest(session.csrf.encode(), token.encode())
