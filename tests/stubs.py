"""Stub kernel tools for running generated shell (the repair plan, the real-server kit) for
real without touching the machine: each logs its argv (nft also its stdin) and succeeds, except
the checks a script makes before it adds (`-C`, `ip link show`), which answer "absent"."""

from __future__ import annotations

import stat
from pathlib import Path

TOOLS = ("nft", "ipvsadm", "iptables", "ip6tables", "arptables", "sysctl", "modprobe", "ip")
SCRIPT = """#!/bin/sh
printf '%s\\n' "$(basename "$0") $*" >> "$STUB_LOG"
case "$(basename "$0") $*" in
  nft*) cat >> "$STUB_LOG" ;;
  *" -C "*|"ip link show "*) exit 1 ;;
esac
exit 0
"""


def install(directory: Path) -> dict[str, str]:
    """Stubs in DIRECTORY/bin; the environment a script runs them with (log: DIRECTORY/calls.log)."""
    bin_dir = directory / "bin"
    bin_dir.mkdir(exist_ok=True)
    for name in TOOLS:
        tool = bin_dir / name
        tool.write_text(SCRIPT)
        tool.chmod(tool.stat().st_mode | stat.S_IXUSR)
    return {"PATH": f"{bin_dir}:/usr/bin:/bin", "STUB_LOG": str(directory / "calls.log")}
