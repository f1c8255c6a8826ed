"""Edges of the auditor's judgements that a plausible one-character bug moves: which weight
counts as quiesced, and where an owned fwmark range ends. Each test names the bug it kills
(docs/testing.md, "Planted bugs")."""

from __future__ import annotations

from dataclasses import replace

import pytest

from lvscc.audit import diff, in_sync, scope_for
from lvscc.load import load_text
from lvscc.lower import lower
from lvscc.model.config import AuditPolicy, PortRange, WeightPolicy

from .states import director, fwmark_service


def _reweighted(weight: int):
    service = director().ipvs[0]
    dests = (service.dests[0], replace(service.dests[1], weight=weight))  # intent weight 3
    return director(ipvs=(replace(service, dests=dests), director().ipvs[1]))


@pytest.mark.parametrize(("observed", "kind"), [(0, "quiesced"), (1, "changed"), (2, "changed"), (4, "changed")])
def test_only_weight_zero_is_quiesced(observed: int, kind: str) -> None:
    """A weight lowered from 3 to 1 is drift: only 0 is what a health checker's quiesce writes."""
    drifts = diff(director(), _reweighted(observed), AuditPolicy(), scope_for(director(), AuditPolicy()))
    assert [(d.kind, d.field, d.expected, d.observed) for d in drifts] == [(kind, "weight", 3, observed)]
    assert in_sync(drifts) is (kind == "quiesced")


@pytest.mark.parametrize(("policy", "kind"), [(WeightPolicy.QUIESCE, "changed"), (WeightPolicy.MANAGED, "changed")])
def test_weight_one_below_intent_is_drift_under_every_reporting_policy(policy: WeightPolicy, kind: str) -> None:
    policy_ = AuditPolicy(weight=policy)
    drifts = diff(director(), _reweighted(1), policy_, scope_for(director(), policy_))
    assert [d.kind for d in drifts] == [kind]


OWNED_RANGE = """\
lvs lab {
  audit { fwmarks 100-199 }
  service web {
    vip 192.0.2.10/24 dev eth0
    tcp 80
    server web1 192.0.2.21
  }
}
"""


@pytest.mark.parametrize(("mark", "kind"), [(99, "foreign"), (100, "extra"), (150, "extra"), (199, "extra"), (200, "foreign")])
def test_owned_fwmark_range_includes_both_ends(mark: int, kind: str) -> None:
    """`audit { fwmarks 100-199 }` from the text through lowering: both edge marks are ours (an
    extra service there is drift a plan removes), one beyond either edge is someone else's."""
    config, diagnostics = load_text(OWNED_RANGE)
    assert config is not None, diagnostics
    assert config.audit.fwmarks == PortRange(100, 199)
    intent = lower(config).host("primary")
    observed = replace(intent, ipvs=intent.ipvs + (fwmark_service(mark),))
    drifts = diff(intent, observed, config.audit, scope_for(intent, config.audit))
    assert [(d.kind, d.object) for d in drifts] == [(kind, f"ipvs service fwmark {mark}")]
