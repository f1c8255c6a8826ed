"""Drift: one difference between what a host should hold and what it holds, and the names
reports give the objects. What the auditor (lvscc/audit.py) produces and the planner, the drift
reports, watch and serve consume, so none of them needs the auditor itself."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Iterable, Literal

from lvscc.model.config import TunnelType
from lvscc.model.state import (
    Address,
    ArpRule,
    HelperRule,
    IpvsDest,
    IpvsService,
    IpvsTimeouts,
    MarkRule,
    MasqueradeRule,
    RedirectRule,
    Route,
    Sysctl,
    TunnelDevice,
)
from lvscc.syntax.ipvsadm import endpoint

Kind = Literal["missing", "extra", "changed", "quiesced", "standby", "foreign"]
KINDS: tuple[Kind, ...] = ("missing", "extra", "changed", "quiesced", "standby", "foreign")
DRIFT_KINDS: frozenset[str] = frozenset({"missing", "extra", "changed"})

# The parts of a host a probe can read; a section the probes did not read is reported as
# "not audited" instead of as everything missing. "fou" is the GUE receive ports of "tunnels".
SECTIONS = ("ipvs", "thresholds", "timeouts", "netfilter", "arp", "sysctls", "modules", "addresses", "routes",
            "tunnels", "fou")


@dataclass(frozen=True)
class Drift:
    kind: Kind
    object: str  # e.g. "dest 198.51.100.2:80 of tcp 192.0.2.10:80"
    field: str | None = None
    expected: object = None
    observed: object = None
    # The whole desired / observed objects, and for a real server its service: what the
    # planner needs to write one exact command. Not part of what the drift *is*.
    want: object = dataclasses.field(default=None, compare=False, repr=False)
    have: object = dataclasses.field(default=None, compare=False, repr=False)
    parent: IpvsService | None = dataclasses.field(default=None, compare=False, repr=False)

    @property
    def is_drift(self) -> bool:
        return self.kind in DRIFT_KINDS

    @property
    def section(self) -> str:
        return section_of(self.want if self.want is not None else self.have)


def in_sync(drifts: Iterable[Drift]) -> bool:
    return not any(d.is_drift for d in drifts)


def service_name(service: IpvsService) -> str:
    if service.fwmark:
        return f"fwmark {service.fwmark}" + (" -6" if service.family == 6 else "")
    proto = service.protocol.value if service.protocol else "?"
    return f"{proto} {endpoint(service.address, service.port)}"


def describe(obj: object) -> str:
    """The object's name in reports; also the `object` of its drifts."""
    match obj:
        case IpvsService():
            return f"ipvs service {service_name(obj)}"
        case MarkRule():
            ports = ",".join(str(p) for p in obj.ports)
            return f"mark rule fwmark {obj.fwmark} {obj.protocol.value} to {obj.destination} ports {ports}"
        case MasqueradeRule():
            protocol = [obj.protocol.value] if obj.protocol else []
            sport = protocol + ["sport", str(obj.sport)] if obj.sport else []
            return " ".join(["masquerade", "from", str(obj.source), *sport])
        case RedirectRule():
            return f"redirect {obj.protocol.value} {endpoint(obj.destination, obj.port)}"
        case HelperRule():
            return f"conntrack helper {obj.helper} for {obj.protocol.value} {endpoint(obj.destination, obj.port)}"
        case ArpRule(part="drop"):
            return f"arp drop rule vip {obj.vip}"
        case ArpRule(part="mangle"):
            return f"arp mangle rule vip {obj.vip} real {obj.real}"
        case ArpRule():
            return f"arp rule vip {obj.vip} real {obj.real}"
        case Route():
            return f"ipv{obj.gateway.version} route {obj.destination} via {obj.gateway}"
        case TunnelDevice(type=TunnelType.GUE):
            return f"gue port {obj.port} into {obj.name}"
        case TunnelDevice():
            return f"tunnel device {obj.name}"
        case Sysctl():
            return f"sysctl {obj.key}"
        case Address():
            return f"address {obj.interface} dev {obj.device}"
        case IpvsTimeouts():
            return "ipvs timeouts"
        case str():
            return f"module {obj}"
    return str(obj)


def section_of(obj: object) -> str:
    match obj:
        case IpvsService() | IpvsDest():
            return "ipvs"
        case IpvsTimeouts():
            return "timeouts"
        case MarkRule() | MasqueradeRule() | RedirectRule():
            return "netfilter"
        case HelperRule():
            return "helpers"  # audited with the netfilter rules; reloading the compiled rules repairs them
        case ArpRule():
            return "arp"
        case Sysctl():
            return "sysctls"
        case Address():
            return "addresses"
        case Route():
            return "routes"
        case TunnelDevice(type=TunnelType.GUE):
            return "fou"
        case TunnelDevice():
            return "tunnels"
        case str():
            return "modules"
    return "foreign"
