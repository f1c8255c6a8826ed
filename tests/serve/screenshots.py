"""Makes the screenshots in docs/serve/ (not a test): `.venv/bin/python -m tests.serve.screenshots
docs/serve`. The guide's NAT cluster with a warning in its config, audited against a dump of
its primary director in which web2's weight was changed by hand, web1 was quiesced by a health
checker and someone else added a service."""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

from .conftest import CHROMEDRIVER, CHROMIUM, CHROMIUM_FLAGS
from .server import PASSWORD, Serve, copy_sample, set_password, write_dump

PAGES = {"cluster": "/", "table": "/table", "monitor": "/monitor", "config": "/config"}


def scenario(directory: Path) -> Path:
    config = copy_sample("guide-nat.lvs", directory)
    config.write_text(config.read_text().replace("dead-after 18s", "dead-after 6s"))
    dump = write_dump(config, directory / "dump")
    rules = dump / "ipvsadm.rules"
    text = rules.read_text().replace("-r 10.11.12.2:80 -m -w 2", "-r 10.11.12.2:80 -m -w 5")
    text = text.replace("-r 10.11.12.1:80 -m -w 1", "-r 10.11.12.1:80 -m -w 0")
    rules.write_text(text + "-A -t 203.0.113.7:443 -s rr\n-a -t 203.0.113.7:443 -r 198.51.100.20:443 -g -w 1\n")
    held = [{"family": "inet", "local": a, "prefixlen": 24, "label": label}
            for a, label in (("192.168.26.9", "eth0"), ("192.168.26.10", "eth0:1"), ("10.11.12.9", "eth1"),
                             ("10.11.12.10", "eth1:1"))]
    (dump / "addresses.json").write_text(json.dumps([{"ifname": "eth0", "addr_info": held}]))
    return config


def main(target: Path) -> None:
    work = Path(tempfile.mkdtemp(prefix="lvscc-shots-"))
    profile = work / "chromium"
    scenario(work)
    target = target.absolute()
    os.chdir(work)  # the status line shows the paths as given: keep them short
    server = Serve(Path("guide-nat.lvs"), ["--from-dump", "dump", "--password-file", str(set_password(work / "passwd"))])
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (*CHROMIUM_FLAGS, f"--user-data-dir={profile}"):
        options.add_argument(flag.replace("1280,900", "1280,760"))
    browser = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    try:
        server.wait_ready()
        browser.get(server.url + "/login")
        browser.find_element(By.ID, "password").send_keys(PASSWORD)
        browser.find_element(By.ID, "login").click()
        target.mkdir(parents=True, exist_ok=True)
        for name, path in PAGES.items():
            browser.get(server.url + path)
            browser.save_screenshot(str(target / f"{name}.png"))
        browser.get(server.url + "/table")
        browser.find_element(By.CSS_SELECTOR, 'tr[data-dest="10.11.12.2:80"] a').click()
        browser.find_element(By.ID, "do-quiesce").click()
        browser.save_screenshot(str(target / "edit.png"))
    finally:
        browser.quit()
        server.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
