"""ipvsadm-restore input: the IPVS table in exactly the form `ipvsadm-save -n` prints it
(ipvsadm 1.31 print_service_entry / print_tunnel_rule), so a saved live table diffs clean.
The distributions' ipvsadm service loads it at boot with ipvsadm-restore."""

from lvscc.backends import Backend

BACKEND = Backend(
    name="ipvsadm",
    roles=("director",),
    files={"ipvsadm.rules": "ipvsadm.rules.j2"},
    layouts={"rhel": {"ipvsadm.rules": "etc/sysconfig/ipvsadm"}, "debian": {"ipvsadm.rules": "etc/ipvsadm.rules"}},
    carries=frozenset({"ipvs"}),
)
