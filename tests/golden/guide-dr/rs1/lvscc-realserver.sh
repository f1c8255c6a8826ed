#!/bin/sh
# lvscc: prepares real server rs1 of LVS cluster dr-web.
# Generated; edit the .lvs source instead. Idempotent: run it at boot and again at will; a
# second run changes nothing.
set -eu
PATH=/usr/sbin:/usr/bin:/sbin:/bin
export PATH

# Also before the VIP: drop ARP requests for it and never announce it as our ARP sender. (The
# guide prints the OUTPUT rule with -d; it must match the sender, -s.)
arp_rule() { arptables -C "$@" 2>/dev/null || arptables -A "$@"; }
arp_rule INPUT -d 192.0.2.10 -j DROP
arp_rule OUTPUT -s 192.0.2.10 -j mangle --mangle-ip-s 192.0.2.21

ip link set dev lo up
ip addr replace 192.0.2.10/32 dev lo
