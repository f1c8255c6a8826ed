"""Runs tests/kernel against a real IPVS kernel: one virtme-ng guest per pytest run (Debian's
stock kernel, the host's root shared read-only over 9p), one inner pytest inside it, and its
junit XML read back through a read-write share. Inner failures become this test's failure.

When the host kernel has IPVS itself, tests/kernel ran directly and this test skips. When a
prerequisite is missing it skips with the reason, or fails if LVS_REQUIRE_KERNEL_TESTS=1 (CI),
so the kernel coverage cannot vanish silently."""

from __future__ import annotations

import fcntl
import os
import re
import shlex
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from prerequisites import unavailable

REPO = Path(__file__).resolve().parents[1]
GUEST_SCRIPT = REPO / "scripts" / "vm" / "guest-pytest.sh"
# Two budgets, each for what it names: the guest's boot (TCG: ~8 s idle, a minute contended) and the
# inner suite's own run, timed from the moment the guest starts it (~580 s with the keepalived
# oracle's corpus on a quiet host, ~1400 s seen under heavy load). Progress lines go to the
# terminal meanwhile, so a slow run is visibly slow.
BOOT_BUDGET = 300
SUITE_BUDGET = 1800
PROGRESS_EVERY = 30.0
# udev would load these in the guest for nothing (TCG has no nested virtualisation).
BLACKLIST = "modprobe.blacklist=kvm,kvm_intel,kvm_amd,irqbypass"
VM_LOCK = Path(tempfile.gettempdir()) / "lvscc-kernel-vm.lock"
ORACLE_INPUT = "oracle"  # the folder LVS_ORACLE_INPUT names in the guest
# e.g. LVS_KERNEL_SELECT='-k keepalived_loads': pytest options for the inner run, to iterate on a
# part of tests/kernel (CI leaves it unset and runs all of it)
SELECT = "LVS_KERNEL_SELECT"
_PT_INTERP = 3


def not_run(reason: str) -> None:
    unavailable(f"real-kernel IPVS tests not run: {reason}")


def statically_linked(path: str) -> bool:
    """vng copies busybox into its initramfs, so it must not need a dynamic loader."""
    with open(path, "rb") as elf:
        header = elf.read(64)
        if header[:4] != b"\x7fELF" or header[4] != 2:
            return False
        (phoff,) = struct.unpack_from("<Q", header, 32)
        phentsize, phnum = struct.unpack_from("<HH", header, 54)
        elf.seek(phoff)
        table = elf.read(phentsize * phnum)
    return all(struct.unpack_from("<I", table, i * phentsize)[0] != _PT_INTERP for i in range(phnum))


def find_busybox() -> str | None:
    for name in ("busybox-static", "busybox.static", "busybox"):
        found = shutil.which(name)
        if found and statically_linked(found):
            return found
    return None


def ipvs_kernel(root: Path) -> Path | None:
    """The newest vmlinuz under ROOT/boot whose modules include ip_vs and whose config can mount
    the host root over 9p (Debian's -cloud- flavour cannot)."""
    for image in sorted((root / "boot").glob("vmlinuz-*"), reverse=True):
        release = image.name.removeprefix("vmlinuz-")
        modules = root / "lib" / "modules" / release / "kernel" / "net" / "netfilter" / "ipvs"
        config = root / "boot" / f"config-{release}"
        has_9p = config.is_file() and re.search(r"^CONFIG_NET_9P=[ym]$", config.read_text(), re.M)
        if any(modules.glob("ip_vs.ko*")) and has_9p:
            return image
    return None


def guest_python() -> str:
    """CI's venv uses Debian's python: every guest Python start costs seconds more with pyenv's."""
    venv = REPO / ".venv" / "bin" / "python"
    return os.environ.get("LVS_GUEST_PYTHON") or (str(venv) if venv.exists() else sys.executable)


def venv_bin() -> Path:
    """The bin folder of the Python running these tests: setup.sh installs vng there, and `make
    test` need not have put it on PATH (vng itself runs virtme-run from PATH)."""
    return Path(sys.executable).parent


def find_vng() -> str | None:
    return shutil.which("vng", path=f"{venv_bin()}{os.pathsep}{os.environ.get('PATH', os.defpath)}")


def kvm_usable() -> bool:
    # /dev/kvm alone proves nothing: a PVM host has it but cannot run an unmodified guest kernel.
    cpu_flags = re.search(r"\b(vmx|svm)\b", Path("/proc/cpuinfo").read_text())
    return bool(cpu_flags) and os.access("/dev/kvm", os.R_OK | os.W_OK)


def prerequisites() -> tuple[Path, str]:
    """(kernel image, vng path), or not_run with the first missing piece."""
    if os.geteuid() != 0:
        not_run("needs root (network namespaces inside the guest, vng's 9p root share)")
    if not shutil.which("qemu-system-x86_64"):
        not_run("qemu-system-x86_64 not installed (apt: qemu-system-x86)")
    vng = find_vng()
    if not vng:
        not_run("vng not installed (pip: virtme-ng)")
    if not find_busybox():
        not_run("no statically linked busybox (apt: busybox-static)")
    root = Path(os.environ.get("LVS_TEST_KERNEL_ROOT", "/"))
    kernel = ipvs_kernel(root)
    if kernel is None:
        not_run(f"no kernel under {root / 'boot'} with ip_vs modules and 9p (apt: linux-image-amd64)")
    assert kernel is not None and vng is not None
    return kernel, vng


@dataclass(frozen=True)
class InnerRun:
    passed: list[str]
    failed: list[str]
    skipped: int


def read_junit(path: Path) -> InnerRun:
    passed: list[str] = []
    failed: list[str] = []
    skipped = 0
    for case in ET.parse(path).iter("testcase"):
        name = f"{case.get('classname')}::{case.get('name')}"
        if case.find("failure") is not None or case.find("error") is not None:
            failed.append(name)
        elif case.find("skipped") is not None:
            skipped += 1
        else:
            passed.append(name)
    return InnerRun(passed, failed, skipped)


def run_vm(kernel: Path, vng: str, out: Path, progress: Callable[[str], None]) -> subprocess.CompletedProcess[str]:
    command = [
        vng, "--run", str(kernel), "--cpus", "2", "--memory", "1G", "--append", BLACKLIST,
        "--rwdir", str(out), "--cwd", str(REPO),
        "--exec", f"LVS_ORACLE_INPUT={out / ORACLE_INPUT} PYTEST_ADDOPTS={shlex.quote(os.environ.get(SELECT, ''))} "
                  f"LVS_ORACLE_BUDGET={shlex.quote(os.environ.get('LVS_ORACLE_BUDGET', ''))} "
                  f"sh {GUEST_SCRIPT} {out} {guest_python()}",
    ]
    if not kvm_usable():
        command.insert(3, "--disable-kvm")
    env = {**os.environ, "PATH": f"{venv_bin()}{os.pathsep}{os.environ.get('PATH', os.defpath)}"}
    # Own session, so a timeout can take down qemu with vng (by this group's id only).
    vm = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, start_new_session=True, env=env)
    console: list[str] = []
    drain = threading.Thread(target=lambda: console.extend(vm.stdout or ()), daemon=True)
    drain.start()
    overrun = watch_vm(vm, out, progress)
    if overrun:
        os.killpg(vm.pid, signal.SIGKILL)
    vm.wait()
    drain.join(timeout=10)
    output = "".join(console)
    if overrun:
        pytest.fail(f"the kernel-test VM {overrun}:\n{output[-4000:]}\n{inner_log(out)[-4000:]}", pytrace=False)
    return subprocess.CompletedProcess(command, vm.returncode, output)


def watch_vm(vm: subprocess.Popen[str], out: Path, progress: Callable[[str], None]) -> str | None:
    """Waits for the guest, reporting the inner suite's progress; says which budget ran out, if one did."""
    started = time.monotonic()
    suite_started: float | None = None
    last_report = started
    while vm.poll() is None:
        time.sleep(1)
        now = time.monotonic()
        if suite_started is None and (out / "uptime-start").exists():
            suite_started = now
            progress(f"kernel VM booted in {now - started:.0f}s; inner suite running")
        if suite_started is None and now - started > BOOT_BUDGET:
            return f"did not start its suite within the {BOOT_BUDGET}s boot budget"
        if suite_started is not None and now - suite_started > SUITE_BUDGET:
            return f"suite ran over its {SUITE_BUDGET}s budget"
        if now - last_report >= PROGRESS_EVERY:
            last_report = now
            progress(f"kernel VM: {now - started:.0f}s, {finished_tests(out)} test(s) finished")
    return None


def inner_log(out: Path) -> str:
    log = out / "pytest.log"
    return log.read_text(errors="replace") if log.exists() else "(no inner log)"


def finished_tests(out: Path) -> int:
    return len(re.findall(r" (PASSED|FAILED|ERROR|SKIPPED|XFAIL|XPASS)\b", inner_log(out)))


def prepare_oracle(folder: Path) -> None:
    """The keepalived oracle's host part (tests/kernel/test_keepalived_oracle.py), done here, before
    the VM lock: it needs no IPVS and would cost the TCG guest minutes."""
    sys.path.insert(0, str(REPO / "tests" / "importers"))
    from keepalived_oracle import prepare

    prepare(folder)


@contextmanager
def the_only_vm() -> Iterator[None]:
    """Two TCG guests on this 2-core class of machine would each run at half speed and risk the
    timeout, so concurrent pytest runs take turns."""
    with open(VM_LOCK, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


@pytest.mark.kernel
def test_kernel_suite_in_a_vm(tmp_path: Path, record_property: Callable[[str, object], None],
                              capsys: pytest.CaptureFixture[str]) -> None:
    if Path("/proc/net/ip_vs").exists():
        pytest.skip("the host kernel has IPVS: tests/kernel ran directly")
    kernel, vng = prerequisites()
    out = tmp_path / "vm"
    out.mkdir()
    prepare_oracle(out / ORACLE_INPUT)
    def progress(line: str) -> None:
        with capsys.disabled():
            print(f"\n{line}", end="", flush=True)

    with the_only_vm():
        started = time.monotonic()
        vm = run_vm(kernel, vng, out, progress)
        wall = time.monotonic() - started
    log = inner_log(out)
    rc_file = out / "rc"
    if not rc_file.exists():
        pytest.fail(f"the inner pytest never finished (vng exit {vm.returncode}):\n{vm.stdout[-4000:]}\n{log}",
                    pytrace=False)
    inner = read_junit(out / "junit.xml") if (out / "junit.xml").exists() else InnerRun([], [], 0)
    if inner.failed:
        pytest.fail(f"{len(inner.failed)} kernel test(s) failed in the VM:\n  " + "\n  ".join(inner.failed)
                    + f"\n\n--- inner pytest log ---\n{log}", pytrace=False)
    rc = rc_file.read_text().strip()
    if rc != "0" or not inner.passed:
        pytest.fail(f"inner pytest exited {rc} with {len(inner.passed)} test(s) passed:\n{log}", pytrace=False)
    boot = float((out / "uptime-start").read_text())
    suite = float((out / "uptime-end").read_text()) - boot
    for name, seconds in (("vm_boot_s", boot), ("vm_inner_suite_s", suite), ("vm_wall_s", wall)):
        record_property(name, round(seconds, 1))
    with capsys.disabled():  # the figures belong in the CI log, not only in the junit XML
        print(f"\nkernel VM ({kernel.name}, {'KVM' if kvm_usable() else 'TCG'}): boot {boot:.1f}s, "
              f"inner suite {suite:.1f}s, wall {wall:.1f}s; {len(inner.passed)} passed, {inner.skipped} skipped")
        for line in re.findall(r"^kernel oracle: .*$", log, re.M):  # the inner test's counts, for the CI log
            print(line)
