"""keepalived backend: the declaration; what keepalived.conf can say and how it quotes is conf.py."""

from lvscc.backends import Backend
from lvscc.backends.failover import heartbeat_of
from lvscc.backends.keepalived import conf

BACKEND = Backend(
    name="keepalived",
    roles=("director",),
    files={"keepalived.conf": "keepalived.conf.j2"},
    layouts={layout: {"keepalived.conf": "etc/keepalived/keepalived.conf"} for layout in ("rhel", "debian")},
    unsupported=conf.unsupported,
    filters={
        "keepalived_quoted": conf.quoted,
        "keepalived_plain": conf.plain,
        "keepalived_router_id": conf.router_id,
        "keepalived_service": conf.service_of,
        "keepalived_checker": conf.checker,
        "keepalived_sorry_apart": conf.sorry_apart,
        "heartbeat": heartbeat_of,
    },
    default=False,
    carries=frozenset({"ipvs", "addresses", "sync", "check", "sorry-server", "quiesce", "heartbeat"}),
)
