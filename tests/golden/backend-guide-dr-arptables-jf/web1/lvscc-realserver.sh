#!/bin/sh
# lvscc: prepares real server web1 of LVS cluster example.
# Generated; edit the .lvs source instead. Idempotent: run it at boot and again at will; a
# second run changes nothing.
set -eu
PATH=/usr/sbin:/usr/bin:/sbin:/bin
export PATH

# Also before the VIP: drop ARP requests for it and never announce it as our ARP sender. (The
# guide prints the OUT rule with -d; it must match the sender, -s.)
# arptables_jf has no -C to test for a rule, so each rule is deleted (if present) and added again.
arp_rule() { arptables -D "$@" 2>/dev/null || :; arptables -A "$@"; }
arp_rule IN -d 192.168.26.10 -j DROP
arp_rule OUT -s 192.168.26.10 -j mangle --mangle-ip-s 192.168.26.11

ip link set dev eth0 up
ip addr replace 192.168.26.10/32 dev eth0 label eth0:1
