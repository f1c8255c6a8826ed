"""`ipvsadm-save -n` text <-> IpvsService/IpvsDest (format: docs/domain.md: ipvsadm).

ipvsadm-save never prints thresholds (-x/-y), so a dump says nothing about them unless every
real-server line carries both; `lvscc snapshot` writes its dump that way."""

from __future__ import annotations

import shlex
from dataclasses import dataclass, replace
from ipaddress import ip_address

from lvscc.model.config import IPAddress, Method, Protocol, TunnelType
from lvscc.model.state import IpvsDest, IpvsService, IpvsTimeouts, Origin
from lvscc.plan import dest_options, service_args, service_options

_PROTOCOL_OPTIONS = {
    "-t": Protocol.TCP, "--tcp-service": Protocol.TCP,
    "-u": Protocol.UDP, "--udp-service": Protocol.UDP,
    "--sctp-service": Protocol.SCTP,
}  # fmt: skip
_METHOD_OPTIONS = {"-g": Method.DIRECT, "--gatewaying": Method.DIRECT, "-m": Method.NAT,
                   "--masquerading": Method.NAT, "-i": Method.TUNNEL, "--ipip": Method.TUNNEL}  # fmt: skip
_VALUE_OPTIONS = {"-s": "scheduler", "--scheduler": "scheduler", "-M": "netmask", "--netmask": "netmask",
                  "--pe": "pe", "-b": "flags", "--sched-flags": "flags", "-r": "real", "--real-server": "real",
                  "-w": "weight", "--weight": "weight", "-x": "upper", "--u-threshold": "upper",
                  "-y": "lower", "--l-threshold": "lower", "--tun-type": "tun_type", "--tun-port": "tun_port",
                  "-f": "fwmark", "--fwmark-service": "fwmark"}  # fmt: skip
_CSUM_OPTIONS = {"--tun-nocsum": "nocsum", "--tun-csum": "csum", "--tun-remcsum": "remcsum"}
HOST_NETMASKS = ("255.255.255.255", "128")


class IpvsadmSyntaxError(ValueError):
    pass


@dataclass(frozen=True)
class IpvsTable:
    services: tuple[IpvsService, ...]
    thresholds: bool  # every real-server line stated -x and -y
    timeouts: IpvsTimeouts | None = None  # a `--set` line (an ipvsadm-restore file has one)


def split_endpoint(text: str) -> tuple[IPAddress, int]:
    """`192.0.2.1:80`, `[2001:db8::1]:80`, or an address alone (port 0)."""
    if text.startswith("["):
        host, _, port = text[1:].partition("]")
        return ip_address(host), int(port.lstrip(":") or 0)
    host, _, port = text.partition(":")
    return ip_address(host), int(port or 0)


def _options(words: list[str]) -> tuple[str, dict[str, object]]:
    command, found = words[0], {}
    i = 1
    while i < len(words):
        word = words[i]
        if word in _PROTOCOL_OPTIONS:
            found["protocol"], found["service"] = _PROTOCOL_OPTIONS[word], words[i + 1]
            i += 1
        elif word in _VALUE_OPTIONS:
            found[_VALUE_OPTIONS[word]] = words[i + 1]
            i += 1
        elif word in ("-p", "--persistent"):
            has_value = i + 1 < len(words) and words[i + 1].isdigit()
            found["persistence"] = int(words[i + 1]) if has_value else 360
            i += has_value
        elif word in _METHOD_OPTIONS:
            found["method"] = _METHOD_OPTIONS[word]
        elif word in _CSUM_OPTIONS:
            found["tun_csum"] = _CSUM_OPTIONS[word]
        elif word == "-6":
            found["ipv6"] = True
        elif word in ("-o", "--ops"):
            found["ops"] = True
        else:
            raise IpvsadmSyntaxError(f"unknown ipvsadm option {word!r}")
        i += 1
    return command, found


def _service(found: dict[str, object]) -> IpvsService:
    if "fwmark" in found:
        return IpvsService(6 if found.get("ipv6") else 4, None, None, 0, fwmark=int(str(found["fwmark"])))
    if "service" not in found:
        raise IpvsadmSyntaxError("no virtual service")
    address, port = split_endpoint(str(found["service"]))
    return IpvsService(address.version, found["protocol"], address, port)  # type: ignore[arg-type]


def _with_options(service: IpvsService, found: dict[str, object], origin: Origin) -> IpvsService:
    netmask = found.get("netmask")
    return replace(
        service,
        scheduler=str(found.get("scheduler", "wlc")),
        flags=tuple(sorted(str(found["flags"]).split(","))) if "flags" in found else (),
        persistence=found.get("persistence"),  # type: ignore[arg-type]
        netmask=None if netmask in (None, *HOST_NETMASKS) else str(netmask),
        pe=found.get("pe"),  # type: ignore[arg-type]
        ops=bool(found.get("ops")),
        origin=origin,
    )


def _dest(found: dict[str, object], origin: Origin) -> IpvsDest:
    if "real" not in found:
        raise IpvsadmSyntaxError("no real server (-r)")
    address, port = split_endpoint(str(found["real"]))
    tun_type = found.get("tun_type")
    return IpvsDest(
        address,
        port,
        found.get("method", Method.DIRECT),  # type: ignore[arg-type]
        weight=int(str(found.get("weight", 1))),
        upper=int(str(found.get("upper", 0))),
        lower=int(str(found.get("lower", 0))),
        tun_type=TunnelType(str(tun_type)) if tun_type else None,
        tun_port=int(str(found["tun_port"])) if "tun_port" in found else None,
        tun_csum=found.get("tun_csum"),  # type: ignore[arg-type]
        origin=origin,
    )


def parse_save(text: str, filename: str = "ipvsadm.rules") -> IpvsTable:
    services: dict[tuple, IpvsService] = {}
    dests: dict[tuple, list[IpvsDest]] = {}
    thresholds = True
    timeouts = None
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        words = shlex.split(line)
        words = words[1:] if words[0] == "ipvsadm" else words
        try:
            if words[0] == "--set":
                timeouts = IpvsTimeouts(*(int(w) for w in words[1:4]))
                continue
            command, found = _options(words)
            origin = Origin(filename, number, line)
            service = _service(found)
            if command in ("-A", "--add-service"):
                services[service.key] = _with_options(service, found, origin)
            elif command in ("-a", "--add-server"):
                thresholds = thresholds and "upper" in found and "lower" in found
                dests.setdefault(service.key, []).append(_dest(found, origin))
            else:
                raise IpvsadmSyntaxError(f"unexpected command {command!r}")
        except (IpvsadmSyntaxError, ValueError, IndexError) as error:
            raise IpvsadmSyntaxError(f"{filename}:{number}: {error}") from error
    table = tuple(
        replace(s, dests=tuple(sorted(dests.get(key, ()), key=lambda d: d.sort_key)))
        for key, s in services.items()
    )
    return IpvsTable(tuple(sorted(table, key=lambda s: s.sort_key)), thresholds, timeouts)


def format_save(services: tuple[IpvsService, ...], thresholds: bool = True) -> str:
    """The table in `ipvsadm-save -n` order and form; with `thresholds`, every real-server line
    also states -x/-y so the dump round-trips what the kernel holds."""
    lines: list[str] = []
    for service in sorted(services, key=lambda s: s.sort_key):
        # No word of a rule can hold a space or a quote, and ipvsadm-save prints them bare.
        lines.append(" ".join(["-A", *service_args(service), *service_options(service)]))
        for dest in sorted(service.dests, key=lambda d: d.sort_key):
            shown = dest if thresholds else replace(dest, upper=0, lower=0)
            lines.append(" ".join(["-a", *service_args(service), *dest_options(shown, thresholds)]))
    return "".join(line + "\n" for line in lines)
