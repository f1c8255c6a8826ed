"""Each real server's connection counters and rates, as `ipvsadm -Ln --stats --rate` shows them,
read over generic netlink through the probe's hook for them (IpvsReader.dest_attributes in
lvscc/probes/ipvs_netlink.py).
The probe leaves them out on purpose: the auditor compares configuration, and counters would
make every reading of the same table differ. The monitoring page wants exactly them.

Wire format: IPVS_DEST_ATTR_* and IPVS_STATS_ATTR_* in include/uapi/linux/ip_vs.h, filled by
ip_vs_genl_fill_dest and ip_vs_genl_fill_stats(64) in net/netfilter/ipvs/ip_vs_ctl.c."""

from __future__ import annotations

import sys
from dataclasses import dataclass

from lvscc.probes import ProbeError
from lvscc.probes.ipvs_netlink import IpvsReader, nested

DEST_ACTIVE_CONNS, DEST_INACT_CONNS, DEST_PERSIST_CONNS, DEST_STATS, DEST_STATS64 = 7, 8, 9, 10, 12
STATS_CONNS, STATS_CPS, STATS_INPPS, STATS_OUTPPS, STATS_INBPS, STATS_OUTBPS = 1, 6, 7, 8, 9, 10

StatsKey = tuple[tuple, object, int]  # (IpvsService.key, real server address, port)


@dataclass(frozen=True)
class DestStats:
    active: int  # ActiveConn
    inactive: int  # InActConn
    persistent: int  # persistence templates pointing at it
    connections: int  # since the server was added
    cps: int  # connections per second (the kernel's 2-second estimator)
    inpps: int
    outpps: int
    inbps: int
    outbps: int


def _number(value: bytes | None) -> int:
    """A counter in host byte order, u32 (IPVS_DEST_ATTR_STATS) or u64 (..._STATS64)."""
    return int.from_bytes(value, sys.byteorder) if value else 0


def _stats(dst: dict[int, bytes]) -> DestStats:
    raw = dst.get(DEST_STATS64) or dst.get(DEST_STATS) or b""
    counters = nested(raw)
    rates = (_number(counters.get(k)) for k in (STATS_CPS, STATS_INPPS, STATS_OUTPPS, STATS_INBPS, STATS_OUTBPS))
    return DestStats(_number(dst.get(DEST_ACTIVE_CONNS)), _number(dst.get(DEST_INACT_CONNS)),
                     _number(dst.get(DEST_PERSIST_CONNS)), _number(counters.get(STATS_CONNS)), *rates)


class StatsReader(IpvsReader):
    def stats(self) -> dict[StatsKey, DestStats]:
        return {(service.key, dest.address, dest.port): _stats(attributes)
                for service, dest, attributes in self.dest_attributes()}


def read_stats() -> dict[StatsKey, DestStats] | None:
    """Every real server's counters, or None when they cannot be read (no IPVS, no
    CAP_NET_ADMIN): the page then says so instead of showing zeros."""
    try:
        with StatsReader() as reader:
            return reader.stats()
    except ProbeError:
        return None
