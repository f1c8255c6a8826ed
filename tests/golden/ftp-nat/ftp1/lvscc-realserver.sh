#!/bin/sh
# lvscc: prepares real server ftp1 of LVS cluster files.
# Generated; edit the .lvs source instead. Idempotent: run it at boot and again at will; a
# second run changes nothing.
set -eu
PATH=/usr/sbin:/usr/bin:/sbin:/bin
export PATH

# NAT: replies go back through the director's floating gateway address.
ip -4 route replace default via 198.51.100.1
