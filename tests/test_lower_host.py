"""lower_host(config, NAME) is lower(config).chosen(NAME) without lowering the other hosts, and
the real-server lowering's shortcut (no sorting of a host with one item of each kind) leaves
every host in canonical order: both over every config in samples/ and tests/."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from lvscc.lower import lower, lower_host
from lvscc.model.canonical import canonical
from lvscc.model.config import Config
from lvscc.pipeline import check_file

REPO = Path(__file__).resolve().parent.parent
CONFIGS = sorted({*REPO.glob("samples/**/*.lvs"), *REPO.glob("tests/**/*.lvs")})


def _config(path: Path) -> Config:
    loaded = check_file(path)
    if loaded.config is None:
        pytest.skip("does not build")
    return loaded.config


def _chosen(config: Config, name: str | None) -> object:
    try:
        return lower(config).chosen(name)
    except LookupError as e:
        return str(e)


def _one(config: Config, name: str | None) -> object:
    try:
        return lower_host(config, name)
    except LookupError as e:
        return str(e)


@pytest.mark.parametrize("path", CONFIGS, ids=lambda p: str(p.relative_to(REPO)))
def test_one_host_is_that_host_of_the_whole_lowering(path: Path) -> None:
    config = _config(path)
    names = [h.host for h in lower(config).hosts]
    for name in [None, *names, "no-such-host"]:
        assert _one(config, name) == _chosen(config, name), name


@pytest.mark.parametrize("path", CONFIGS, ids=lambda p: str(p.relative_to(REPO)))
def test_every_lowered_host_is_in_canonical_order(path: Path) -> None:
    for host in lower(_config(path)).hosts:
        assert canonical(host) == host, host.host


def test_the_sole_host_is_chosen_without_a_name() -> None:
    """A config of one director alone, a `backup`: that is the host, not `primary`."""
    config = _config(REPO / "samples" / "guide-nat.lvs")
    solo = Config(name=config.name, directors=(replace(config.directors[0], role="backup"),), files=config.files)
    assert _one(solo, None) == _chosen(solo, None) == lower(solo).hosts[0]
    assert lower(solo).hosts[0].host == "backup"
