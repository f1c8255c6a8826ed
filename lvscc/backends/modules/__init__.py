"""A modules-load.d file: ip_vs and its schedulers, ip_vs_ftp and nf_conntrack_ftp for FTP,
ipip for tunneling real servers."""

from lvscc.backends import Backend

BACKEND = Backend(
    name="modules",
    roles=("director", "real-server"),
    files={"lvscc-modules.conf": "modules.conf.j2"},
    layouts={layout: {"lvscc-modules.conf": "etc/modules-load.d/lvscc.conf"} for layout in ("rhel", "debian")},
    wants=lambda host: bool(host.modules),
)
