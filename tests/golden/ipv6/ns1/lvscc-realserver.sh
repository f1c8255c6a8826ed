#!/bin/sh
# lvscc: prepares real server ns1 of LVS cluster v6.
# Generated; edit the .lvs source instead. Idempotent: run it at boot and again at will; a
# second run changes nothing.
set -eu
PATH=/usr/sbin:/usr/bin:/sbin:/bin
export PATH

ip link set dev lo up
ip addr replace 2001:db8::53/128 dev lo
