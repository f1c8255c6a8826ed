"""Fixtures for `lvscc serve`: a config and its dump in a temporary directory, a password
file, a running server, and one headless Debian chromium for the whole session."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from .server import Serve, copy_sample, set_password, write_dump

CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
# Root in a container: no sandbox; nothing fetched or phoned home while the tests run.
CHROMIUM_FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--disable-dev-shm-usage", "--window-size=1280,900")


@pytest.fixture
def lab(tmp_path: Path) -> Path:
    """guide-nat.lvs and an in-sync dump of its primary director."""
    config = copy_sample("guide-nat.lvs", tmp_path)
    write_dump(config, tmp_path / "dump")
    set_password(tmp_path / "passwd")
    return tmp_path


@pytest.fixture
def serve() -> Iterator[Callable[..., Serve]]:
    started: list[Serve] = []

    def start(config: Path, *args: str, **kwargs: object) -> Serve:
        server = Serve(config, args, **kwargs)  # type: ignore[arg-type]
        started.append(server)
        if not kwargs.get("prefix"):
            server.wait_ready()
        return server

    yield start
    for server in started:
        server.stop()


def _chromium_missing() -> str | None:
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    return f"{' and '.join(missing)} not installed (scripts/setup.sh installs chromium chromium-driver)" if missing else None


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    reason = _chromium_missing()
    if reason:
        if os.environ.get("LVS_REQUIRE_KERNEL_TESTS") == "1":
            pytest.fail(f"{reason} (LVS_REQUIRE_KERNEL_TESTS=1)", pytrace=False)
        pytest.skip(reason)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="lvscc-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (*CHROMIUM_FLAGS, f"--user-data-dir={profile}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(30)
    driver.set_script_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
