"""`ipvsadm-save -n` text <-> IpvsService/IpvsDest (format: docs/domain.md: ipvsadm).

ipvsadm-save never prints thresholds (-x/-y), so a dump says nothing about them unless every
real-server line carries both; `lvscc snapshot` writes its dump that way. The words of each
line are read and written by lvscc/syntax/ipvsadm.py; this module builds the table."""

from __future__ import annotations

from dataclasses import dataclass, replace

from lvscc.model.state import IpvsDest, IpvsService, IpvsTimeouts, Origin
from lvscc.syntax import Refused
from lvscc.syntax import ipvsadm as syntax


class IpvsadmSyntaxError(Refused):
    pass


@dataclass(frozen=True)
class IpvsTable:
    services: tuple[IpvsService, ...]
    thresholds: bool  # every real-server line stated -x and -y
    timeouts: IpvsTimeouts | None = None  # a `--set` line (an ipvsadm-restore file has one)


def parse_save(text: str, filename: str = "ipvsadm.rules") -> IpvsTable:
    services: dict[tuple, IpvsService] = {}
    dests: dict[tuple, list[IpvsDest]] = {}
    thresholds = True
    timeouts = None
    for number, raw in enumerate(text.splitlines(), 1):
        try:
            line = syntax.parse_line(raw, f"{filename}:{number}")
            if line is None:
                continue
            if line.timeouts is not None:
                timeouts = IpvsTimeouts(*line.timeouts)
                continue
            origin = Origin(filename, number, raw.split("#", 1)[0].strip())
            service = syntax.service_of(line.options)
            if line.command in syntax.ADD_SERVICE:
                services[service.key] = syntax.service_with_options(service, line.options, origin)
            else:
                thresholds = thresholds and "upper" in line.options and "lower" in line.options
                dests.setdefault(service.key, []).append(syntax.dest_of(line.options, origin))
        except Refused as error:
            raise IpvsadmSyntaxError(f"{filename}:{number}: {str(error).removeprefix(f'{filename}:{number}: ')}") from error
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
        lines.append(syntax.service_line(service))
        for dest in sorted(service.dests, key=lambda d: d.sort_key):
            shown = dest if thresholds else replace(dest, upper=0, lower=0)
            lines.append(syntax.dest_line(shown, service, thresholds))
    return "".join(line + "\n" for line in lines)
