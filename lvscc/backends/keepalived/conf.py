"""keepalived.conf for each director (docs/domain.md: keepalived.conf): one VRRP instance floating every VIP
and the NAT gateway (MASTER on the primary, BACKUP on the backup), and the IPVS table as
virtual_server blocks taken from the lowered host state, so keepalived loads exactly what the
ipvsadm backend writes. lvs_sched and lvs_method are always written: keepalived's default
method is NAT, ipvsadm's is DR (V29). Health checks come from the service's `check`.

keepalived reads most values with a plain tokenizer (a quoted word runs to the next quote, no
escapes) but misc_path and regex with escapes, and expands `$NAME` anywhere; hence two
quoting filters: octal escapes where keepalived decodes them, refusal where it does not."""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass

from lvscc.diagnostics import Diagnostic, error, info, warning
from lvscc.lower.common import sorry_origin
from lvscc.model.config import Config, HealthCheck, VirtualService
from lvscc.model.state import IpvsDest, IpvsService

ANY_STATUS = "100-599"  # nanny's expect "HTTP" accepts any HTTP answer
STATUS = re.compile(r"(?:HTTP/\d(?:\.\d)?\s+)?(\d{3})(?:\s.*)?", re.S)
UNSAFE_PLAIN = re.compile(r'[\x00-\x20"\\$\x7f]')  # plain tokenizer: no escapes, `$` expands


def quoted(text: object) -> str:
    """A string keepalived decodes (misc_path, regex): octal escapes for what could end,
    continue or expand the word."""
    return '"' + "".join(c if c.isprintable() and c not in '"\\$' else f"\\{ord(c):03o}"
                         for c in str(text)) + '"'


def plain(text: object) -> str:
    value = str(text)
    if not value or UNSAFE_PLAIN.search(value):
        raise ValueError(f"cannot write {value!r} as a keepalived word")
    return f'"{value}"'


def router_id(config: Config) -> int:
    """VRRP virtual_router_id 1..255, the same on both directors and on every compile."""
    return zlib.crc32(config.name.encode()) % 255 + 1


def service_of(ipvs: IpvsService, config: Config) -> VirtualService:
    for svc in config.services:
        if svc.fwmark is not None:
            key = ("fwmark", svc.family, svc.fwmark)
        else:
            key = (svc.protocol.value if svc.protocol else "", str(svc.vip.ip) if svc.vip else "None", svc.port)
        if key == ipvs.key:
            return svc
    raise LookupError(f"no service lowers to {ipvs.key}")


def sorry_apart(ipvs: IpvsService, svc: VirtualService) -> tuple[list[IpvsDest], IpvsDest | None]:
    """The table's real servers, and apart from them the weight-0 sorry server of `sorry-server
    ... inhibit`, which keepalived adds itself from `sorry_server_inhibit` and gives the virtual
    server's lvs_method (so with one, the lvs_method written is the service's, not the first
    server's)."""
    sorry = sorry_origin(svc)
    return [d for d in ipvs.dests if d.origin != sorry], next((d for d in ipvs.dests if d.origin == sorry), None)


@dataclass(frozen=True)
class Request:
    path: str
    host: str | None
    other_headers: tuple[str, ...]


def http_request(send: str | None) -> Request | None:
    if not send or not send.startswith("GET "):
        return None
    lines = re.split(r"\r?\n", send)
    words = lines[0].split(" ")
    if len(words) < 2:
        return None
    headers = [line for line in lines[1:] if line]
    host = next((h.split(":", 1)[1].strip() for h in headers if h.lower().startswith("host:")), None)
    return Request(words[1], host, tuple(h for h in headers if not h.lower().startswith("host:")))


def status_of(expect: str | None) -> str | None:
    if expect is None or "HTTP/1.".startswith(expect):
        return ANY_STATUS
    match = STATUS.fullmatch(expect)
    return match.group(1) if match else None


def check_port(svc: VirtualService) -> int | None:
    """Where a checker connects when the check names no port: the destination port, or for a
    firewall-mark service (destination port 0) the first marked port."""
    if svc.check is not None and svc.check.port is not None:
        return svc.check.port
    if svc.fwmark is not None and svc.mark_ports:
        return svc.mark_ports[0].ports[0].first
    return None


@dataclass(frozen=True)
class Checker:
    kind: str  # HTTP_GET | MISC_CHECK | TCP_CHECK
    check: HealthCheck
    connect_port: int | None = None
    path: str | None = None
    virtualhost: str | None = None
    status: str | None = None
    regex: str | None = None
    misc_path: str | None = None


def checker(svc: VirtualService, dest: IpvsDest) -> Checker | None:
    check = svc.check
    if check is None:
        return None
    port = check_port(svc)
    if check.send_program is not None:
        # keepalived has no %h: the address is written into each real server's command
        return Checker("MISC_CHECK", check, misc_path=check.send_program.replace("%h", str(dest.address)))
    request = http_request(check.send)
    if request is not None:
        status = status_of(check.expect)
        regex = None if status is not None else (check.expect if check.regex else re.escape(check.expect or ""))
        return Checker("HTTP_GET", check, port, request.path, request.host, status or ANY_STATUS, regex)
    return Checker("TCP_CHECK", check, port)


def unsupported(config: Config) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    hb = config.heartbeat
    if hb is not None and (hb.dead_after != 3 * hb.interval or hb.monitor_links):
        found.append(info("LVS345", "keepalived's VRRP declares the master dead after 3 × advert_int "
                          f"({3 * hb.interval}s) and has no pulse-style link monitoring; "
                          "dead-after and monitor-links are not carried over", hb.span))
    for svc in config.services:
        if svc.check is not None:
            found += _check_problems(svc, svc.check)
        if svc.active and sum(rs.weight for rs in svc.servers if rs.active) == 0:
            # quorum must be >= 1 in keepalived.conf, so this cannot be written without the warning
            found.append(warning("LVS346", f"service {svc.name}: every real server has weight 0; keepalived "
                                 "warns that its quorum (1) exceeds the total weight and lowers it", svc.span))
    return found


def _check_problems(svc: VirtualService, check: HealthCheck) -> list[Diagnostic]:
    where, found = f"service {svc.name}", []
    if check.load_monitor != "none":
        found.append(warning("LVS340", f"{where}: keepalived has no load monitor ({check.load_monitor}); "
                             "weights stay as declared", check.span))
    if check.send_program is not None:
        return found + _quotable(svc, check)
    request = http_request(check.send)
    if request is None and (check.send or check.expect):
        found.append(warning("LVS341", f"{where}: keepalived's TCP_CHECK only connects; the send/expect "
                             "exchange is not carried over", check.span, "send an HTTP GET, or use send-program"))
    if request is not None:
        if status_of(check.expect) is None:
            found.append(warning("LVS342", f"{where}: keepalived matches `expect` as a regex against the HTTP "
                                 "body, not the status line", check.span))
        if request.other_headers:
            found.append(warning("LVS343", f"{where}: keepalived's HTTP_GET writes its own request; headers "
                                 f"{', '.join(request.other_headers)!r} are not sent", check.span))
    return found + _quotable(svc, check)


def _quotable(svc: VirtualService, check: HealthCheck) -> list[Diagnostic]:
    request = http_request(check.send)
    words = [request.path, request.host] if request is not None else []
    try:
        for word in words:
            if word is not None:
                plain(word)
    except ValueError as e:
        return [error("LVS344", f"service {svc.name}: {e}", check.span,
                      "keepalived cannot quote spaces, quotes, backslashes or `$` in a URL path or host")]
    return []
