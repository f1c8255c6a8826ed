"""iproute2 (`ip addr`, `ip route`, `ip link`): device names and labels as the kernel takes them."""

from __future__ import annotations

import re

from lvscc.syntax import Refused

# IFNAMSIZ is 16 bytes with the NUL; the kernel refuses `/`, `:` (except in an address
# label, `eth0:1`), whitespace and the names `.` and `..` (dev_valid_name()).
_DEVICE = re.compile(r"[A-Za-z0-9_.@+-]{1,15}")
_LABEL = re.compile(r"[A-Za-z0-9_.@+-]{1,15}(?::[A-Za-z0-9_.@+-]{0,14})?")


def device(value: object) -> str:
    text = str(value)
    if not _DEVICE.fullmatch(text) or text in (".", ".."):
        raise Refused(f"device {text[:40]!r} is not a network device name")
    return text


def label(value: object) -> str:
    """An address label: the device name, optionally `:` and an alias (`eth0:1`)."""
    text = str(value)
    if len(text) > 15 or not _LABEL.fullmatch(text) or text.split(":")[0] in (".", ".."):
        raise Refused(f"address label {text[:40]!r} is not a device name or DEVICE:ALIAS")
    return text
