"""ipvsadm.rules states a real server's connection thresholds whenever either is set:
ipvsadm -R applies -x and -y as given, and a line without them loads the server unlimited
(docs/testing.md, "Planted bugs")."""

from __future__ import annotations

from ipaddress import IPv4Address

import pytest

from lvscc.model.config import Config, Method, Protocol
from lvscc.model.state import HostState, Intent, IpvsDest, IpvsService
from lvscc.probes.ipvsadm import parse_save
from lvscc.render import registry, render


def _rules(dest: IpvsDest) -> str:
    service = IpvsService(4, Protocol.TCP, IPv4Address("192.0.2.10"), 80, dests=(dest,))
    host = HostState("primary", "director", ipvs=(service,))
    (artifact,) = render(Config("c"), Intent("c", (host,), "c.lvs"), [registry()["ipvsadm"]])
    return artifact.content


@pytest.mark.parametrize(("upper", "lower", "suffix"), [(9, 0, " -x 9 -y 0"), (0, 3, " -x 0 -y 3"), (9, 3, " -x 9 -y 3"), (0, 0, "")])
def test_either_threshold_alone_is_written(upper: int, lower: int, suffix: str) -> None:
    dest = IpvsDest(IPv4Address("198.51.100.1"), 80, Method.NAT, weight=2, upper=upper, lower=lower)
    text = _rules(dest)
    assert f"\n-a -t 192.0.2.10:80 -r 198.51.100.1:80 -m -w 2{suffix}\n" in text
    (service,) = parse_save(text).services
    assert service.dests == (dest,)
