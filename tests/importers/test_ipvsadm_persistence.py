"""`-p` without a timeout in an ipvsadm-restore file means libipvs's IPVS_SVC_PERSISTENT_TIMEOUT,
6*60 s, not the 300 s the man page states (docs/language.md, lvs-domain §1.5): an import that
read it as 300 would shorten every client's stickiness (docs/testing.md, "Planted bugs")."""

from __future__ import annotations

import pytest

from lvscc.fmt import format_config
from lvscc.importers.ipvsadm import import_ipvsadm
from lvscc.model.config import DEFAULT_PERSISTENCE


@pytest.mark.parametrize(
    ("line", "seconds"),
    [
        ("-A -t 192.0.2.10:80 -s wlc -p", 360),
        ("-A -t 192.0.2.10:80 -p -s wlc", 360),
        ("-A -t 192.0.2.10:80 -s wlc --persistent", 360),
        ("-A -t 192.0.2.10:80 -s wlc -p -M 255.255.255.0", 360),
        ("-A -t 192.0.2.10:80 -s wlc -p 300", 300),
        ("-A -t 192.0.2.10:80 -s wlc -p 1", 1),
        ("-A -t 192.0.2.10:80 -s wlc", None),
    ],
)
def test_bare_persistent_flag_is_360_seconds(line: str, seconds: int | None) -> None:
    text = f"{line}\n-a -t 192.0.2.10:80 -r 198.51.100.2:80 -m -w 1\n"
    config, diagnostics = import_ipvsadm(text, "dump.ipvsadm")
    assert config is not None, diagnostics
    (service,) = config.services
    assert service.persistence == seconds
    if seconds is not None:
        assert f"    persistence {seconds}s" in format_config(config)


def test_the_language_default_agrees_with_libipvs() -> None:
    assert DEFAULT_PERSISTENCE == 6 * 60
