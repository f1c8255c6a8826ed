"""Round trips through every format lvscc writes and reads back:

- .lvs: fmt(parse(fmt(x))) == fmt(x), and parse(fmt(x)) means the same Config as x;
- keepalived.conf and lvs.cf: Config -> file -> importer -> Config' gives the same IPVS table
  as Config once both are lowered; a difference is excused only by a reported limit that names
  that very field of that service or server (`unsupported` of the backend, a note of the
  importer);
- ipvsadm-restore files: Config -> rules -> import -> Config' lowers to the same table, bare
  `-p` included;
for every sample and for hypothesis-generated configs."""

from __future__ import annotations

import re
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parent))

from spans import without_spans  # noqa: E402
from strategies import config_text  # noqa: E402

from lvscc.audit import DEST_FIELDS, SERVICE_FIELDS  # noqa: E402
from lvscc.diagnostics import Severity  # noqa: E402
from lvscc.fmt import format_config  # noqa: E402
from lvscc.importers.ipvsadm import import_ipvsadm  # noqa: E402
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


# What a reported limit may change in the IPVS table. A backend's finding names a service and
# a phrase (lvscc/backends/piranha/lvs_cf.py): phrase -> the fields it explains; keepalived.conf carries the whole
# table, so none of its findings explains anything. An importer's finding names a real server:
# code -> the fields of that server it explains.
EXPLAINS: dict[str, dict[str, frozenset[str]]] = {
    "piranha": {
        "scheduler flags": frozenset({"flags"}),
        "one-packet scheduling": frozenset({"ops"}),
        "the persistence engine": frozenset({"pe"}),
        "connection thresholds": frozenset({"upper", "lower"}),
        "real-server ports of a firewall-mark service": frozenset({"server"}),
        "a sorry server kept in the table at weight 0": frozenset({"server"}),
    },
    "keepalived": {},
    "ipvsadm": {},
}
# LVS505: a per-server method override carries no tunnel options of its own (docs/language.md)
IMPORT_EXPLAINS = {"LVS505": frozenset({"tun_type", "tun_port", "tun_csum"})}

Difference = tuple[str, str, str]  # (service, real server or "", field)


def ipvs_differences(before: Config, after: Config) -> set[Difference]:
    """Every difference of the primary director's IPVS tables; the field is "service" or
    "server" for one that only one side has."""
    want = {s.key: s for s in lower(before).host("primary").ipvs}
    have = {s.key: s for s in lower(after).host("primary").ipvs}
    found: set[Difference] = set()
    for key in want.keys() | have.keys():
        w, h = want.get(key), have.get(key)
        name = (w or h).origin.what if (w or h).origin else str(key)  # type: ignore[union-attr]
        if w is None or h is None:
            found.add((name, "", "service"))
            continue
        found |= {(name, "", f) for f in SERVICE_FIELDS if getattr(w, f) != getattr(h, f)}
        dests = {(d.address, d.port): d for d in h.dests}
        for dest in w.dests:
            other = dests.pop((dest.address, dest.port), None)
            found |= {(name, str(dest.address), "server")} if other is None else {
                (name, str(dest.address), f) for f in DEST_FIELDS if getattr(dest, f) != getattr(other, f)}
        found |= {(name, str(address), "server") for address, _ in dests}
    return found


def unexplained(differences: set[Difference], gaps: list, notes: list, backend: str) -> set[Difference]:
    """The differences no reported limit names: each limit excuses its own object's fields only."""
    def explained(service: str, server: str, field: str) -> bool:
        by_backend = any(d.message.startswith(f"{service}:") and phrase in d.message and field in fields
                         for d in gaps for phrase, fields in EXPLAINS[backend].items())
        by_import = any(field in IMPORT_EXPLAINS.get(d.code, ()) and f"real server {server} " in d.message
                        for d in notes if server)
        return by_backend or by_import
    return {d for d in differences if not explained(*d)}


def check_backend(config: Config, backend: str, importer, within_limits: bool = False) -> None:
    gaps = BACKENDS[backend].unsupported(config)
    if any(d.severity is Severity.ERROR for d in gaps):
        assert not within_limits, [d.message for d in gaps]
        return  # compile stops here; the diagnostics are what the user gets
    imported, notes = _through(config, backend, importer)
    assert imported is not None
    imported = _with_mark_vips(imported, config)
    before, after = ipvsadm_rules(config), ipvsadm_rules(imported)
    differences = ipvs_differences(config, imported)
    silent = unexplained(differences, gaps, notes, backend)
    assert not silent, f"{backend} changed the IPVS table without a limit that says so: {sorted(silent)}\n{before}\n----\n{after}"
    assert differences or before == after, f"{backend}: the rules differ in form only:\n{before}\n----\n{after}"
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
    check_backend(_generated(text), "piranha", import_piranha, within_limits=True)


@SETTINGS
@given(config_text())
def test_piranha_generated_beyond_its_limits(text: str) -> None:
    check_backend(_generated(text), "piranha", import_piranha)


def test_piranha_leaves_out_an_inhibited_sorry_server_only_with_a_limit_naming_it() -> None:
    """lvs.cf cannot keep a sorry server in the table at weight 0: the destination is gone after
    the round trip, and the limit the backend reports must be the one that explains it (hypothesis
    found this config in a clean-clone run)."""
    check_backend(_generated(
        "lvs hyp {\n  director primary { public 192.0.2.2 dev eth0  private 198.51.100.2 dev eth1 }\n"
        "  forwarding direct\n  service s0 {\n    vip 192.0.2.10 dev eth0:1\n    tcp 53\n    scheduler rr\n"
        "    sorry-server 198.51.100.250 inhibit\n    server rs20 198.51.100.20\n  }\n}\n"), "piranha", import_piranha)


def test_piranha_limit_is_named_not_silent() -> None:
    """A sample piranha cannot carry: the backend names the gap rather than writing a lie."""
    codes = {d.code for d in BACKENDS["piranha"].unsupported(_sample(REPO / "samples" / "tunnel.lvs"))}
    assert {"LVS351", "LVS357"} <= codes


# ---- ipvsadm-save -----------------------------------------------------------------------------

@SETTINGS
@given(config_text(), st.booleans())
def test_ipvsadm_generated(text: str, bare: bool) -> None:
    """The table an ipvsadm-restore file holds imports to a config that lowers to the same table;
    `-p 360` may be written as a bare `-p` (what ipvsadm -p without a timeout means)."""
    config = _generated(text)
    rules = ipvsadm_rules(config)
    if bare:
        rules = re.sub(r" -p 360\b", " -p", rules)
    imported, notes = import_ipvsadm(rules, "imported.rules")
    assert imported is not None, notes
    differences = ipvs_differences(config, _with_mark_vips(imported, config))
    assert unexplained(differences, [], notes, "ipvsadm") == set(), rules


def _with_mark_vips(imported: Config, original: Config) -> Config:
    """A firewall-mark service's VIP is not always in the file (an IPVS table never says it; a
    keepalived.conf may spend its VRRP address on the NAT gateway): the importer's LVS504 asks
    for it, and this adds the original's, as the user following that hint would."""
    vips = {s.fwmark: s for s in original.services if s.fwmark}  # the generator's marks are unique
    services = tuple(replace(s, vip=vips[s.fwmark].vip, vip_dev=vips[s.fwmark].vip_dev) if s.fwmark and s.vip is None
                     else s for s in imported.services)
    return replace(imported, services=services)
