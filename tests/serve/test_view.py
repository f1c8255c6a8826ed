"""The view model: each director, virtual service and real server carries the auditor's
verdict, and the topology lays out and renders for every sample."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lvscc.serve import svg, view
from lvscc.serve.app import _environment

from .server import SAMPLES, copy_sample, write_dump

WEB2 = "-r 10.11.12.2:80 -m -w 2"


def cluster(lab: Path, host: str | None = None) -> view.ClusterView:
    snapshot = view.take(view.Target(lab / "guide-nat.lvs", host, lab / "dump"))
    found = view.cluster(snapshot)
    assert found is not None, snapshot.failure
    return found


def dest(found: view.ClusterView, endpoint: str) -> view.DestView:
    return next(d for s in found.services for d in s.dests if d.endpoint == endpoint)


def edit_dump(lab: Path, old: str, new: str) -> None:
    rules = lab / "dump" / "ipvsadm.rules"
    assert old in rules.read_text()
    rules.write_text(rules.read_text().replace(old, new))


@pytest.fixture
def lab(tmp_path: Path) -> Path:
    write_dump(copy_sample("guide-nat.lvs", tmp_path), tmp_path / "dump")
    return tmp_path


def test_in_sync(lab: Path) -> None:
    found = cluster(lab)
    assert [(s.name, s.verdict.kind) for s in found.services] == [("http", "in-sync")]
    assert [(d.server, d.weight, d.verdict.kind) for d in found.services[0].dests] == [("web1", 1, "in-sync"), ("web2", 2, "in-sync")]
    assert [d.verdict.kind for d in found.directors] == ["in-sync", "not-audited"]
    assert found.services[0].label == "tcp 192.168.26.10:80" and found.services[0].persistence == "300s mask 255.255.255.0"


def test_a_changed_weight_is_drift_with_both_values(lab: Path) -> None:
    edit_dump(lab, WEB2, "-r 10.11.12.2:80 -m -w 5")
    found = cluster(lab)
    assert dest(found, "10.11.12.2:80").verdict == view.Verdict("drift", ("weight: expected 2, observed 5",))
    assert dest(found, "10.11.12.1:80").verdict.kind == "in-sync"
    assert found.directors[0].verdict.kind == "drift"
    assert [r.kind for r in found.rows] == ["changed"]


def test_a_changed_method_is_shown_as_ipvsadm_names_it(lab: Path) -> None:
    edit_dump(lab, WEB2, "-r 10.11.12.2:80 -g -w 2")
    assert dest(cluster(lab), "10.11.12.2:80").verdict.details == ("method: expected Masq, observed Route",)


def test_weight_0_is_quiesced_and_a_stranger_is_foreign(lab: Path) -> None:
    edit_dump(lab, WEB2, "-r 10.11.12.2:80 -m -w 0")
    rules = lab / "dump" / "ipvsadm.rules"
    rules.write_text(rules.read_text() + "-A -u 203.0.113.7:53 -s rr\n-a -u 203.0.113.7:53 -r 198.51.100.20:53 -g -w 1\n")
    found = cluster(lab)
    assert dest(found, "10.11.12.2:80").verdict.kind == "quiesced"
    assert [(s.label, s.verdict.kind, [d.verdict.kind for d in s.dests]) for s in found.others] == [
        ("udp 203.0.113.7:53", "foreign", ["foreign"])]


def test_a_missing_server_and_a_floating_vip_held_elsewhere(lab: Path) -> None:
    edit_dump(lab, "-a -t 192.168.26.10:80 -r 10.11.12.1:80 -m -w 1\n", "")
    link = {"ifname": "eth0", "addr_info": [{"family": "inet", "local": "192.168.26.9", "prefixlen": 24, "label": "eth0"}]}
    (lab / "dump" / "addresses.json").write_text(json.dumps([link]))
    found = cluster(lab)
    assert dest(found, "10.11.12.1:80").verdict.kind == "missing"
    assert {v.address: v.state for v in found.directors[0].vips} == {"192.168.26.10/24": "standby", "10.11.12.10/24": "standby"}
    assert found.services[0].verdict.kind == "standby"


def test_a_config_that_does_not_compile_has_no_cluster_view(lab: Path) -> None:
    (lab / "guide-nat.lvs").write_text("lvs broken { service x { scheduler wlcc } }\n")
    snapshot = view.take(view.Target(lab / "guide-nat.lvs", None, lab / "dump"))
    assert view.cluster(snapshot) is None and "does not compile" in (snapshot.failure or "")
    assert snapshot.compiled.diagnostics


@pytest.mark.parametrize("sample", sorted(p.name for p in SAMPLES.glob("*.lvs")))
def test_every_sample_lays_out_without_overlap_and_renders(sample: str, tmp_path: Path) -> None:
    config = copy_sample(sample, tmp_path)
    found = view.cluster(view.take(view.Target(config, None, write_dump(config, tmp_path / "dump"))))
    assert found is not None and found.services
    plan = svg.layout(found)
    boxes = [p.box for p in (*plan.directors, *plan.services, *plan.dests)]
    for i, a in enumerate(boxes):
        assert 0 <= a.x and a.x + a.w <= plan.width and a.y + a.h <= plan.height
        for b in boxes[i + 1:]:
            assert a.x + a.w <= b.x or b.x + b.w <= a.x or a.y + a.h <= b.y or b.y + b.h <= a.y, (a, b)
    drawn = _environment().get_template("topology.svg").render(view=found, plan=plan)
    assert drawn.count('class="node dest') == sum(len(s.dests) for s in found.services)


def test_live_counters_are_decoded_from_32_and_64_bit_statistics() -> None:
    import sys

    from lvscc.probes.ipvs_netlink import _attribute
    from lvscc.serve.stats import DEST_ACTIVE_CONNS, DEST_INACT_CONNS, DEST_STATS, DEST_STATS64, _stats

    def counters(width: int) -> bytes:
        return b"".join(_attribute(kind, value.to_bytes(width, sys.byteorder)) for kind, value in ((1, 41), (6, 3), (7, 9)))

    dest = {DEST_ACTIVE_CONNS: (2).to_bytes(4, sys.byteorder), DEST_INACT_CONNS: (5).to_bytes(4, sys.byteorder)}
    for found in (_stats({**dest, DEST_STATS64: counters(8)}), _stats({**dest, DEST_STATS: counters(4)})):
        assert (found.active, found.inactive, found.connections, found.cps, found.inpps, found.outpps) == (2, 5, 41, 3, 9, 0)


def test_the_monitor_shows_each_real_servers_counters(lab: Path) -> None:
    from dataclasses import replace

    from lvscc.serve.stats import DestStats

    snapshot = view.take(view.Target(lab / "guide-nat.lvs", None, lab / "dump"))
    service = snapshot.audited.observation.state.ipvs[0]  # type: ignore[union-attr]
    web2 = service.dests[1]
    snapshot = replace(snapshot, stats={(service.key, web2.address, web2.port): DestStats(3, 17, 1, 120, 2, 40, 38, 9000, 8000)})
    rows = view.kernel(snapshot, view.cluster(snapshot))
    assert [(d.endpoint, d.verdict, d.stats.active if d.stats else None) for d in rows[0].dests] == [
        ("10.11.12.1:80", "in-sync", None), ("10.11.12.2:80", "in-sync", 3)]
    assert rows[0].line == "TCP 192.168.26.10:80 wlc persistent 300 mask 255.255.255.0"
    page = _environment().get_template("monitor_panel.html").render(
        snapshot=snapshot, kernel=rows, stats_note=view.stats_note(snapshot))
    assert '<td class="active">3</td><td class="inactive">17</td>' in page
