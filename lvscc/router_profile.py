"""A router's capability profile (its kernel version and IPVS modules), read from the
profile.json that `lvscc snapshot` wrote there, and `lvscc check --target PROFILE`'s rules
against it — so CI checks a config for that router without root and without the router.
A rule here needs the profile; the rules in lvscc/rules/ need only the config."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from lvscc.diagnostics import Diagnostic, error, warning
from lvscc.lower.director import service_modules
from lvscc.model.config import Config
from lvscc.model.queries import active_services
from lvscc.rules._common import span_of, sysctl, sysctl_is

MODULE_MISSING = "LVS201"  # V06: the target kernel lacks a module the config needs
CONN_REUSE_STALL = "LVS202"  # V22, now that the kernel version is known


class ProfileError(Exception):
    pass


@dataclass(frozen=True)
class RouterProfile:
    name: str  # the profile's path, for messages
    kernel: tuple[int, int] | None  # (major, minor) of the target's kernel
    modules: frozenset[str] | None  # ip_vs modules present (None: the profile did not say)


def load_profile(path: str | Path) -> RouterProfile:
    try:
        data = json.loads(Path(path).read_text())
    except (OSError, ValueError, RecursionError) as e:  # RecursionError: absurdly nested JSON
        raise ProfileError(f"cannot read target profile {path}: {e}") from e
    if not isinstance(data, dict):
        raise ProfileError(f"{path} is not an lvscc snapshot profile")
    match = re.match(r"(\d+)\.(\d+)", str(data.get("kernel", "")))
    modules = data.get("ipvs_modules")
    return RouterProfile(str(path), (int(match.group(1)), int(match.group(2))) if match else None,
                         frozenset(m for m in modules if isinstance(m, str)) if isinstance(modules, list) and modules else None)


def _modules(config: Config, profile: RouterProfile) -> Iterable[Diagnostic]:
    """A missing scheduler module makes `ipvsadm -A` fail ("Scheduler module ip_vs_X not
    found") and ipvsadm-restore silently skip the service."""
    if profile.modules is None:
        return
    for service in active_services(config):
        for module in service_modules(service):
            if module.startswith("ip_vs_") and module not in profile.modules:
                yield error(MODULE_MISSING, f"service {service.name} needs kernel module {module}, which the "
                            f"target ({profile.name}) does not have", span_of(service, "scheduler"),
                            "choose a scheduler the target kernel ships, or install the module there")


def _conn_reuse(config: Config, profile: RouterProfile) -> Iterable[Diagnostic]:
    """Kernels before 5.9 stall a reused client port for a second when conntrack=1 and
    conn_reuse_mode=1 (kubernetes#70747)."""
    if profile.kernel is None or profile.kernel >= (5, 9) or not sysctl_is(config, "conntrack", 1):
        return
    if sysctl(config, "conn_reuse_mode") in (None, (1,)):
        yield warning(CONN_REUSE_STALL, f"the target's kernel {profile.kernel[0]}.{profile.kernel[1]} stalls reused "
                      "client ports for a second with conntrack 1 and conn_reuse_mode 1", config.span,
                      "set `ipvs { conn_reuse_mode 0 }` for this kernel")


def check_against_profile(config: Config, profile: RouterProfile) -> list[Diagnostic]:
    return [*_modules(config, profile), *_conn_reuse(config, profile)]
