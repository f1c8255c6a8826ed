"""Round trips through every format lvscc writes and reads back:

- .lvs: fmt(parse(fmt(x))) == fmt(x), and parse(fmt(x)) means the same Config as x;
- keepalived.conf and lvs.cf: Config -> file -> importer -> Config' gives the same ipvsadm
  rules as Config once both are lowered, unless the backend said (`unsupported`) what the
  format cannot carry;
for every sample and for hypothesis-generated configs."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

sys.path.insert(0, str(Path(__file__).resolve().parent))

from spans import without_spans  # noqa: E402
from strategies import config_text  # noqa: E402

from lvscc.diagnostics import Severity  # noqa: E402
from lvscc.fmt import format_config  # noqa: E402
from lvscc.importers.keepalived import import_keepalived  # noqa: E402
from lvscc.importers.piranha import import_piranha  # noqa: E402
from lvscc.load import load_file, load_text  # noqa: E402
from lvscc.lower import lower  # noqa: E402
from lvscc.model.config import Config  # noqa: E402
from lvscc.render import registry, render  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
SAMPLES = sorted((REPO / "samples").glob("*.lvs"))
BACKENDS = registry()
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _sample(path: Path) -> Config:
    config, found = load_file(path)
    assert config is not None, found
    return config


def _generated(text: str) -> Config:
    config, found = load_text(text, "generated.lvs")
    assert config is not None, (text, found)
    return config


def ipvsadm_rules(config: Config, host: str = "primary") -> str:
    """The primary director's ipvsadm-restore input without its comments."""
    intent = lower(config)
    artifacts = [a for a in render(config, intent, [BACKENDS["ipvsadm"]]) if a.host == host]
    lines = artifacts[0].content.splitlines() if artifacts else []
    return "\n".join(line for line in lines if line and not line.startswith("#"))


# ---- .lvs -------------------------------------------------------------------------------------

def check_fmt(config: Config) -> None:
    text = format_config(config)
    again, found = load_text(text, "formatted.lvs")
    assert again is not None and found == [], (text, found)
    assert without_spans(again) == without_spans(config), text
    assert format_config(again) == text


@pytest.mark.parametrize("path", SAMPLES, ids=[p.name for p in SAMPLES])
def test_fmt_sample(path: Path) -> None:
    check_fmt(_sample(path))
    source = path.read_text()
    with_comments = format_config(_sample(path), source)
    assert format_config(load_text(with_comments, str(path))[0], with_comments) == with_comments  # type: ignore[arg-type]


@SETTINGS
@given(config_text())
def test_fmt_generated(text: str) -> None:
    check_fmt(_generated(text))


# ---- keepalived.conf and lvs.cf -------------------------------------------------------------

def _through(config: Config, backend: str, importer) -> tuple[Config | None, list]:
    file = next(a for a in render(config, lower(config), [BACKENDS[backend]]) if a.host == "primary")
    imported, found = importer(file.content, "imported")
    assert not [d for d in found if d.severity is Severity.ERROR], (file.content, found)
    return imported, found


def check_backend(config: Config, backend: str, importer) -> None:
    gaps = BACKENDS[backend].unsupported(config)
    if any(d.severity is Severity.ERROR for d in gaps):
        return  # compile stops here; the diagnostics are what the user gets
    imported, _ = _through(config, backend, importer)
    assert imported is not None
    before, after = ipvsadm_rules(config), ipvsadm_rules(imported)
    if before != after:
        assert gaps, f"{backend} changed the IPVS table without saying why:\n{before}\n----\n{after}"
    # the imported config is itself a valid .lvs config
    check_fmt(_generated(format_config(imported)))


@pytest.mark.parametrize("path", SAMPLES, ids=[p.name for p in SAMPLES])
def test_keepalived_sample(path: Path) -> None:
    config = _sample(path)
    imported, _ = _through(config, "keepalived", import_keepalived)
    assert imported is not None
    assert ipvsadm_rules(imported) == ipvsadm_rules(config)


@SETTINGS
@given(config_text())
def test_keepalived_generated(text: str) -> None:
    check_backend(_generated(text), "keepalived", import_keepalived)


@pytest.mark.parametrize("path", SAMPLES, ids=[p.name for p in SAMPLES])
def test_piranha_sample(path: Path) -> None:
    check_backend(_sample(path), "piranha", import_piranha)


@SETTINGS
@given(config_text(piranha=True))
def test_piranha_generated(text: str) -> None:
    check_backend(_generated(text), "piranha", import_piranha)


@SETTINGS
@given(config_text())
def test_piranha_generated_beyond_its_limits(text: str) -> None:
    check_backend(_generated(text), "piranha", import_piranha)


def test_piranha_limit_is_named_not_silent() -> None:
    """A sample piranha cannot carry: the backend names the gap rather than writing a lie."""
    codes = {d.code for d in BACKENDS["piranha"].unsupported(_sample(REPO / "samples" / "tunnel.lvs"))}
    assert {"LVS351", "LVS357"} <= codes
