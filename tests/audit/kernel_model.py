"""A small model of a director's kernel that executes a plan's commands, written from ipvsadm(8)
and the kernel's semantics rather than from lvscc's own formatter or parser, so that a
planner and a model cannot share one mistake.

What the model says about edits is what tests/kernel/test_edit_semantics.py shows in a real
IPVS kernel: `ipvsadm -e` sends every field of a real server, so a threshold left out of the
command is set to 0 and a left-out method is direct routing; `ipvsadm -E` likewise replaces
every option of a service (no -p: not persistent). `--set` leaves a timeout given as 0 alone."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from ipaddress import ip_address

from lvscc.model.config import Method, Protocol, TunnelType
from lvscc.model.state import HostState, IpvsDest, IpvsService, IpvsTimeouts, Sysctl
from lvscc.plan import Command


class Refused(AssertionError):
    """The real tool would exit non-zero here (and `set -e` stop the plan)."""


_PROTOCOLS = {"-t": Protocol.TCP, "-u": Protocol.UDP, "--sctp-service": Protocol.SCTP}
_METHODS = {"-g": Method.DIRECT, "-m": Method.NAT, "-i": Method.TUNNEL}
_FLAGS = {"-6", "-o"} | set(_METHODS) | {"--tun-csum", "--tun-nocsum", "--tun-remcsum"}


def _endpoint(text: str) -> tuple[object, int]:
    if text.startswith("["):
        host, _, port = text[1:].partition("]:")
        return ip_address(host), int(port)
    host, _, port = text.rpartition(":")
    return ip_address(host), int(port)


def _words(argv: tuple[str, ...]) -> dict[str, str]:
    """ipvsadm's options after the command, as option -> value ("" for a flag)."""
    found: dict[str, str] = {}
    i = 0
    while i < len(argv):
        option = argv[i]
        if option in _FLAGS:
            found[option] = ""
            i += 1
        else:
            if option in found or i + 1 >= len(argv):
                raise Refused(f"bad option list {argv}")
            found[option] = argv[i + 1]
            i += 2
    return found


def _service_key(opts: dict[str, str]) -> tuple:
    if "-f" in opts:
        return ("fwmark", 6 if "-6" in opts else 4, int(opts["-f"]))
    (flag,) = [f for f in _PROTOCOLS if f in opts]
    address, port = _endpoint(opts[flag])
    return (_PROTOCOLS[flag].value, str(address), port)


def _new_service(opts: dict[str, str]) -> IpvsService:
    if "-f" in opts:
        service = IpvsService(6 if "-6" in opts else 4, None, None, 0, fwmark=int(opts["-f"]))
    else:
        (flag,) = [f for f in _PROTOCOLS if f in opts]
        address, port = _endpoint(opts[flag])
        service = IpvsService(address.version, _PROTOCOLS[flag], address, port)
    return _service_options(service, opts)


def _service_options(service: IpvsService, opts: dict[str, str]) -> IpvsService:
    """Every option of a service as the command states it; what it leaves out is the default."""
    persistent = "-p" in opts
    return replace(
        service,
        scheduler=opts.get("-s", "wlc"),
        persistence=int(opts["-p"]) if persistent else None,
        netmask=opts.get("-M") if persistent else None,
        pe=opts.get("--pe"),
        ops="-o" in opts,
        flags=tuple(sorted(opts["-b"].split(","))) if "-b" in opts else (),
    )


def _dest(opts: dict[str, str]) -> IpvsDest:
    address, port = _endpoint(opts["-r"])
    (method,) = [_METHODS[f] for f in _METHODS if f in opts] or [Method.DIRECT]
    csum = next((f.removeprefix("--tun-") for f in ("--tun-csum", "--tun-nocsum", "--tun-remcsum") if f in opts), None)
    return IpvsDest(
        address, port, method,
        weight=int(opts.get("-w", "1")),
        upper=int(opts.get("-x", "0")),
        lower=int(opts.get("-y", "0")),
        tun_type=TunnelType(opts["--tun-type"]) if "--tun-type" in opts else None,
        tun_port=int(opts["--tun-port"]) if "--tun-port" in opts else None,
        tun_csum=csum,
    )


@dataclass
class Director:
    """The kernel state the plan changes: the IPVS table, its timeouts, sysctls and modules."""

    services: dict[tuple, IpvsService]
    timeouts: IpvsTimeouts
    sysctls: dict[str, str]
    modules: set[str]
    commands: list[str] = field(default_factory=list)

    @classmethod
    def holding(cls, state: HostState) -> "Director":
        return cls({s.key: s for s in state.ipvs}, state.timeouts or IpvsTimeouts(900, 120, 300),
                   {s.key: s.value for s in state.sysctls}, set(state.modules))

    def state(self, like: HostState) -> HostState:
        """What a probe would read back: the same host with the model's tables."""
        ipvs = sorted(self.services.values(), key=lambda s: s.sort_key)
        return replace(
            like,
            ipvs=tuple(replace(s, dests=tuple(sorted(s.dests, key=lambda d: d.sort_key))) for s in ipvs),
            timeouts=self.timeouts,
            sysctls=tuple(Sysctl(k, v) for k, v in sorted(self.sysctls.items())),
            modules=tuple(sorted(self.modules)),
        )

    def run(self, command: Command) -> None:
        self.commands.append(command.shell())
        tool, *args = command.argv
        if tool == "ipvsadm":
            self._ipvsadm(args)
        elif tool == "sysctl" and args[0] == "-w":
            key, _, value = args[1].partition("=")
            self.sysctls[key] = value
        elif tool == "modprobe":
            self.modules.add(args[0])
        else:
            raise Refused(f"the model has no {tool}: {command.shell()}")

    def _ipvsadm(self, args: list[str]) -> None:
        command, rest = args[0], tuple(args[1:])
        if command == "--set":
            values = [int(v) for v in rest]
            old = (self.timeouts.tcp, self.timeouts.tcpfin, self.timeouts.udp)
            self.timeouts = IpvsTimeouts(*(new or kept for new, kept in zip(values, old, strict=True)))
            return
        opts = _words(rest)
        key = _service_key(opts)
        service = self.services.get(key)
        if command == "-A":
            if service is not None:
                raise Refused(f"service {key} exists")
            self.services[key] = _new_service(opts)
            return
        if service is None:
            raise Refused(f"no service {key}")
        if command == "-E":
            self.services[key] = _service_options(service, opts)
        elif command == "-D":
            del self.services[key]
        else:
            self._dest_command(command, service, opts)

    def _dest_command(self, command: str, service: IpvsService, opts: dict[str, str]) -> None:
        address, port = _endpoint(opts["-r"])
        dests = {(d.address, d.port): d for d in service.dests}
        here = (address, port) in dests
        if command == "-a" and not here:
            dests[(address, port)] = _dest(opts)
        elif command == "-e" and here:
            dests[(address, port)] = _dest(opts)
        elif command == "-d" and here:
            del dests[(address, port)]
        else:
            raise Refused(f"ipvsadm {command} on {address}:{port}: {'exists' if here else 'no such server'}")
        self.services[service.key] = replace(service, dests=tuple(dests.values()))
