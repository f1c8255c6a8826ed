"""`virtual` blocks and their `server` blocks -> Virtual, with nanny's check settings."""

from __future__ import annotations

from dataclasses import dataclass, field
from ipaddress import IPv4Address

from lvscc.importers.common import Entry
from lvscc.importers.piranha.values import LvsCfValues, unescape
from lvscc.model.config import HealthCheck, Protocol
from lvscc.model.span import Span

SCHEDULERS = ("rr", "wrr", "lc", "wlc", "lblc", "lblcr", "dh", "sh")
LOAD_MONITORS = ("none", "uptime", "rup", "ruptime")
FAILOVER_ONLY = ("start_cmd", "stop_cmd", "master", "dirs")


@dataclass
class Virtual:
    """One `virtual` block as piranha reads it, before virtuals sharing a fwmark are merged."""

    name: str
    span: Span
    active: bool = False
    address: IPv4Address | None = None
    device: str | None = None
    nmask: IPv4Address | None = None
    sorry: IPv4Address | None = None
    fwmark: int = 0
    protocol: Protocol = Protocol.TCP
    port: int = 80
    scheduler: str = "wlc"
    persistent: int = 0
    pmask: IPv4Address | None = None
    check: HealthCheck = HealthCheck()
    quiesce: bool = False
    servers: list[tuple[str, Span, dict[str, object]]] = field(default_factory=list)


def virtual(values: LvsCfValues, block: Entry) -> Virtual:
    vs = Virtual(block.args[0], block.span)
    check: dict[str, object] = {}
    for entry in block.body or ():
        if entry.key == "server" and entry.body is not None:
            vs.servers.append((entry.args[0], entry.span, server(values, entry)))
        elif entry.body is not None:
            values.notes.untranslated(entry, "not a block of `virtual`")
        elif entry.key in FAILOVER_ONLY:
            values.notes.untranslated(entry, "only failover services (fos) use it")
        elif entry.key == "client_monitor":
            values.notes.untranslated(entry, "lvscc hands checks to keepalived or nanny, not a chosen monitor")
        elif entry.key in ("send", "expect", "send_program"):
            args = values.one(entry)
            if args is not None:
                check[entry.key] = unescape(args[0])
        elif entry.key == "use_regex":
            check["regex"] = values.boolean(entry)
        elif entry.key in ("timeout", "reentry"):
            check[entry.key] = values.number(entry)
        elif entry.key == "load_monitor":
            check["load_monitor"] = values.one_of(entry, LOAD_MONITORS)
        else:
            virtual_setting(values, vs, entry)
    vs.check = HealthCheck(**{k: val for k, val in check.items() if val is not None},
                           span=block.span)  # type: ignore[arg-type]
    _unused_pmask(values, vs, block)
    return vs


def _unused_pmask(values: LvsCfValues, vs: Virtual, block: Entry) -> None:
    # ipvsadm takes -M only beside -p: lvsd leaves a netmask out of a service not persistent
    if vs.pmask is not None and not vs.persistent:
        entry = next(e for e in block.body or () if e.key == "pmask")
        values.notes.dropped(entry, "a persistence netmask does nothing without `persistent`")


def virtual_setting(values: LvsCfValues, vs: Virtual, entry: Entry) -> None:
    simple = {
        "active": ("active", values.boolean), "vip_nmask": ("nmask", values.netmask),
        "fwmark": ("fwmark", values.number), "port": ("port", values.port),
        "persistent": ("persistent", values.number), "pmask": ("pmask", values.netmask),
        "quiesce_server": ("quiesce", values.boolean), "sorry_server": ("sorry", values.host),
        "protocol": ("protocol", lambda e: (p := values.one_of(e, ("tcp", "udp"))) and Protocol(p)),
        "scheduler": ("scheduler", lambda e: values.one_of(e, SCHEDULERS)),
    }
    if entry.key == "address":
        args = values.one(entry, 2)
        if args is not None:
            vs.address, vs.device = values.address(entry, args[0]), args[1]
    elif entry.key in simple:
        attribute, parser = simple[entry.key]
        value = parser(entry)
        if value is not None:
            setattr(vs, attribute, value)
    else:
        values.notes.untranslated(entry, "not a keyword of `virtual`")


def server(values: LvsCfValues, block: Entry) -> dict[str, object]:
    fields: dict[str, object] = {"active": False}
    parsers = {"address": values.host, "active": values.boolean, "weight": values.number, "port": values.port}
    for entry in block.body or ():
        parser = parsers.get(entry.key) if entry.body is None else None
        if parser is None:
            values.notes.untranslated(entry, "not a keyword of `server`")
            continue
        value = parser(entry)
        if value is not None:
            fields[entry.key] = value
    if "address" not in fields:
        values.notes.malformed(block, "a real server needs `address`")
    return fields
