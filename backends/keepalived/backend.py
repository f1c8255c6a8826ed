"""keepalived backend: rendering only; what it can say and how it quotes is lvscc.daemons.keepalived."""

from lvscc.daemons import heartbeat_of, keepalived
from lvscc.render import Backend

BACKEND = Backend(
    name="keepalived",
    roles=("director",),
    files={"keepalived.conf": "keepalived.conf.j2"},
    layouts={layout: {"keepalived.conf": "etc/keepalived/keepalived.conf"} for layout in ("rhel", "debian")},
    unsupported=keepalived.unsupported,
    filters={
        "keepalived_quoted": keepalived.quoted,
        "keepalived_plain": keepalived.plain,
        "keepalived_router_id": keepalived.router_id,
        "keepalived_service": keepalived.service_of,
        "keepalived_checker": keepalived.checker,
        "heartbeat": heartbeat_of,
    },
    default=False,
    carries=frozenset({"ipvs", "addresses", "sync", "check", "sorry-server", "quiesce", "heartbeat"}),
)
