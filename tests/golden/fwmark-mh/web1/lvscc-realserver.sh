#!/bin/sh
# lvscc: prepares real server web1 of LVS cluster bundle.
# Generated; edit the .lvs source instead. Idempotent: run it at boot and again at will; a
# second run changes nothing.
set -eu
PATH=/usr/sbin:/usr/bin:/sbin:/bin
export PATH

# Before any VIP exists: with the VIP up and ARP settings still at their defaults, this host
# would answer ARP for the VIP and take the director's traffic.
sysctl -q -w net.ipv4.conf.all.arp_announce=2
sysctl -q -w net.ipv4.conf.all.arp_ignore=1
sysctl -q -w net.ipv4.conf.lo.arp_announce=2
sysctl -q -w net.ipv4.conf.lo.arp_ignore=1

ip link set dev lo up
ip addr replace 192.0.2.44/32 dev lo
