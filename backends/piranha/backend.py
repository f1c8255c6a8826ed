"""piranha backend: rendering only; what it can say and how it quotes is lvscc.daemons.piranha."""

from lvscc.daemons import heartbeat_of, piranha
from lvscc.render import Backend

BACKEND = Backend(
    name="piranha",
    roles=("director",),
    files={"lvs.cf": "lvs.cf.j2"},
    layouts={layout: {"lvs.cf": "etc/sysconfig/ha/lvs.cf"} for layout in ("rhel", "debian")},
    unsupported=piranha.unsupported,
    filters={"piranha_str": piranha.string, "piranha_check_port": piranha.check_port, "heartbeat": heartbeat_of,
             "piranha_cannot_say": piranha.cannot_say},
    default=False,
    carries=frozenset({"ipvs", "addresses", "sync", "check", "sorry-server", "quiesce", "heartbeat"}),
)
