#!/usr/bin/env bash
# Installs everything lvscc's tests need on a fresh Debian machine, then a venv in .venv.
# Idempotent; the system part runs only as root (CI and the dev machines run as root).
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  ipvsadm nftables iptables arptables keepalived iproute2 procps kmod
  qemu-system-x86 linux-image-amd64 busybox-static udev python3-venv
  chromium chromium-driver
)

if [ "$(id -u)" = 0 ]; then
  missing=()
  for p in "${APT_PACKAGES[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  if [ ${#missing[@]} -gt 0 ]; then
    apt-get update -qq
    # INITRD=No: virtme-ng builds its own initramfs; Debian's would only cost time.
    DEBIAN_FRONTEND=noninteractive INITRD=No apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
fi

# Debian's python, not pyenv's: every Python start inside the TCG guest costs seconds more with pyenv.
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip >/dev/null 2>&1 || true
.venv/bin/python -m pip install -q -e '.[test,fast,serve]' virtme-ng==1.42
