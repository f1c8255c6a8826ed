"""The real-server kit: one idempotent POSIX shell script that prepares a real server for its
forwarding method (ARP handling and the VIP for direct routing, tunnel device for tunneling,
default route for NAT)."""

from lvscc.backends import Backend
from lvscc.model.state import HostState

SCRIPT = "lvscc-realserver.sh"


def _has_work(host: HostState) -> bool:
    return bool(host.modules or host.tunnels or host.sysctls or host.arp or host.redirects or host.addresses or host.routes)


BACKEND = Backend(
    name="rs-kit",
    roles=("real-server",),
    files={SCRIPT: "realserver.sh.j2"},
    layouts={layout: {SCRIPT: f"usr/local/sbin/{SCRIPT}"} for layout in ("rhel", "debian")},
    wants=_has_work,
    modes={SCRIPT: 0o755},
    carries=frozenset({"sysctls", "arp", "redirect", "addresses", "routes", "tunnels"}),
)
