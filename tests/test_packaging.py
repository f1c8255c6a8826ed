"""The wheel ships grammar/ and the backends' templates: `pip install .` into a fresh venv, then
`lvscc compile` works from any directory; it installs the man page and the bash completion.
The sdist carries what the tests read (docs/, contrib/) and the LICENSE; the systemd units,
installed the way contrib/README.md says, pass `systemd-analyze verify`."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import venv
import zipfile
from pathlib import Path

import pytest

from lvscc.manual import commands
from lvscc.render import registry

REPO = Path(__file__).parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(REPO)],
                           capture_output=True, text=True)
    if built.returncode != 0:
        pytest.fail(f"building the wheel failed:\n{built.stderr}")
    return next(out.glob("lvscc-*.whl"))


@pytest.fixture(scope="module")
def sdist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sdist")
    built = subprocess.run([sys.executable, "-m", "build", "--sdist", "--outdir", str(out), str(REPO)],
                           capture_output=True, text=True)
    if built.returncode != 0:
        pytest.fail(f"building the sdist failed:\n{built.stderr}")
    return next(out.glob("lvscc-*.tar.gz"))


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with the wheel installed: its prefix."""
    env_dir = tmp_path_factory.mktemp("venv")
    venv.create(env_dir, with_pip=True)
    pip = subprocess.run([str(env_dir / "bin" / "pip"), "install", "-q", str(wheel)], capture_output=True, text=True)
    assert pip.returncode == 0, pip.stderr
    return env_dir


def test_wheel_carries_grammar_and_every_backend(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "lvscc/_data/grammar/lvs.lark" in names
    assert "lvscc/catalogue.toml" in names
    backends = REPO / "lvscc" / "backends"
    shipped = [str(p.relative_to(REPO)) for p in backends.rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    assert {p for p in shipped if p.endswith(".j2")} >= {f"lvscc/backends/{p}/{t}" for p, t in _templates()}
    assert [p for p in shipped if p not in names] == []


def _templates() -> list[tuple[str, str]]:
    """(package, template) of every backend's files, as the registry declares them."""
    return [(b.directory.name, template) for b in registry().values() for template in b.files.values()]


# A config for the one backend no sample reaches: IPv6 FTP behind NAT needs ip6tables' helper rule.
FTP6 = """lvs ftp6 {
  director primary { public 192.0.2.9 dev eth0  private 198.51.100.9 dev eth1 }
  forwarding nat { gateway 2001:db8:1::1/64 dev eth1:1 }
  service ftp { vip 2001:db8::21 dev eth0:1  ftp  persistence 600s  server ftp1 2001:db8:1::5 }
}
"""


def test_installed_wheel_renders_every_backend(installed: Path, tmp_path: Path) -> None:
    """Each backend's templates are found and render in an installation, not only in a checkout:
    the backends that wrote some file of these compiles (by the manifests) are all of them."""
    (tmp_path / "ftp6.lvs").write_text(FTP6)
    runs = [("samples/ftp-nat.lvs", "all"), ("samples/guide-dr.lvs", "all"),
            ("samples/dual-stack-dns.lvs", "director-kit"), (str(tmp_path / "ftp6.lvs"), "ip6tables")]
    written: set[str] = set()
    for number, (config, backend) in enumerate(runs):
        out = tmp_path / str(number)
        run = subprocess.run([str(installed / "bin" / "lvscc"), "compile", str(REPO / config), "-o", str(out),
                              "--backend", backend], cwd="/", capture_output=True, text=True,
                             env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"})
        assert run.returncode == 0, run.stderr
        written |= {a["backend"] for a in json.loads((out / "manifest.json").read_text())["artifacts"]}
    assert written == set(registry())


def test_installed_wheel_compiles_from_any_directory(installed: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    clean_env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    run = subprocess.run([str(installed / "bin" / "lvscc"), "compile", str(REPO / "samples" / "guide-nat.lvs"),
                          "-o", str(out)], cwd="/", capture_output=True, text=True, env=clean_env)
    assert run.returncode == 0, run.stderr
    assert (out / "primary" / "ipvsadm.rules").read_text().count("-a -t 192.168.26.10:80") == 2
    assert (out / "manifest.json").is_file()
    explained = subprocess.run([str(installed / "bin" / "lvscc"), "explain", "LVS101"], cwd="/",
                               capture_output=True, text=True, env=clean_env)
    assert explained.returncode == 0 and explained.stdout.startswith("# LVS101: ")
    sarif = subprocess.run([str(installed / "bin" / "lvscc"), "check", str(REPO / "samples" / "guide-nat.lvs"),
                            "--format", "sarif"], cwd="/", capture_output=True, text=True, env=clean_env)
    rules = json.loads(sarif.stdout)["runs"][0]["tool"]["driver"]["rules"]
    docs = rules[0]["helpUri"].split("#")[0].removeprefix("file://")
    assert docs.startswith(str(installed)) and Path(docs).is_file()


def test_installed_wheel_brings_its_man_page_and_completion(installed: Path) -> None:
    page = installed / "share" / "man" / "man1" / "lvscc.1"
    completion = installed / "share" / "bash-completion" / "completions" / "lvscc"
    assert page.read_text() == (REPO / "docs" / "lvscc.1").read_text()
    assert completion.read_text() == (REPO / "contrib" / "completion" / "lvscc.bash").read_text()
    for command in commands():
        assert f".SS lvscc {command.name}" in page.read_text()
        assert re.search(rf"^        {command.name}\) ", completion.read_text(), re.M)


def test_license_is_mit_and_shipped(wheel: Path, sdist: Path) -> None:
    text = (REPO / "LICENSE").read_text()
    assert text.startswith("MIT License\n") and "Copyright (c) 2026 lvscc authors" in text
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in zipfile.ZipFile(wheel).namelist())
    assert "lvscc-0.1.0/LICENSE" in tarfile.open(sdist).getnames()


def test_sdist_carries_what_the_tests_read(sdist: Path) -> None:
    names = set(tarfile.open(sdist).getnames())
    wanted = ["docs/language.md", "docs/rules.md", "docs/lvscc.1", "contrib/README.md",
              "contrib/completion/lvscc.bash", "scripts/setup.sh", "scripts/gen-docs.py", "Makefile", ".ci/run",
              "grammar/lvs.lark", "lvscc/catalogue.toml"]
    wanted += [f"contrib/systemd/{unit.name}" for unit in (REPO / "contrib" / "systemd").iterdir()]
    assert [w for w in wanted if f"lvscc-0.1.0/{w}" not in names] == []


def _readme_install_loop() -> str:
    readme = (REPO / "contrib" / "README.md").read_text()
    loop = re.search(r"^for unit in contrib/systemd/lvscc-\*; do\n.*?^done$", readme, re.M | re.S)
    assert loop, "contrib/README.md no longer shows how to install the units"
    return loop.group()


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze not installed")
def test_units_installed_as_documented_pass_systemd_verify(tmp_path: Path) -> None:
    """lvscc in a virtualenv, not on systemd's search path: the documented install writes its
    absolute path into ExecStart=, which systemd-analyze then accepts as it is."""
    bin_dir, units = tmp_path / "venv" / "bin", tmp_path / "units"
    bin_dir.mkdir(parents=True)
    units.mkdir()
    fake = bin_dir / "lvscc"
    fake.write_text("#!/bin/sh\nexit 0\n")
    fake.chmod(0o755)
    script = _readme_install_loop().replace("/etc/systemd/system", str(units))
    done = subprocess.run(["bash", "-c", script], cwd=REPO, capture_output=True, text=True,
                          env={"PATH": f"{bin_dir}:/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr
    installed = sorted(units.iterdir())
    assert [u.name for u in installed] == sorted(u.name for u in (REPO / "contrib" / "systemd").iterdir())
    for unit in installed:
        if unit.suffix == ".service":
            assert f"ExecStart={fake} " in unit.read_text()
    verified = subprocess.run(["systemd-analyze", "verify", "--man=no", *map(str, installed)], capture_output=True,
                              text=True, timeout=60, env={"SYSTEMD_LOG_LEVEL": "warning", "PATH": "/usr/bin:/bin"})
    assert verified.returncode == 0, verified.stderr


def test_optional_paths_of_the_units_do_not_stop_them() -> None:
    """ReadWritePaths= of a directory some systems lack (node_exporter's) carries `-`, or
    systemd refuses to start the unit there."""
    for unit in (REPO / "contrib" / "systemd").glob("*.service"):
        for paths in re.findall(r"^ReadWritePaths=(.*)$", unit.read_text(), re.M):
            assert all(path.startswith("-") for path in paths.split()), unit.name
