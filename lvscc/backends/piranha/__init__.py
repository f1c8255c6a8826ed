"""piranha backend: the declaration; what lvs.cf can say and how it quotes is lvs_cf.py."""

from lvscc.backends import Backend
from lvscc.backends.failover import heartbeat_of
from lvscc.backends.piranha import lvs_cf

BACKEND = Backend(
    name="piranha",
    roles=("director",),
    files={"lvs.cf": "lvs.cf.j2"},
    layouts={layout: {"lvs.cf": "etc/sysconfig/ha/lvs.cf"} for layout in ("rhel", "debian")},
    unsupported=lvs_cf.unsupported,
    filters={"piranha_str": lvs_cf.string, "piranha_check_port": lvs_cf.check_port, "heartbeat": heartbeat_of,
             "piranha_cannot_say": lvs_cf.cannot_say},
    default=False,
    carries=frozenset({"ipvs", "addresses", "sync", "check", "sorry-server", "quiesce", "heartbeat"}),
)
