#!/bin/sh
# lvscc: brings up director primary of LVS cluster far without a failover daemon.
# Generated; edit the .lvs source instead. Idempotent: run it at boot and again at will; a
# second run changes nothing.
#
# usage: lvscc-director.sh [active|standby]   (default here: active)
# active: this director holds the floating addresses (VIPs, NAT gateway) and sends the IPVS sync.
# standby: it loads the same table, receives the sync and holds no floating address. Never make
# both directors active: two owners of a VIP are a split brain. With keepalived or piranha the
# daemon moves the addresses instead, and this kit is not written.
set -eu
PATH=/usr/sbin:/usr/bin:/sbin:/bin
export PATH
role=${1:-active}
case $role in
active|standby) ;;
*) echo "usage: $0 [active|standby]" >&2; exit 2 ;;
esac
here=$(cd "$(dirname "$0")" && pwd)

modprobe ip_vs
modprobe ip_vs_mh

# After the modules: net.ipv4.vs.* exist only once ip_vs is loaded.
sysctl -q -w net.ipv4.vs.backup_only=1
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
	ip addr replace 198.51.100.10/32 dev eth0 label eth0:1
elif ip -4 addr show dev eth0 | grep -q ' 198.51.100.10/'; then
	ip addr del 198.51.100.10/32 dev eth0
fi

# IPVS connection sync (ipvsadm --start-daemon): the active director sends, the standby receives,
# so a takeover keeps the connections. A daemon already running as wanted is left alone.
if [ "$role" = active ]; then sync=master; other=backup; else sync=backup; other=master; fi
ipvsadm --stop-daemon "$other" 2>/dev/null || :
case $(ipvsadm -L -n --daemon 2>/dev/null || :) in
*"$sync sync daemon (mcast="eth0", syncid="7[!0-9]*) ;;
*)
	ipvsadm --stop-daemon "$sync" 2>/dev/null || :
	ipvsadm --start-daemon "$sync" --mcast-interface eth0 --syncid 7
	;;
esac
