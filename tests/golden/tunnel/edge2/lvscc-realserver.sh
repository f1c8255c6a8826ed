#!/bin/sh
# lvscc: prepares real server edge2 of LVS cluster far.
# Generated; edit the .lvs source instead. Idempotent: run it at boot and again at will; a
# second run changes nothing.
set -eu
PATH=/usr/sbin:/usr/bin:/sbin:/bin
export PATH

modprobe fou
modprobe ipip

# IPVS tunneling: tunl0 decapsulates what the director sends.
# GUE: the director wraps packets in UDP with a GUE header; the fou module unwraps them.
ip fou show 2>/dev/null | grep -q '^port 6080 ' || ip fou add port 6080 gue
ip link show dev tunl0 >/dev/null 2>&1 || ip link add name tunl0 type ipip
ip link set dev tunl0 up

# Before any VIP exists: with the VIP up and ARP settings still at their defaults, this host
# would answer ARP for the VIP and take the director's traffic.
sysctl -q -w net.ipv4.conf.all.arp_announce=2
sysctl -q -w net.ipv4.conf.all.arp_ignore=1
sysctl -q -w net.ipv4.conf.all.rp_filter=0
sysctl -q -w net.ipv4.conf.tunl0.rp_filter=0

ip addr replace 198.51.100.10/32 dev tunl0
