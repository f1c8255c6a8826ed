#!/bin/sh
# lvscc: prepares real server rs4 of LVS cluster dr-web.
# Generated; edit the .lvs source instead. Idempotent: run it at boot and again at will; a
# second run changes nothing.
set -eu
PATH=/usr/sbin:/usr/bin:/sbin:/bin
export PATH

# Direct routing without a VIP here (guide §3.2.2): the VIP's ports are redirected to this host.
redirect_rule() { tool=$1; shift; "$tool" -t nat -C PREROUTING "$@" 2>/dev/null || "$tool" -t nat -A PREROUTING "$@"; }
redirect_rule iptables -d 192.0.2.11/32 -p tcp --dport 443 -m comment --comment 'lvscc: server rs4 of service https' -j REDIRECT
