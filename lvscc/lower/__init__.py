"""Lowering: Config (what the operator declared) → Intent (what each host's kernel must hold).
Pure and deterministic: every tuple in every HostState is in canonical order
(lvscc/model/canonical.py), so rendering is byte-stable and Intent == Observed compares content."""

from __future__ import annotations

from lvscc.lower.director import director_state, directors
from lvscc.lower.realserver import real_server_names, real_server_states
from lvscc.model.config import Config
from lvscc.model.state import HostState, Intent, host_to_run_for

__all__ = ["lower", "lower_host"]


def lower(config: Config) -> Intent:
    """Both directors carry the same IPVS table (either may be active); with no director
    declared there is still a `primary`."""
    hosts = [director_state(config, d) for d in directors(config)] + real_server_states(config)
    return Intent(cluster=config.name, hosts=tuple(hosts), source=config.files[0] if config.files else "")


def lower_host(config: Config, name: str | None) -> HostState:
    """`lower(config).chosen(name)`, lowering that one host alone: an audit or `watch` compares
    one host, and lowering every real server of a 5000x20 cluster was most of a director's audit."""
    found = directors(config)
    pick = host_to_run_for(name, [*(d.role for d in found), *real_server_names(config)])
    director = next((d for d in found if d.role == pick), None)
    if director is not None:
        return director_state(config, director)
    server = real_server_states(config, only=pick)
    # No such host: the whole lowering names every host in its error.
    return server[0] if server else lower(config).chosen(name)
