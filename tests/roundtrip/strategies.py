"""Hypothesis strategies for whole configs, drawn as .lvs text and built by the real parser,
so every generated Config is one the builder itself produces (defaults resolved, pools
expanded). Addresses come from the documentation ranges only."""

from __future__ import annotations

from hypothesis import strategies as st

from lvscc.model.config import SCHEDULER_FLAGS, SCHEDULERS

# what Piranha's lvs.cf can say (V28): IPv4, tcp/udp, eight schedulers, plain ipip tunnels
PIRANHA_SCHEDULERS = ("rr", "wrr", "lc", "wlc", "lblc", "lblcr", "dh", "sh")

CHECKS = (
    "",
    'check { send "GET /health HTTP/1.0\\r\\n\\r\\n"  expect "HTTP" }',
    'check { send "GET / HTTP/1.0\\r\\nHost: example.com\\r\\n\\r\\n"  expect "HTTP/1.1 200"  timeout 4s  reentry 20s }',
    'check { send "QUIT\\r\\n"  expect "220"  timeout 3s }',
    'check { send-program "/usr/local/bin/probe %h"  timeout 5s }',
    "check { timeout 2s  reentry 30s }",
)
FORWARDINGS = (
    "forwarding nat { gateway 198.51.100.1/24 dev eth1:1 }",
    "forwarding direct",
    "forwarding direct { arp arptables }",
    "forwarding tunnel",
    "forwarding tunnel { type gue  port 6080  csum }",
)


@st.composite
def servers(draw: st.DrawFn, index: int, nat: bool, family: int, methods: tuple[str, ...] = ()) -> list[str]:
    """Server lines; `methods` are the per-server forwarding overrides a server may carry."""
    count = draw(st.integers(1, 3))
    lines = []
    for n in range(count):
        last = 20 + 10 * index + n
        address = f"198.51.100.{last}" if family == 4 else f"2001:db8::{last:x}"
        words = [f"server rs{last}", address]
        if nat and draw(st.booleans()):
            words += ["port", str(draw(st.sampled_from((8080, 8443, 9000))))]
        if draw(st.booleans()):
            words += ["weight", str(draw(st.integers(0, 100)))]
        thresholds = draw(st.sampled_from(("", "both", "upper")))
        if thresholds == "both":
            lower = draw(st.integers(0, 50))
            words += ["upper", str(lower + draw(st.integers(1, 50))), "lower", str(lower)]
        elif thresholds == "upper":  # an upper threshold alone: -x N -y 0
            words += ["upper", str(draw(st.integers(1, 100)))]
        if n and draw(st.integers(0, 5)) == 0:
            words.append("inactive")
        if methods and draw(st.integers(0, 3)) == 0:
            words.append(draw(st.sampled_from(methods)))
        lines.append(" ".join(words))
    return lines


@st.composite
def service(draw: st.DrawFn, index: int, method: str, piranha: bool) -> str:
    nat = method == "nat"
    family = 6 if (not nat and not piranha and draw(st.integers(0, 4)) == 0) else 4
    vip = f"192.0.2.{10 + index} dev eth0:{index + 1}" if family == 4 else f"2001:db8::{10 + index:x}/64 dev eth0"
    kind = draw(st.sampled_from(("tcp", "udp", "fwmark") if piranha else ("tcp", "udp", "sctp", "fwmark")))
    scheduler = draw(st.sampled_from(PIRANHA_SCHEDULERS if piranha else SCHEDULERS))
    flags = [] if piranha else draw(st.lists(st.sampled_from(SCHEDULER_FLAGS.get(scheduler, ("flag-1",))),
                                             max_size=2, unique=True))
    lines = [f"vip {vip}"]
    if kind == "fwmark":
        lines.append(f"fwmark {index + 1} {{ tcp {draw(st.sampled_from(('80', '80, 443', '8000-8010')))} }}")
    else:
        lines.append(f"{kind} {draw(st.sampled_from((53, 80, 443, 5060)))}")
    lines.append(" ".join(["scheduler", scheduler, *sorted(flags)]))
    if kind == "fwmark" or draw(st.booleans()):
        mask = draw(st.sampled_from(("", " netmask 255.255.255.0", " netmask 255.255.0.0")) if family == 4
                    else st.sampled_from(("", " prefix 64")))
        timeout = draw(st.sampled_from(("", f" {draw(st.integers(1, 7200))}s")))  # bare: ipvsadm's -p, 360 s
        lines.append(f"persistence{timeout}{mask}")
    if kind == "udp" and not piranha and draw(st.booleans()):
        lines.append("one-packet")
    check = draw(st.sampled_from(CHECKS))
    if check:
        lines.append(check)
    if draw(st.booleans()):
        lines.append("quiesce")
    if family == 4 and draw(st.integers(0, 3)) == 0:
        # lvs.cf cannot say `inhibit` (a warning the piranha configs are drawn without)
        lines.append("sorry-server 198.51.100.250" + (" inhibit" if not piranha and draw(st.booleans()) else ""))
    if draw(st.integers(0, 6)) == 0:
        lines.append("disabled")
    # per-server overrides of the cluster's method (lvs.cf has one method for all); fmt leaves
    # out an override equal to the service's method, which then parses back as none
    methods = () if piranha else tuple(m for m in ("nat", "direct", "tunnel") if m != method)
    # lvsd adds a firewall-mark virtual's servers without a port: a remap is beyond lvs.cf
    remaps = nat and not (piranha and kind == "fwmark")
    members = draw(servers(index, remaps, family, methods))
    if not draw(st.integers(0, 3)):
        return "service s{} {{\n    {}\n  }}".format(index, "\n    ".join(lines + members))
    # the servers as a pool the service uses whole
    pool = "pool p{} {{\n    {}\n  }}".format(index, "\n    ".join(members))
    return pool + "\n  service s{} {{\n    {}\n  }}".format(index, "\n    ".join(lines + [f"servers p{index}"]))


@st.composite
def config_text(draw: st.DrawFn, piranha: bool = False) -> str:
    """A whole config; with `piranha`, one inside lvs.cf's limits (so none of its diagnostics
    hides a difference)."""
    forwarding = draw(st.sampled_from(FORWARDINGS[:4] if piranha else FORWARDINGS))
    parts = ["director primary { public 192.0.2.2 dev eth0  private 198.51.100.2 dev eth1 }"]
    if draw(st.booleans()):
        parts.append("director backup { public 192.0.2.3 dev eth0  private 198.51.100.3 dev eth1 }")
        parts.append(f"heartbeat {{ interval {draw(st.integers(1, 10))}s  dead-after 30s }}")
    if draw(st.booleans()):
        parts.append(f"sync-daemon {{ interface eth1  id {draw(st.integers(0, 255))} }}")
    parts.append(forwarding)
    if draw(st.booleans()):
        parts.append(f"timeouts {{ tcp {draw(st.integers(1, 7200))}s  udp {draw(st.integers(1, 600))}s }}")
    method = forwarding.split()[1]
    parts += [draw(service(i, method, piranha)) for i in range(draw(st.integers(1, 4)))]
    return "lvs hyp {\n  " + "\n  ".join(parts) + "\n}\n"
