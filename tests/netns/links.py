"""Links in a test namespace brought to a state the kernel no longer changes by itself."""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Callable


def up_and_settled(in_netns: Callable[..., subprocess.CompletedProcess[str]], *links: str) -> None:
    """Links up, with nothing the kernel still does on its own afterwards: a carrier comes up a
    moment after `ip link set up` (until then routes read `linkdown`), and a generated IPv6
    link-local address is `tentative` until its DAD ends. Either would differ between two
    snapshots on a loaded machine though the kit changed nothing."""
    for link in links:
        in_netns("sysctl", "-qw", f"net.ipv6.conf.{link}.addr_gen_mode=1")  # no link-local
        in_netns("ip", "link", "set", link, "up")
    deadline = time.monotonic() + 60
    while any(json.loads(in_netns("ip", "-j", "link", "show", link).stdout)[0]["operstate"] != "UP" for link in links):
        assert time.monotonic() < deadline, f"{links} never came up"
        time.sleep(0.05)
