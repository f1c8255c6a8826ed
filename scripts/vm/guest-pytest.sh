#!/bin/sh
# Runs inside the virtme-ng guest (see tests/test_kernel_vm.py): one inner pytest over
# tests/kernel. The checkout is read-only in the guest, so everything it writes goes to OUT
# (shared read-write with the host) or to the guest's own /tmp. vng's exit status is not
# reliable (without udev it is 255 whatever happened), hence the rc file.
# usage: guest-pytest.sh OUT PYTHON
out=$1
python=$2
repo=$(cd "$(dirname "$0")/../.." && pwd)
cut -d' ' -f1 /proc/uptime > "$out/uptime-start"
cd "$repo" || exit 1
PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 "$python" -m pytest -v -rs -p no:cacheprovider \
    --basetemp=/tmp/lvscc-kernel-tests --junitxml="$out/junit.xml" tests/kernel \
    > "$out/pytest.log" 2>&1
echo $? > "$out/rc"
cut -d' ' -f1 /proc/uptime > "$out/uptime-end"
