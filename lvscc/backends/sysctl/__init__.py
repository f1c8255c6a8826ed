"""A sysctl.d file: IP forwarding and net.ipv4.vs.* on directors, ARP and rp_filter settings on
real servers."""

from lvscc.backends import Backend

BACKEND = Backend(
    name="sysctl",
    roles=("director", "real-server"),
    files={"lvscc-sysctl.conf": "sysctl.conf.j2"},
    layouts={layout: {"lvscc-sysctl.conf": "etc/sysctl.d/90-lvscc.conf"} for layout in ("rhel", "debian")},
    wants=lambda host: bool(host.sysctls),
    carries=frozenset({"sysctls"}),
)
