#!/bin/sh
# lvscc: brings up director backup of LVS cluster dr-web without a failover daemon.
# Generated; edit the .lvs source instead. Idempotent: run it at boot and again at will; a
# second run changes nothing.
#
# usage: lvscc-director.sh [active|standby]   (default here: standby)
# active: this director holds the floating addresses (VIPs, NAT gateway) and sends the IPVS sync.
# standby: it loads the same table, receives the sync and holds no floating address. Never make
# both directors active: two owners of a VIP are a split brain. With keepalived or piranha the
# daemon moves the addresses instead, and this kit is not written.
set -eu
PATH=/usr/sbin:/usr/bin:/sbin:/bin
export PATH
role=${1:-standby}
case $role in
active|standby) ;;
*) echo "usage: $0 [active|standby]" >&2; exit 2 ;;
esac
here=$(cd "$(dirname "$0")" && pwd)

modprobe ip_vs
modprobe ip_vs_lc
modprobe ip_vs_wrr

# After the modules: net.ipv4.vs.* exist only once ip_vs is loaded.
sysctl -q -w net.ipv4.vs.expire_nodest_conn=1

# The IPVS table, reloaded only when `ipvsadm-save -n` differs from it: a reload flushes every
# service and with it the connections they carry. (save prints no comments, timeouts or
# connection thresholds, so those are left out of the comparison.)
wanted=$(sed -e '/^#/d' -e '/^--set/d' -e '/^$/d' -e 's/ -x [0-9]* -y [0-9]*$//' "$here"/ipvsadm.rules)
if [ "$(ipvsadm-save -n)" != "$wanted" ]; then
	ipvsadm -C
	ipvsadm-restore < "$here"/ipvsadm.rules
fi

# The floating addresses: held by the active director only.
ip link set dev eth0 up
if [ "$role" = active ]; then
	ip addr replace 192.0.2.10/32 dev eth0 label eth0:1
elif ip -4 addr show dev eth0 | grep -q ' 192.0.2.10/'; then
	ip addr del 192.0.2.10/32 dev eth0
fi
if [ "$role" = active ]; then
	ip addr replace 192.0.2.11/32 dev eth0 label eth0:2
elif ip -4 addr show dev eth0 | grep -q ' 192.0.2.11/'; then
	ip addr del 192.0.2.11/32 dev eth0
fi
