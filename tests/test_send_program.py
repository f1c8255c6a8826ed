"""LVS173 judges a send-program the way keepalived does: for each command line, the rule's
verdict is keepalived's own (`keepalived -t` on a MISC_CHECK written the way the keepalived
backend writes it)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from lvscc.backends.keepalived.conf import quoted
from lvscc.rules.programs import split_error

PROGRAMS = [
    "/bin/check %h 'x",
    '/bin/check %h "x',
    "/bin/check %h x\\",
    "/bin/check %h 'a b' \"c d\" e\\ f",
    "/bin/check %h it\\'s",
    "/bin/check '%h' \"$HOME\" #1",
    "/bin/check %h 'a\"b'",
    "/bin/true",
]
SERVER = "198.51.100.2"


def _keepalived_accepts(program: str, tmp_path: Path) -> bool:
    config = tmp_path / "keepalived.conf"
    config.write_text(f"""global_defs {{
  enable_script_security
  script_user root
}}
virtual_server 192.0.2.10 80 {{
  lvs_sched wlc
  lvs_method NAT
  protocol TCP
  real_server {SERVER} 80 {{
    MISC_CHECK {{
      misc_path {quoted(program.replace("%h", SERVER))}
    }}
  }}
}}
""")
    done = subprocess.run(["keepalived", "-t", "-l", "-f", str(config)], capture_output=True, text=True, timeout=60)
    return done.returncode == 0 and not done.stderr


@pytest.mark.skipif(shutil.which("keepalived") is None, reason="keepalived not installed")
@pytest.mark.parametrize("program", PROGRAMS)
def test_the_rule_agrees_with_keepalived(program: str, tmp_path: Path) -> None:
    assert (split_error(program) is None) == _keepalived_accepts(program, tmp_path)
