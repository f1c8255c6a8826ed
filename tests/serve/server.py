"""One `lvscc serve` subprocess on a free loopback port (or inside a network namespace),
waited for with a deadline and always stopped; and the dump a director running a sample's
compiled files would give `lvscc snapshot`."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from lvscc.pipeline import compile_file
from lvscc.render import registry

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "samples"
PASSWORD = "correct horse battery"
# compiled file -> the dump file `lvscc snapshot` saves for what loading it produces
DUMPED = {"ipvsadm.rules": "ipvsadm.rules", "rules.v4": "iptables.rules", "lvscc-sysctl.conf": "sysctl.txt"}


def write_dump(config: Path, directory: Path, host: str = "primary") -> Path:
    result = compile_file(config, [registry()[n] for n in ("ipvsadm", "iptables", "sysctl")])
    assert result.artifacts, f"{config} does not compile"
    directory.mkdir(parents=True, exist_ok=True)
    for artifact in result.artifacts:
        name = artifact.path.split("/")[-1]
        if artifact.host == host and name in DUMPED:
            (directory / DUMPED[name]).write_text(artifact.content)
    return directory


def set_password(path: Path, password: str = PASSWORD) -> Path:
    done = subprocess.run([sys.executable, "-m", "lvscc", "serve", "--set-password", "--password-file", str(path)],
                          input=password + "\n", capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PYTHONPATH": str(REPO)})
    assert done.returncode == 0, done.stderr
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Serve:
    """`lvscc serve CONFIG ARGS --listen ADDRESS:PORT`, stopped by `stop()` in every case."""

    def __init__(self, config: Path, args: Sequence[str], address: str = "127.0.0.1", port: int | None = None,
                 prefix: Sequence[str] = ()) -> None:
        self.address, self.port = address, port or free_port()
        self.log = tempfile.TemporaryFile()
        self.process = subprocess.Popen(
            [*prefix, sys.executable, "-m", "lvscc", "serve", str(config), *args, "--listen", f"{address}:{self.port}"],
            stdout=self.log, stderr=subprocess.STDOUT, env={**os.environ, "PYTHONPATH": str(REPO)},
        )

    @property
    def url(self) -> str:
        return f"http://{self.address}:{self.port}"

    def said(self) -> str:
        self.log.seek(0)
        return self.log.read().decode(errors="replace")

    def wait_ready(self, connect: Sequence[str] = (), timeout: float = 30.0) -> None:
        """Until the port accepts connections (`connect` runs the probe elsewhere, e.g. in the
        server's namespace)."""
        deadline = time.monotonic() + timeout
        probe = f"import socket; socket.create_connection(({self.address!r}, {self.port}), 1).close()"
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"lvscc serve exited {self.process.returncode}:\n{self.said()}")
            if subprocess.run([*connect, sys.executable, "-c", probe], capture_output=True, timeout=10).returncode == 0:
                return
            time.sleep(0.2)
        raise AssertionError(f"lvscc serve not listening within {timeout}s:\n{self.said()}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)


def copy_sample(name: str, directory: Path) -> Path:
    target = directory / name
    shutil.copy(SAMPLES / name, target)
    return target
