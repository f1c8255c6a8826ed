#!/bin/sh
# lvscc: prepares real server far1 of LVS cluster edge.
# Generated; edit the .lvs source instead. Idempotent: run it at boot and again at will; a
# second run changes nothing.
set -eu
PATH=/usr/sbin:/usr/bin:/sbin:/bin
export PATH

modprobe ipip

# IPVS tunneling: tunl0 decapsulates what the director sends.
ip link show dev tunl0 >/dev/null 2>&1 || ip link add name tunl0 type ipip
ip link set dev tunl0 up

# Before any VIP exists: with the VIP up and ARP settings still at their defaults, this host
# would answer ARP for the VIP and take the director's traffic.
sysctl -q -w net.ipv4.conf.all.arp_announce=2
sysctl -q -w net.ipv4.conf.all.arp_ignore=1
sysctl -q -w net.ipv4.conf.all.rp_filter=0
sysctl -q -w net.ipv4.conf.tunl0.rp_filter=0

ip addr replace 192.0.2.80/32 dev tunl0
