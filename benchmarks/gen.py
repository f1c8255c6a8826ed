"""Write one NAT cluster of N services x M real servers, as lvscc source or as keepalived.conf:
wlc, persistence, a TCP check per real server, distinct weights. The two files describe the
same cluster, so `lvscc check` and `keepalived -t` can be timed against each other."""

from __future__ import annotations

import argparse
from ipaddress import IPv4Address
from pathlib import Path

VIP_BASE = IPv4Address("198.51.100.0")  # VIPs walk upward from here (the count may leave the /24)
RS_BASE = IPv4Address("10.0.0.0")
GATEWAY = "10.255.255.254/8"


def vip(i: int) -> IPv4Address:
    return VIP_BASE + i


def real_server(i: int, j: int, servers: int) -> IPv4Address:
    return RS_BASE + 1 + i * servers + j


def lvs(services: int, servers: int) -> str:
    # expire_nodest_conn: checked services that remove servers need it (LVS123); keepalived's
    # side has no such check, so the lvscc file is made warning-free to time the same work.
    out = ["lvs bench {", "  director primary { public 203.0.113.2 dev eth0 }",
           f"  forwarding nat {{ gateway {GATEWAY} dev eth1 }}", "  ipvs { expire_nodest_conn 1 }"]
    for i in range(services):
        out += [f"  service s{i} {{", f"    vip {vip(i)} dev eth0", "    tcp 80", "    scheduler wlc",
                "    persistence 300s", "    check { timeout 5s }"]
        out += [f"    server r{i}x{j} {real_server(i, j, servers)} weight {j + 1}" for j in range(servers)]
        out.append("  }")
    out.append("}")
    return "\n".join(out) + "\n"


def keepalived(services: int, servers: int) -> str:
    out = ["global_defs {", "  router_id bench", "}"]
    for i in range(services):
        out += [f"virtual_server {vip(i)} 80 {{", "  delay_loop 6", "  lvs_sched wlc", "  lvs_method NAT",
                "  persistence_timeout 300", "  protocol TCP"]
        for j in range(servers):
            out += [f"  real_server {real_server(i, j, servers)} 80 {{", f"    weight {j + 1}",
                    "    TCP_CHECK {", "      connect_timeout 5", "    }", "  }"]
        out.append("}")
    return "\n".join(out) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--services", type=int, required=True)
    parser.add_argument("--servers", type=int, required=True)
    parser.add_argument("--format", choices=("lvs", "keepalived"), required=True)
    parser.add_argument("-o", "--output", type=Path, required=True)
    args = parser.parse_args()
    render = lvs if args.format == "lvs" else keepalived
    args.output.write_text(render(args.services, args.servers))


if __name__ == "__main__":
    main()
