"""Collect a live host's dump files: IPVS over generic netlink (lvscc.probes.ipvs_netlink), the
rest from the tools' own save commands, /proc and /sys. Runs in the caller's network namespace.

Only this module shells out; everything it gathers is text that lvscc.probes parses."""

from __future__ import annotations

import errno
import gzip
import json
import os
import platform
import re
import socket
import subprocess
import tempfile
from ipaddress import IPv4Address
from pathlib import Path
from typing import Any, Callable

from lvscc.model.state import IpvsDest, IpvsService
from lvscc.probes import (
    ADDRESSES,
    ARP,
    FOU,
    IP6TABLES,
    IPTABLES,
    IPVS,
    LINKS,
    MODULES,
    NFT,
    PROFILE,
    ROUTES,
    ROUTES6,
    SYSCTLS,
    TIMEOUTS,
)
from lvscc.probes.host import parse_modules
from lvscc.probes.ipvs_netlink import IpvsUnavailable, make_dest, make_service, read_ipvs
from lvscc.probes.ipvsadm import format_save


def _reader(message: object, nla: str, prefix: str) -> Callable[..., Any]:
    def read(name: str, default: object = None) -> Any:
        value = message.get_nested(nla, prefix + name)  # type: ignore[attr-defined]
        return default if value is None else value

    return read


def _pyroute2_service(message: object, dests: tuple[IpvsDest, ...]) -> IpvsService:
    svc = _reader(message, "IPVS_CMD_ATTR_SERVICE", "IPVS_SVC_ATTR_")
    return make_service(
        af=int(svc("AF")),
        protocol=int(svc("PROTOCOL", 0)),
        address=svc("ADDR"),
        port=int(svc("PORT", 0)),
        fwmark=int(svc("FWMARK", 0)),
        scheduler=str(svc("SCHED_NAME", "wlc")),
        flags=svc("FLAGS", {"flags": 0})["flags"],
        timeout=int(svc("TIMEOUT", 0)),
        netmask=IPv4Address(svc("NETMASK", "255.255.255.255")).packed,  # pyroute2 reads it as an IPv4 address
        pe=svc("PE_NAME"),
        dests=dests,
    )


def _pyroute2_dest(message: object) -> IpvsDest:
    dst = _reader(message, "IPVS_CMD_ATTR_DEST", "IPVS_DEST_ATTR_")
    return make_dest(
        address=dst("ADDR"),
        port=int(dst("PORT", 0)),
        forwarding=int(dst("FWD_METHOD", 0)),
        weight=int(dst("WEIGHT", 0)),
        upper=int(dst("U_THRESH", 0)),
        lower=int(dst("L_THRESH", 0)),
        tun_type=int(dst("TUN_TYPE", 0)),
        # pyroute2 0.9.7 declares TUN_PORT uint16, but the kernel sends it in network order.
        tun_port=socket.ntohs(int(dst("TUN_PORT", 0))),
        tun_flags=int(dst("TUN_FLAGS", 0)),
    )


def ipvs_services_pyroute2() -> tuple[IpvsService, ...] | None:
    """The same table as ipvs_services, decoded by pyroute2: the independent cross-check of the
    lean reader (tests/kernel/test_ipvs_reader.py, benchmarks/audit_vs_ipvsadm_save.py)."""
    from pyroute2 import IPVS, IPVSService  # slow to import (hundreds of modules): only when asked
    from pyroute2.netlink.exceptions import NetlinkError

    try:
        with IPVS() as ipvs:
            found = []
            for message in ipvs.service("dump"):
                key = IPVSService.from_message(message)
                dests = tuple(sorted((_pyroute2_dest(d) for d in ipvs.dest("dump", service=key)), key=lambda d: d.sort_key))
                found.append(_pyroute2_service(message, dests))
    except NetlinkError as error:
        if error.code == errno.ENOENT:  # the IPVS generic-netlink family is not registered
            return None
        raise
    return tuple(sorted(found, key=lambda s: s.sort_key))


def ipvs_services() -> tuple[IpvsService, ...] | None:
    """The kernel's IPVS table over generic netlink; None when the kernel has no IPVS. Raises
    ProbeError when the kernel refuses to tell (no CAP_NET_ADMIN)."""
    try:
        return read_ipvs()
    except IpvsUnavailable:
        return None


def _run(*argv: str) -> str | None:
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=60, check=False)
    except (FileNotFoundError, subprocess.TimeoutExpired):
        return None
    return done.stdout if done.returncode == 0 else None


def _modules() -> str | None:
    """/proc/modules plus the built-in modules, which /proc/modules does not list."""
    loaded = Path("/proc/modules")
    if not loaded.is_file():  # a kernel built without module support
        return None
    text = loaded.read_text()
    builtin = Path("/lib/modules", platform.release(), "modules.builtin")
    if builtin.is_file():
        names = [Path(line).name.split(".ko")[0] for line in builtin.read_text().splitlines()]
        text += "".join(f"{name} builtin\n" for name in names)
    return text


def collect() -> tuple[dict[str, str], list[str]]:
    """(dump file name -> content, notes on what could not be read)."""
    texts: dict[str, str] = {}
    notes: list[str] = []
    services = ipvs_services()
    texts[IPVS] = format_save(services or ()) if services is not None else "# IPVS is not available in this kernel\n"
    if services is None:
        notes.append(f"{IPVS}: this kernel has no IPVS (ip_vs is neither loaded nor built in): its table is empty")
    commands = {
        TIMEOUTS: ("ipvsadm", "-L", "--timeout"),
        NFT: ("nft", "-j", "list", "ruleset"),
        IPTABLES: ("iptables-save",),
        IP6TABLES: ("ip6tables-save",),
        ARP: ("arptables-save",),
        SYSCTLS: ("sysctl", "-a"),
        ADDRESSES: ("ip", "-j", "addr"),
        ROUTES: ("ip", "-j", "-4", "route", "show", "table", "main"),
        ROUTES6: ("ip", "-j", "-6", "route", "show", "table", "main"),
        LINKS: ("ip", "-j", "-d", "link", "show"),
    }
    for name, argv in commands.items():
        output = _run(*argv)
        if output is None:
            notes.append(f"{name}: `{' '.join(argv)}` failed or is not installed")
        else:
            texts[name] = output
    if ROUTES6 not in texts and not Path("/proc/sys/net/ipv6").is_dir():
        texts[ROUTES6] = "[]\n"  # a kernel without IPv6 has no IPv6 routes to audit
    modules = _modules()
    if modules is None:
        notes.append(f"{MODULES}: /proc/modules does not exist (kernel without modules)")
    else:
        texts[MODULES] = modules
    fou = _fou_ports(modules)
    if fou is None:
        notes.append(f"{FOU}: `ip -j fou show` failed or is not installed")
    else:
        texts[FOU] = fou
    return texts, notes


def _fou_ports(modules: str | None) -> str | None:
    """`ip -j fou show`, but only when fou is loaded: asking for its generic-netlink family
    makes the kernel load the module, and an audit changes nothing. No module, no ports."""
    if modules is not None and "fou" not in parse_modules(modules):
        return "[]\n"
    found = _run("ip", "-j", "fou", "show")
    # A kernel without module support loads nothing on asking: failing there means no fou at all.
    return "[]\n" if found is None and modules is None else found


def _ipvsadm_weight_limit() -> str:
    # Debian patches ipvsadm to accept weights up to INT_MAX (Debian #814348); upstream stops at 65535.
    changelog = Path("/usr/share/doc/ipvsadm/changelog.Debian.gz")
    if changelog.is_file():
        return "2147483647" if "weight parameter to INT_MAX" in gzip.decompress(changelog.read_bytes()).decode(errors="replace") else "65535"
    return "unknown"


def profile() -> dict[str, object]:
    release = platform.release()
    ipvs_dir = Path("/lib/modules", release, "kernel/net/netfilter/ipvs")
    modules = sorted(re.sub(r"\.ko.*$", "", p.name) for p in ipvs_dir.glob("ip_vs_*.ko*")) if ipvs_dir.is_dir() else []
    nft = _run("nft", "--version")
    ipvsadm = _run("dpkg-query", "-W", "-f", "${Version}", "ipvsadm")
    return {
        "kernel": release,
        "ipvs_modules": modules,
        "ipvsadm_version": ipvsadm or "unknown",
        "ipvsadm_weight_max": _ipvsadm_weight_limit(),
        "nft_version": nft.strip() if nft else "unknown",
    }


def write_snapshot(directory: Path) -> list[str]:
    """Write every dump plus profile.json into `directory`; returns the notes. Each file is
    written to a temporary name and renamed, so a reader never sees half a dump."""
    texts, notes = collect()
    texts[PROFILE] = json.dumps({**profile(), "notes": notes}, indent=2, sort_keys=True) + "\n"
    directory.mkdir(parents=True, exist_ok=True)
    for name, content in texts.items():
        handle, temporary = tempfile.mkstemp(dir=directory, prefix=f".{name}.")
        with os.fdopen(handle, "w") as out:
            out.write(content)
        os.replace(temporary, directory / name)
    return notes
