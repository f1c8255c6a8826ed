"""Lowering: Config (what the operator declared) → Intent (what each host's kernel must hold).
Pure and deterministic: every tuple in every HostState is in canonical order
(lvscc/model/canonical.py), so rendering is byte-stable and Intent == Observed compares content."""

from __future__ import annotations

from lvscc.lower.director import director_state, directors
from lvscc.lower.realserver import real_server_states
from lvscc.model.config import Config
from lvscc.model.state import Intent

__all__ = ["lower"]


def lower(config: Config) -> Intent:
    """Both directors carry the same IPVS table (either may be active); with no director
    declared there is still a `primary`."""
    hosts = [director_state(config, d) for d in directors(config)] + real_server_states(config)
    return Intent(cluster=config.name, hosts=tuple(hosts), source=config.files[0] if config.files else "")
