"""real_server blocks and their checkers (TCP_CHECK, MISC_CHECK, HTTP_GET) -> Real."""

from __future__ import annotations

from collections.abc import Callable

from lvscc.importers.common import Entry
from lvscc.importers.keepalived.pieces import Real, Virtual
from lvscc.importers.keepalived.reading import escaped, plain
from lvscc.importers.keepalived.values import KeepalivedValues
from lvscc.model.config import HealthCheck

TIMERS = ("connect_timeout", "delay_loop", "misc_timeout")
RETRY_DELAY = "delay_before_retry"
# lvscc takes a server out at its first failed check, as nanny does, and has no retries to pace;
# `reentry` (how long a recovered server must stay up) has no keepalived equivalent either.
NO_RETRY_DELAY = "lvscc has no retries to pace (a failed check takes the server out, as in nanny)"
ANY_STATUS = "100-599"  # every status keepalived accepts: nanny's expect "HTTP"


def real_server(values: KeepalivedValues, vs: Virtual, block: Entry) -> Real | None:
    args = [plain(a) for a in block.args]
    address = values.address(block, args[0]) if args else None
    if address is None:
        return None
    real = Real(address, values.number(block, 1) if len(args) > 1 else None, span=block.span)
    checks: list[HealthCheck] = []
    for entry in block.body or ():
        found = [plain(a) for a in entry.args]
        if entry.key in ("weight", "uthreshold", "lthreshold"):
            value = values.number(entry)
            if value is not None:
                setattr(real, {"uthreshold": "upper", "lthreshold": "lower"}.get(entry.key, entry.key), value)
        elif entry.key in ("lvs_method", "lb_kind"):
            real.method = values.lvs_method(entry)
        elif entry.key == "inhibit_on_failure":
            real.inhibit = True
        elif entry.key in CHECKERS and entry.body is not None:
            check = CHECKERS[entry.key](values, vs, real, entry)
            if check is not None:
                checks.append(check)
        else:
            values.notes.untranslated(entry, "no lvscc equivalent for a real server" + (
                f" ({' '.join(found)})" if found else ""))
    if len(checks) > 1:
        values.notes.conflict(block.span, "lvscc has one check per service; the first checker was kept")
    real.check = checks[0] if checks else None
    return real


def timers(values: KeepalivedValues, vs: Virtual, checker: Entry) -> dict[str, int]:
    """The check's timeout from the checker, falling back to the virtual server's values
    (keepalived's inheritance: virtual server -> real server -> checker). lvscc's `timeout` is
    nanny's: the check interval and the answer's deadline at once, which the keepalived backend
    writes as both delay_loop and connect_timeout; it reads back from whichever is given."""
    found = dict(vs.defaults)
    for entry in checker.body or ():
        if entry.key == RETRY_DELAY:
            values.notes.untranslated(entry, NO_RETRY_DELAY)
        elif entry.key in TIMERS:
            value = values.number(entry)
            if value is not None:
                found[entry.key] = value
    timeout = next((found[k] for k in ("misc_timeout", "connect_timeout", "delay_loop") if k in found), None)
    return {} if timeout is None else {"timeout": timeout}


def leftovers(values: KeepalivedValues, checker: Entry, handled: tuple[str, ...]) -> None:
    for entry in checker.body or ():
        if entry.key not in handled + TIMERS + (RETRY_DELAY,):
            values.notes.untranslated(entry, f"no lvscc equivalent in {checker.key}")


def tcp_check(values: KeepalivedValues, vs: Virtual, real: Real, checker: Entry) -> HealthCheck:
    leftovers(values, checker, ("connect_port",))
    return HealthCheck(port=connect_port(values, checker), span=checker.span, **timers(values, vs, checker))


def connect_port(values: KeepalivedValues, checker: Entry) -> int | None:
    entry = next((e for e in checker.body or () if e.key == "connect_port"), None)
    return values.number(entry) if entry is not None else None


def misc_check(values: KeepalivedValues, vs: Virtual, real: Real, checker: Entry) -> HealthCheck | None:
    leftovers(values, checker, ("misc_path",))
    path = next((e for e in checker.body or () if e.key == "misc_path" and e.args), None)
    if path is None:
        values.notes.malformed(checker, "MISC_CHECK without misc_path")
        return None
    # lvscc writes `%h` where keepalived needs each server's own address
    program = escaped(path.args[0]).replace(str(real.address), "%h")
    return HealthCheck(send_program=program, span=checker.span, **timers(values, vs, checker))


def http_get(values: KeepalivedValues, vs: Virtual, real: Real, checker: Entry) -> HealthCheck | None:
    leftovers(values, checker, ("url", "connect_port"))
    urls = kept_urls(values, checker)
    if not urls:
        # keepalived 2.2 ignores the checker: "HTTP/SSL_GET checker has no urls specified"
        values.notes.malformed(checker, "HTTP_GET without a url that has a path")
        return None
    for extra, _ in urls[1:]:
        values.notes.untranslated(extra, "lvscc checks one URL per service")
    (url, path), host, expect = urls[0], None, None
    regex = any(e.key == "regex" and e.args for e in url.body or ())
    for entry in url.body or ():
        if entry.key in ("path", "virtualhost", "regex") and not entry.args:
            values.notes.malformed(entry, "no value given")  # keepalived 2.2 skips the line
        elif entry.key == "virtualhost":
            host = plain(entry.args[0])
        elif entry.key == "regex":
            expect = escaped(entry.args[0])
        elif entry.key == "status_code" and regex:
            if [plain(a) for a in entry.args] != [ANY_STATUS]:  # any status adds nothing to the regex
                values.notes.untranslated(entry, "lvscc checks the answer against the regex alone")
        elif entry.key == "status_code":
            expect = status(values, entry)
        elif entry.key != "path":
            values.notes.untranslated(entry, "no lvscc equivalent in a URL check")
    send = f"GET {path} HTTP/1.0\r\n" + (f"Host: {host}\r\n" if host else "") + "\r\n"
    return HealthCheck(send=send, expect=expect, regex=regex, port=connect_port(values, checker),
                       span=checker.span, **timers(values, vs, checker))


def kept_urls(values: KeepalivedValues, checker: Entry) -> list[tuple[Entry, str]]:
    """The checker's urls keepalived checks, with their paths; a url without a path is named."""
    urls = []
    for url in (e for e in checker.body or () if e.key == "url"):
        path = url_path(url)
        if path is None:
            values.notes.untranslated(url, "keepalived ignores a url without a path")
        else:
            urls.append((url, path))
    return urls


def url_path(url: Entry) -> str | None:
    """The path a url asks for, as keepalived 2.2 keeps it: the last `path` with a value (it
    skips one without); None, and keepalived ignores the url, if there is none."""
    paths = [plain(e.args[0]) for e in url.body or () if e.key == "path" and e.args]
    return paths[-1] if paths else None


def status(values: KeepalivedValues, entry: Entry) -> str | None:
    codes = [plain(a) for a in entry.args]
    if codes == [ANY_STATUS]:
        return "HTTP"
    if len(codes) == 1 and codes[0].isdigit():
        return f"HTTP/1.1 {codes[0]}"
    values.notes.untranslated(entry, "lvscc expects one status code; keepalived's default (2xx) is kept")
    return None


CHECKERS: dict[str, Callable[[KeepalivedValues, Virtual, Real, Entry], HealthCheck | None]] = {
    "TCP_CHECK": tcp_check, "MISC_CHECK": misc_check, "HTTP_GET": http_get,
}
