"""What the shared readings of lvscc/rules/ decide, seen in the exact findings they lead to:
the code, severity, line, message and hint an operator gets (tests/rules/cases/ only prove
that a code appears). Each config sits at the edge one helper decides: which port the kernel
gives a real server (so which servers collide), what a service carries, which sysctl silences
a warning, when a service counts as FTP, which mask, tunnel option or command line is refused,
and which statement a finding points at."""

from __future__ import annotations

from ipaddress import ip_address, ip_interface

import pytest

from lvscc.load import load_text
from lvscc.model.config import Config, Protocol, RealServer, VirtualService
from lvscc.model.span import Span
from lvscc.rules import check, needs

Found = tuple[str, str, int, str, str | None]

DUPLICATE_SERVER = "remove one of them (direct routing and tunnelling use the virtual port for every server)"
DUPLICATE_SERVICE = "merge the two services, or change the VIP, port or mark"
DR_REMAP = "drop the port, or use `forwarding nat` for this service"
MARKS_INCOMING = "test the services from a client, not from the director"
QUIESCED = ("service web is persistent and quiesces servers: returning clients keep reaching a quiesced "
            "server until their persistence expires")
QUIESCED_HINT = "add `ipvs { expire_quiescent_template 1 }`"
REMOVED = ("service web removes failed servers: their established connections are silently dropped until "
           "they time out")
REMOVED_HINT = "add `ipvs { expire_nodest_conn 1 }` so clients are reset at once, or `quiesce`"
WEIGHT_ZERO = ("server web1 of service web has weight 0: it takes no new connection, and no health checker "
               "will ever raise it")
WEIGHT_ZERO_HINT = ("for a server that takes over when all others are down use `sorry-server ADDR`; to keep it "
                    "declared but not loaded use `inactive`")
MASK_HINT = "IPv4: `persistence netmask 255.255.255.0`; IPv6: `persistence prefix 64`"
TUNNEL_HINT = "see `ipvsadm --tun-type` in ipvsadm(8)"
SPLIT_HINT = "balance its quotes and end no word with a backslash, as in a shell"
ONE_PACKET_HINT = "drop `one-packet`, or make the service UDP only"


def _rp_filter(service: str, server: str) -> str:
    return (f"service {service}: tunnel servers {server} need rp_filter 0 or 2 on both `all` and the tunnel "
            "device (the kernel uses the larger value)")


RP_FILTER_HINT = "the real-server kit sets it; check no startup script sets rp_filter=1 later"

CASES: dict[str, tuple[str, list[Found]]] = {
    "direct-routing servers on two ports are one kernel server on the virtual port": ("""\
lvs lab {
  service web {
    vip 192.0.2.10/24 dev eth0
    tcp 80
    server web1 192.0.2.21 port 8080
    server web2 192.0.2.21 port 8081
  }
}
""", [
        ("LVS101", "error", 5, "direct routing cannot remap ports: service web listens on 80, server web1 on 8080", DR_REMAP),
        ("LVS101", "error", 6, "direct routing cannot remap ports: service web listens on 80, server web2 on 8081", DR_REMAP),
        ("LVS112", "error", 6, "service web: servers web1 and web2 are both 192.0.2.21 port 80", DUPLICATE_SERVER),
    ]),
    "NAT servers keep their own ports; a firewall-mark server without a port is port 0": ("""\
lvs lab {
  forwarding nat { gateway 198.51.100.1/24 dev eth1 }
  service web {
    vip 192.0.2.10/24 dev eth0
    tcp 80
    server web1 198.51.100.21 port 8080
    server web2 198.51.100.21 port 8081
    server web3 198.51.100.22
    server web4 198.51.100.22 port 80
  }
  service marked {
    vip 192.0.2.11/24 dev eth0
    fwmark 7 { tcp 80, 443 }
    persistence 300s
    server m1 198.51.100.21 port 8080
    server m2 198.51.100.21 port 8081
    server m3 198.51.100.22
    server m4 198.51.100.22
  }
}
""", [
        ("LVS112", "error", 9, "service web: servers web3 and web4 are both 198.51.100.22 port 80", DUPLICATE_SERVER),
        ("LVS134", "info", 13, "firewall marks (7) are set on incoming packets only", MARKS_INCOMING),
        ("LVS112", "error", 18, "service marked: servers m3 and m4 are both 198.51.100.22 port 0", DUPLICATE_SERVER),
    ]),
    "servers of an all-ports service collide on port 0": ("""\
lvs lab {
  service all {
    vip 192.0.2.10/24 dev eth0
    tcp 0
    persistence 300s
    server a1 192.0.2.21
    server a2 192.0.2.21
  }
}
""", [
        ("LVS112", "error", 7, "service all: servers a1 and a2 are both 192.0.2.21 port 0", DUPLICATE_SERVER),
    ]),
    "the same protocol, VIP and port twice is one kernel service": ("""\
lvs lab {
  service web {
    vip 192.0.2.10/24 dev eth0
    tcp 80
    server web1 192.0.2.21
  }
  service www {
    vip 192.0.2.10/24 dev eth0
    tcp 80
    server web2 192.0.2.22
    server web3 192.0.2.22
  }
}
""", [
        ("LVS112", "error", 7, "service www is the same kernel service as web: tcp 192.0.2.10 port 80", DUPLICATE_SERVICE),
        ("LVS112", "error", 11, "service www: servers web2 and web3 are both 192.0.2.22 port 80", DUPLICATE_SERVER),
    ]),
    "another VIP or another mark is another kernel service; a mark is one service whatever its VIP": ("""\
lvs lab {
  service web {
    vip 192.0.2.10/24 dev eth0
    tcp 80
    server web1 192.0.2.21
  }
  service www {
    vip 192.0.2.11/24 dev eth0
    tcp 80
    server web2 192.0.2.22
  }
  service m7 {
    vip 192.0.2.10/24 dev eth0
    fwmark 7 { tcp 443 }
    persistence 300s
    server web3 192.0.2.23
  }
  service m8 {
    vip 192.0.2.10/24 dev eth0
    fwmark 8 { tcp 8443 }
    persistence 300s
    server web4 192.0.2.24
  }
  service m8b {
    vip 192.0.2.12/24 dev eth0
    fwmark 8 { tcp 9443 }
    persistence 300s
    server web5 192.0.2.25
  }
}
""", [
        ("LVS134", "info", 14, "firewall marks (7, 8, 8) are set on incoming packets only", MARKS_INCOMING),
        ("LVS112", "error", 24, "service m8b is the same kernel service as m8: firewall mark 8 (IPv4)", DUPLICATE_SERVICE),
    ]),
    "a weight-0 server of a persistent service is quiesced": ("""\
lvs lab {
  service web {
    vip 192.0.2.10/24 dev eth0
    tcp 80
    persistence 300s
    server web1 192.0.2.21 weight 0
    server web2 192.0.2.22
  }
}
""", [
        ("LVS123", "warning", 5, QUIESCED, QUIESCED_HINT),
        ("LVS174", "warning", 6, WEIGHT_ZERO, WEIGHT_ZERO_HINT),
    ]),
    "quiescing a service that is not persistent keeps no client, and keeps failed connections": ("""\
lvs lab {
  service web {
    vip 192.0.2.10/24 dev eth0
    tcp 80
    quiesce
    check { send "GET / HTTP/1.0\\r\\n\\r\\n" }
    server web1 192.0.2.21 weight 0
    server web2 192.0.2.22
  }
}
""", [
        ("LVS174", "warning", 7, WEIGHT_ZERO, WEIGHT_ZERO_HINT),
    ]),
    "expire_quiescent_template 1 and expire_nodest_conn 1 settle both warnings": ("""\
lvs lab {
  ipvs { expire_quiescent_template 1  expire_nodest_conn 1 }
  service web {
    vip 192.0.2.10/24 dev eth0
    tcp 80
    persistence 300s
    check { send "GET / HTTP/1.0\\r\\n\\r\\n" }
    server web1 192.0.2.21 weight 0
    server web2 192.0.2.22
  }
}
""", [
        ("LVS174", "warning", 8, WEIGHT_ZERO, WEIGHT_ZERO_HINT),
    ]),
    "any other value of the two sysctls settles neither": ("""\
lvs lab {
  ipvs { expire_quiescent_template 2  expire_nodest_conn 2 }
  service web {
    vip 192.0.2.10/24 dev eth0
    tcp 80
    persistence 300s
    check { send "GET / HTTP/1.0\\r\\n\\r\\n" }
    server web1 192.0.2.21 weight 0
    server web2 192.0.2.22
  }
}
""", [
        ("LVS123", "warning", 6, QUIESCED, QUIESCED_HINT),
        ("LVS123", "warning", 7, REMOVED, REMOVED_HINT),
        ("LVS174", "warning", 8, WEIGHT_ZERO, WEIGHT_ZERO_HINT),
    ]),
    "conn_reuse_mode is asked for at the conntrack line; NAT without masquerade needs no conntrack": ("""\
lvs lab {
  ipvs {
    expire_nodest_conn 1
    conntrack 1
  }
  forwarding nat { gateway 198.51.100.1/24 dev eth1 }
  service web {
    vip 192.0.2.10/24 dev eth0
    tcp 80
    server web1 198.51.100.21
  }
}
""", [
        ("LVS122", "warning", 4, "conntrack is on but conn_reuse_mode is left at the kernel's default",
         "set `conn_reuse_mode 1` on kernels >= 5.9, or `0` on older ones (and accept sticky reuse)"),
    ]),
    "plain TCP port 21 behind NAT is FTP; TCP 22 and UDP 21 are not": ("""\
lvs lab {
  forwarding nat { gateway 198.51.100.1/24 dev eth1 }
  service plainftp {
    vip 192.0.2.10/24 dev eth0
    tcp 21
    persistence 300s
    server f1 198.51.100.21
  }
  service ssh {
    vip 192.0.2.10/24 dev eth0
    tcp 22
    server s1 198.51.100.22
  }
  service udp21 {
    vip 192.0.2.10/24 dev eth0
    udp 21
    one-packet
    server u1 198.51.100.23
  }
}
""", [
        ("LVS135", "info", 2, "FTP service plainftp relies on the ftp conntrack helper for active mode",
         "on kernels >= 6.0 the director's ruleset must assign it (`ct helper set`); check the generated rules "
         "are loaded"),
        ("LVS121", "warning", 3, "NAT traffic passes MASQUERADE rules on the director, but IPVS connections are "
         "not tracked", "add `ipvs { conntrack 1 }`"),
    ]),
    "FTP by direct routing passes no MASQUERADE rule": ("""\
lvs lab {
  service files {
    vip 192.0.2.10/24 dev eth0
    ftp
    persistence 300s
    server f1 192.0.2.21
  }
}
""", [
        ("LVS134", "info", 2, "firewall marks (21) are set on incoming packets only", MARKS_INCOMING),
    ]),
    "an FTP service carries TCP whatever else its marks match; a UDP-only mark does not": ("""\
lvs lab {
  service files {
    vip 192.0.2.10/24 dev eth0
    ftp
    fwmark 21 { udp 2121 }
    persistence 300s
    one-packet
    server f1 192.0.2.21
  }
  service dns {
    vip 192.0.2.11/24 dev eth0
    fwmark 5 { udp 53 }
    persistence 300s
    one-packet
    server d1 192.0.2.22
  }
}
""", [
        ("LVS134", "info", 5, "firewall marks (21, 5) are set on incoming packets only", MARKS_INCOMING),
        ("LVS104", "error", 7, "service files uses one-packet scheduling but carries tcp", ONE_PACKET_HINT),
    ]),
    "persistence masks: each family its own kind, a prefix within 1..128": ("""\
lvs lab {
  service v4 {
    vip 192.0.2.10/24 dev eth0
    tcp 80
    persistence 300s netmask 255.255.255.0
    server a 192.0.2.21
  }
  service v6mask {
    vip 2001:db8::10/64 dev eth0
    tcp 80
    persistence 300s netmask 255.255.255.0
    server b 2001:db8::21
  }
  service v6low {
    vip 2001:db8::11/64 dev eth0
    tcp 80
    persistence 300s prefix 1
    server c 2001:db8::22
  }
  service v6high {
    vip 2001:db8::12/64 dev eth0
    tcp 80
    persistence 300s prefix 128
    server d 2001:db8::23
  }
  service v6over {
    vip 2001:db8::13/64 dev eth0
    tcp 80
    persistence 300s prefix 129
    server e 2001:db8::24
  }
  service v6zero {
    vip 2001:db8::14/64 dev eth0
    tcp 80
    persistence 300s prefix 0
    server f 2001:db8::25
  }
}
""", [
        ("LVS156", "error", 11, "service v6mask: an IPv6 service takes a prefix length, not netmask 255.255.255.0",
         MASK_HINT),
        ("LVS156", "error", 29, "service v6over: prefix 129 is outside 1..128", MASK_HINT),
        ("LVS156", "error", 35, "service v6zero: prefix 0 is outside 1..128", MASK_HINT),
    ]),
    "each tunnel type takes its own options, named in the service's own forwarding": ("""\
lvs lab {
  forwarding nat { gateway 198.51.100.1/24 dev eth1 }
  service gue {
    vip 192.0.2.10/24 dev eth0
    tcp 80
    forwarding tunnel { type gue }
    server t1 198.51.100.21
  }
  service ipip {
    vip 192.0.2.11/24 dev eth0
    tcp 80
    forwarding tunnel { type ipip port 6080 }
    server t2 198.51.100.22
  }
  service greport {
    vip 192.0.2.12/24 dev eth0
    tcp 80
    forwarding tunnel { type gre port 6080 }
    server t3 198.51.100.23
  }
  service ipipcsum {
    vip 192.0.2.13/24 dev eth0
    tcp 80
    forwarding tunnel { type ipip csum }
    server t4 198.51.100.24
  }
  service gre {
    vip 192.0.2.14/24 dev eth0
    tcp 80
    forwarding tunnel { type gre remcsum }
    server t5 198.51.100.25
  }
  service grecsum {
    vip 192.0.2.15/24 dev eth0
    tcp 80
    forwarding tunnel { type gre csum }
    server t6 198.51.100.26
  }
  service guefull {
    vip 192.0.2.16/24 dev eth0
    tcp 80
    forwarding tunnel { type gue port 6080 remcsum }
    server t7 198.51.100.27
  }
}
""", [
        ("LVS114", "error", 6, "service gue: a gue tunnel needs a port (the kernel refuses tunnel port 0)", TUNNEL_HINT),
        ("LVS119", "info", 6, _rp_filter("gue", "t1"), RP_FILTER_HINT),
        ("LVS114", "error", 12, "service ipip: only gue tunnels take a port, not ipip", TUNNEL_HINT),
        ("LVS119", "info", 12, _rp_filter("ipip", "t2"), RP_FILTER_HINT),
        ("LVS114", "error", 18, "service greport: only gue tunnels take a port, not gre", TUNNEL_HINT),
        ("LVS119", "info", 18, _rp_filter("greport", "t3"), RP_FILTER_HINT),
        ("LVS114", "error", 24, "service ipipcsum: ipip tunnels have no checksum option (csum)", TUNNEL_HINT),
        ("LVS119", "info", 24, _rp_filter("ipipcsum", "t4"), RP_FILTER_HINT),
        ("LVS114", "error", 30, "service gre: gre tunnels do not support remcsum", TUNNEL_HINT),
        ("LVS119", "info", 30, _rp_filter("gre", "t5"), RP_FILTER_HINT),
        ("LVS119", "info", 36, _rp_filter("grecsum", "t6"), RP_FILTER_HINT),
        ("LVS119", "info", 42, _rp_filter("guefull", "t7"), RP_FILTER_HINT),
    ]),
    "a finding about forwarding points at the forwarding statement, else at the service": ("""\
lvs lab {
  service own {
    vip 192.0.2.10/24 dev eth0
    tcp 80
    server t1 198.51.100.21 tunnel
  }
  service stated {
    vip 192.0.2.11/24 dev eth0
    tcp 80
    forwarding tunnel
    server t2 198.51.100.22
  }
}
""", [
        ("LVS119", "info", 2, _rp_filter("own", "t1"), RP_FILTER_HINT),
        ("LVS119", "info", 10, _rp_filter("stated", "t2"), RP_FILTER_HINT),
    ]),
    "a send-program keepalived cannot split says why": ("""\
lvs lab {
  service a {
    vip 192.0.2.10/24 dev eth0
    tcp 80
    quiesce
    check { send-program "" }
    server a1 192.0.2.21
  }
  service b {
    vip 192.0.2.11/24 dev eth0
    tcp 80
    quiesce
    check { send-program "/bin/probe x\\\\" }
    server b1 192.0.2.22
  }
  service c {
    vip 192.0.2.12/24 dev eth0
    tcp 80
    quiesce
    check { send-program "/bin/probe 'a b' %h" }
    server c1 192.0.2.23
  }
}
""", [
        ("LVS173", "error", 6, "service a: send-program cannot be split into a command: no command", SPLIT_HINT),
        ("LVS173", "error", 13, "service b: send-program cannot be split into a command: no escaped character",
         SPLIT_HINT),
    ]),
}


def _found(text: str) -> list[Found]:
    config, loaded = load_text(text, "lab.lvs")
    assert config is not None, loaded
    return [(d.code, str(d.severity), d.span.line, d.message, d.hint) for d in loaded + check(config)]


@pytest.mark.parametrize("name", CASES)
def test_the_findings_are_exactly_these(name: str) -> None:
    text, expected = CASES[name]
    assert _found(text) == expected


def test_a_finding_on_a_statement_never_recorded_points_at_its_service() -> None:
    """An imported service may carry no statement spans: its findings point at the service."""
    where = Span("imported.lvs", 4, 3, 9, 4)
    service = VirtualService("dns", vip=ip_interface("192.0.2.10/24"), protocol=Protocol.TCP, port=53,
                             one_packet=True, servers=(RealServer("d1", ip_address("192.0.2.21")),), span=where)
    (found,) = check(Config("lab", services=(service,)))
    assert (found.code, found.span) == ("LVS104", where)


def test_a_finding_a_backend_asks_for_names_that_backend() -> None:
    config, loaded = load_text("lvs lab {\n  forwarding nat\n  service web { vip 192.0.2.10/24 dev eth0  tcp 80"
                               "  server web1 198.51.100.21 }\n}\n", "lab.lvs")
    assert config is not None, loaded
    assert [(d.code, d.span.line, d.message) for d in needs(config, "rs-kit")] == [
        ("LVS115", 2, "backend rs-kit needs the NAT gateway of service web: its real servers' default route")]
