"""ipvsadm's command line, as `ipvsadm-save -n` prints it and `ipvsadm-restore` reads it
(ipvsadm 1.31 print_service_entry): the rules file, the repair plan and the probes all write
and read these words here. Format: docs/domain.md (ipvsadm-save)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from ipaddress import IPv4Address, ip_address

from lvscc.model.config import IPAddress, Method, Protocol, TunnelType
from lvscc.model.state import IpvsDest, IpvsService, Origin
from lvscc.syntax import Refused, checked_line
from lvscc.syntax.shell import words as split_words

METHOD_FLAG = {Method.NAT: "-m", Method.DIRECT: "-g", Method.TUNNEL: "-i"}
PROTOCOL_FLAG = {Protocol.TCP: "-t", Protocol.UDP: "-u", Protocol.SCTP: "--sctp-service"}
# IP_VS_SCHEDNAME_MAXLEN / IP_VS_PENAME_MAXLEN are 16 bytes with the NUL.
_NAME = re.compile(r"[a-z][a-z0-9_-]{0,14}")
SCHED_FLAGS = frozenset({"flag-1", "flag-2", "flag-3", "sh-fallback", "sh-port", "mh-fallback", "mh-port"})
CSUM = ("csum", "nocsum", "remcsum")

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
_CSUM_OPTIONS = {f"--tun-{c}": c for c in CSUM}
HOST_NETMASKS = ("255.255.255.255", "128")
ADD_SERVICE, ADD_DEST = ("-A", "--add-service"), ("-a", "--add-server")


# --- values -----------------------------------------------------------------------------


def name(value: object, what: str) -> str:
    """A scheduler or persistence-engine name as the kernel takes it."""
    text = str(value)
    if not _NAME.fullmatch(text):
        raise Refused(f"{what} {text[:40]!r} is not an IPVS {what} name")
    return text


def flags(values: tuple[str, ...] | list[str]) -> str:
    unknown = [v for v in values if v not in SCHED_FLAGS]
    if unknown:
        raise Refused(f"unknown scheduler flag {str(unknown[0])[:40]!r}")
    return ",".join(values)


def netmask(value: object) -> str:
    text = str(value)
    if text.isascii() and text.isdigit() and 0 < int(text) <= 128 and len(text) <= 3:
        return text
    try:
        if isinstance(ip_address(text), IPv4Address):
            return text
    except ValueError:
        pass
    raise Refused(f"persistence netmask {text[:40]!r} is neither an IPv4 mask nor a prefix length")


def number(value: object, what: str, limit: int = 2**32 - 1) -> int:
    text = str(value)
    if not (text.isascii() and text.isdigit() and len(text) <= 10 and int(text) <= limit):
        raise Refused(f"{what} {text[:40]!r} is not a number up to {limit}")
    return int(text)


def endpoint(address: IPAddress | None, port: int) -> str:
    """`192.0.2.1:80`, `[2001:db8::1]:80`."""
    if address is not None and address.version == 6:
        return f"[{address!s}]:{port}"
    return f"{address!s}:{port}"  # !s: str() directly, not format()


def split_endpoint(text: str) -> tuple[IPAddress, int]:
    """`192.0.2.1:80`, `[2001:db8::1]:80`, or an address alone (port 0)."""
    if text.startswith("["):
        host, _, port = text[1:].partition("]")
        port = port.removeprefix(":")
    else:
        host, _, port = text.partition(":")
    try:
        return ip_address(host), number(port or 0, "port", 65535)
    except ValueError as error:
        raise Refused(f"endpoint {text[:60]!r}: {error}") from None


# --- formatting -------------------------------------------------------------------------


def service_args(service: IpvsService) -> list[str]:
    """The words naming a virtual service: `-t VIP:PORT` or `-f MARK [-6]`."""
    if service.fwmark:
        return ["-f", str(int(service.fwmark))] + (["-6"] if service.family == 6 else [])
    if service.protocol is None:
        raise Refused("a virtual service without protocol or firewall mark")
    return [PROTOCOL_FLAG[service.protocol], endpoint(service.address, service.port)]


def service_options(service: IpvsService) -> list[str]:
    args = ["-s", name(service.scheduler, "scheduler")]
    if service.persistence is not None:
        args += ["-p", str(int(service.persistence))]
        if service.netmask is not None:
            args += ["-M", netmask(service.netmask)]
    if service.pe:
        args += ["--pe", name(service.pe, "persistence engine")]
    if service.ops:
        args.append("-o")
    if service.flags:
        args += ["-b", flags(service.flags)]
    return args


def dest_options(dest: IpvsDest, thresholds: bool = False) -> list[str]:
    """A real server's words; thresholds (-x/-y) last, as the rules file has them, and always
    when `thresholds` (an edit that resets one must state both)."""
    args = ["-r", endpoint(dest.address, dest.port), METHOD_FLAG[dest.method], "-w", str(int(dest.weight))]
    if dest.method is Method.TUNNEL and dest.tun_type is not None:
        args += ["--tun-type", TunnelType(dest.tun_type).value]
        if dest.tun_port:
            args += ["--tun-port", str(int(dest.tun_port))]
        if dest.tun_csum:
            if dest.tun_csum not in CSUM:
                raise Refused(f"tunnel checksum {str(dest.tun_csum)[:40]!r}")
            args.append(f"--tun-{dest.tun_csum}")
    if thresholds or dest.upper or dest.lower:
        args += ["-x", str(int(dest.upper)), "-y", str(int(dest.lower))]
    return args


def service_line(service: IpvsService) -> str:
    """`-A ...` as ipvsadm-save prints it: no word can hold a space or a quote."""
    return " ".join(["-A", *service_args(service), *service_options(service)])


def dest_line(dest: IpvsDest, service: IpvsService, thresholds: bool = False) -> str:
    return " ".join(["-a", *service_args(service), *dest_options(dest, thresholds)])


def service_lines(service: IpvsService) -> list[str]:
    """The service's `-A` line and then each real server's `-a` line, as `dest_line` writes
    them; the words naming the service are formatted once for all of them (a big table is
    100,000 of these lines)."""
    named = " ".join(["-a", *service_args(service)])
    return [service_line(service), *(f"{named} {' '.join(dest_options(dest))}" for dest in service.dests)]


def timeouts_line(tcp: int, tcpfin: int, udp: int) -> str:
    return f"--set {int(tcp)} {int(tcpfin)} {int(udp)}"


# --- parsing ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    """One parsed line: its command (-A, -a, --set) and option values by name."""

    command: str
    options: dict[str, object] = field(default_factory=dict)
    timeouts: tuple[int, int, int] | None = None


def parse_line(line: str, where: str = "ipvsadm") -> Line | None:
    """A line of ipvsadm-save / ipvsadm-restore input (a leading `ipvsadm` allowed), or None
    for a blank or comment line."""
    text = checked_line(line, where).split("#", 1)[0].strip()
    if not text:
        return None
    words = split_words(text)
    words = words[1:] if words[0] == "ipvsadm" else words
    if not words:
        raise Refused("no command")
    if words[0] == "--set":
        if len(words) != 4:
            raise Refused("--set takes three timeouts")
        tcp, tcpfin, udp = (number(w, "timeout") for w in words[1:])
        return Line("--set", timeouts=(tcp, tcpfin, udp))
    if words[0] not in ADD_SERVICE + ADD_DEST:
        raise Refused(f"unexpected command {words[0][:40]!r}")
    return Line(words[0], _options(words[1:]))


def _options(words: list[str]) -> dict[str, object]:
    found: dict[str, object] = {}
    i = 0
    while i < len(words):
        word = words[i]
        value = words[i + 1] if i + 1 < len(words) else None
        if word in _PROTOCOL_OPTIONS or word in _VALUE_OPTIONS:
            if value is None:
                raise Refused(f"option {word} needs a value")
            if word in _PROTOCOL_OPTIONS:
                found["protocol"], found["service"] = _PROTOCOL_OPTIONS[word], value
            else:
                found[_VALUE_OPTIONS[word]] = value
            i += 1
        elif word in ("-p", "--persistent"):
            has_value = value is not None and value.isdigit()
            found["persistence"] = number(value, "persistence") if has_value else 360
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
            raise Refused(f"unknown ipvsadm option {word[:40]!r}")
        i += 1
    return found


def service_of(found: dict[str, object]) -> IpvsService:
    """The virtual service a line names (options not applied)."""
    if "fwmark" in found:
        return IpvsService(6 if found.get("ipv6") else 4, None, None, 0, fwmark=number(found["fwmark"], "fwmark"))
    if "service" not in found:
        raise Refused("no virtual service")
    address, port = split_endpoint(str(found["service"]))
    return IpvsService(address.version, found["protocol"], address, port)  # type: ignore[arg-type]


def service_with_options(service: IpvsService, found: dict[str, object], origin: Origin) -> IpvsService:
    mask = found.get("netmask")
    return replace(
        service,
        scheduler=name(found.get("scheduler", "wlc"), "scheduler"),
        flags=tuple(sorted(flags(str(found["flags"]).split(",")).split(","))) if "flags" in found else (),
        persistence=found.get("persistence"),  # type: ignore[arg-type]
        netmask=None if mask in (None, *HOST_NETMASKS) else netmask(mask),
        pe=name(found["pe"], "persistence engine") if "pe" in found else None,
        ops=bool(found.get("ops")),
        origin=origin,
    )


def dest_of(found: dict[str, object], origin: Origin) -> IpvsDest:
    if "real" not in found:
        raise Refused("no real server (-r)")
    address, port = split_endpoint(str(found["real"]))
    tun_type = found.get("tun_type")
    try:
        tunnel = TunnelType(str(tun_type)) if tun_type else None
    except ValueError:
        raise Refused(f"tunnel type {str(tun_type)[:40]!r}") from None
    return IpvsDest(
        address,
        port,
        found.get("method", Method.DIRECT),  # type: ignore[arg-type]
        weight=number(found.get("weight", 1), "weight"),
        upper=number(found.get("upper", 0), "upper threshold"),
        lower=number(found.get("lower", 0), "lower threshold"),
        tun_type=tunnel,
        tun_port=number(found["tun_port"], "tunnel port", 65535) if "tun_port" in found else None,
        tun_csum=found.get("tun_csum"),  # type: ignore[arg-type]
        origin=origin,
    )
