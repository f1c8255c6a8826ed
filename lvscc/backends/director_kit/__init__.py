"""The director kit: one idempotent POSIX shell script that brings a director up without a
failover daemon (the real-server kit's counterpart): kernel modules and sysctls, the compiled
netfilter rules and IPVS table, then the floating VIPs and NAT gateway and the IPVS sync daemon.
keepalived and piranha own the VIPs themselves, so the kit yields to them."""

from lvscc.backends import Backend

SCRIPT = "lvscc-director.sh"

BACKEND = Backend(
    name="director-kit",
    roles=("director",),
    files={SCRIPT: "director.sh.j2"},
    layouts={layout: {SCRIPT: f"usr/local/sbin/{SCRIPT}"} for layout in ("rhel", "debian")},
    modes={SCRIPT: 0o755},
    yields_to=("keepalived", "piranha"),
    carries=frozenset({"sysctls", "addresses", "sync"}),
)
