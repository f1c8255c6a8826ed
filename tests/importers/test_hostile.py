"""Issue 11 item 2: a value read from a foreign file never becomes .lvs statements. Each
reproducer tried to close its token with `}` and open a service of its own; the import must
report it (LVS507) and the .lvs must hold no service but the file's own."""

from __future__ import annotations

import pytest

from lvscc.commands.import_ import IMPORTERS
from lvscc.fmt import format_config
from lvscc.load import load_text
from lvscc.rules import check
from lvscc.syntax import lvs
from lvscc.syntax.lvs import LvsSyntaxError

ESCAPE = "} service evil { vip 198.51.100.67 dev eth0:2 tcp 22 scheduler rr server evil1 203.0.113.66 }"

PIRANHA = f"""serial_no = 1
primary = 192.0.2.2
service = lvs
network = direct
virtual web {{
     active = 1
     address = 192.0.2.10 "eth0:1 tcp 80 {ESCAPE} service spare {{ vip 192.0.2.99 dev eth0:3"
     port = 80
     scheduler = wlc
     server web1 {{
         address = 192.0.2.11
         active = 1
     }}
}}
"""

KEEPALIVED = f"""vrrp_instance VI_1 {{
    state MASTER
    interface eth0
    virtual_router_id 51
    virtual_ipaddress {{
        192.0.2.10/24 dev eth0 label "eth0:1 {ESCAPE} service spare {{ vip 192.0.2.99 dev eth0:3"
    }}
}}
virtual_server 192.0.2.10 80 {{
    lb_algo rr
    lb_kind DR
    protocol TCP
    real_server 192.0.2.11 80 {{
    }}
}}
"""

IPVSADM = f"""-A -t 192.0.2.10:5060 -s rr --pe "sip {ESCAPE}"
-a -t 192.0.2.10:5060 -r 192.0.2.11:5060 -g -w 1
"""


# The ipvsadm dump's line is refused whole by the ipvsadm syntax module (no ipvsadm-save prints
# such an engine name: the dump is corrupt), so its service is left out, and said to be.
@pytest.mark.parametrize("source,text,code,services", [
    ("piranha", PIRANHA, "LVS507", 1), ("keepalived", KEEPALIVED, "LVS507", 1), ("ipvsadm", IPVSADM, "LVS502", 0)])
def test_a_value_cannot_write_statements(source: str, text: str, code: str, services: int) -> None:
    config, notes = IMPORTERS[source](text, f"evil.{source}")
    assert config is not None
    assert code in {d.code for d in notes}
    lvs_text = format_config(config)
    loaded, found = load_text(lvs_text, "evil.lvs")
    assert loaded is not None and [s.name for s in loaded.services] == [s.name for s in config.services]
    assert len(loaded.services) == services and "198.51.100.67" not in str(loaded.services)
    # the refused value is named only inside the `untranslated` string the next check reports
    assert [line for line in lvs_text.splitlines() if "198.51.100.67" in line][0].lstrip().startswith(
        "untranslated \"")
    assert "LVS186" in {d.code for d in check(loaded)}


def test_fmt_refuses_what_no_token_can_carry() -> None:
    """The gate behind the importers: fmt writes names and devices only through syntax.lvs."""
    with pytest.raises(LvsSyntaxError):
        lvs.device("eth0 } service x {")
    with pytest.raises(LvsSyntaxError):
        lvs.name("sip }")
    with pytest.raises(LvsSyntaxError):
        lvs.quote("a\x1bb")
    assert lvs.quote('say "hi"\n') == '"say \\"hi\\"\\n"'
    assert lvs.device("eth0:1") == "eth0:1" and lvs.name("svc-1") == "svc-1"
