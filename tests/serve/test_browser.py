"""`lvscc serve` in a real browser (Debian's chromium, driven by selenium through the system
chromedriver): what an operator sees and does."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from .server import PASSWORD, SAMPLES, Serve, copy_sample, set_password, write_dump

WAIT = 15.0  # seconds any single expectation may take


def wait_for(browser, condition: Callable[[object], object], what: str):  # type: ignore[no-untyped-def]
    from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException, TimeoutException
    from selenium.webdriver.support.ui import WebDriverWait

    # A server-sent refresh may replace an element between finding and reading it: read again.
    ignored = (NoSuchElementException, StaleElementReferenceException)
    try:
        return WebDriverWait(browser, WAIT, poll_frequency=0.1, ignored_exceptions=ignored).until(condition)
    except TimeoutException:
        raise AssertionError(f"{what} within {WAIT}s; page: {browser.current_url}\n{browser.page_source[:3000]}") from None


def log_in(browser, server: Serve, password: str = PASSWORD) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By

    browser.delete_all_cookies()
    browser.get(server.url + "/login")
    browser.find_element(By.ID, "password").send_keys(password)
    browser.find_element(By.ID, "login").click()
    # the next browser.get() would abort the login still in flight (no session cookie, so the
    # page asked for comes back as the login form): wait for the answer, welcome or refusal
    wait_for(browser, lambda b: not b.current_url.endswith("/login") or b.find_elements(By.ID, "login-error"),
             "the login answered")


def verdict(browser, selector: str) -> str:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By

    return browser.find_element(By.CSS_SELECTOR, selector).get_attribute("data-verdict")


@pytest.mark.parametrize("sample", sorted(p.name for p in SAMPLES.glob("*.lvs")))
def test_the_samples_render(sample: str, tmp_path: Path, serve, browser) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By

    config = copy_sample(sample, tmp_path)
    server = serve(config, "--from-dump", str(write_dump(config, tmp_path / "dump")),
                   "--password-file", str(set_password(tmp_path / "passwd")))
    log_in(browser, server)
    wait_for(browser, lambda b: b.find_elements(By.CSS_SELECTOR, "svg.topology"), "the topology drawn")
    services = browser.find_elements(By.CSS_SELECTOR, "svg.topology g.service")
    dests = browser.find_elements(By.CSS_SELECTOR, "svg.topology g.dest")
    assert services and dests, browser.page_source[:2000]
    # a dump of exactly what was compiled: every object in sync
    assert {s.get_attribute("data-verdict") for s in services + dests} == {"in-sync"}
    assert "in sync" in browser.find_element(By.ID, "summary").text
    for page, marker in (("/table", "table#services"), ("/monitor", "table#ipvs"), ("/config", "table.source")):
        browser.get(server.url + page)
        assert browser.find_elements(By.CSS_SELECTOR, marker), f"{page}: {browser.page_source[:2000]}"


def test_a_drift_in_the_dump_turns_the_server_red_within_one_event(lab: Path, serve, browser) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By

    server = serve(lab / "guide-nat.lvs", "--from-dump", str(lab / "dump"), "--password-file", str(lab / "passwd"))
    log_in(browser, server)
    web2 = 'g.dest[data-dest="10.11.12.2:80"]'
    wait_for(browser, lambda b: b.find_elements(By.CSS_SELECTOR, web2), "web2 drawn")
    assert wait_for(browser, lambda b: verdict(b, web2), "web2's verdict") == "in-sync"
    wait_for(browser, lambda b: b.execute_script("return document.readyState") == "complete", "the page loaded")
    before = int(wait_for(browser, lambda b: b.find_element(By.ID, "version").text, "the refresh count"))
    rules = lab / "dump" / "ipvsadm.rules"
    rules.write_text(rules.read_text().replace("-r 10.11.12.2:80 -m -w 2", "-r 10.11.12.2:80 -m -w 5"))
    wait_for(browser, lambda b: verdict(b, web2) == "drift", "web2 turned to drift")
    # the first refresh after the change is the one that shows it: no page reload, no second event
    assert int(wait_for(browser, lambda b: b.find_element(By.ID, "version").text, "the refresh count")) == before + 1
    assert browser.execute_script("return performance.getEntriesByType('navigation').length") == 1
    title = browser.find_element(By.CSS_SELECTOR, f"{web2} title").get_attribute("textContent")
    assert "weight: expected 2, observed 5" in title
    assert "1 changed" in browser.find_element(By.ID, "summary").text


def test_a_weight_edit_lands_in_the_source_and_recompiles(lab: Path, serve, browser) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By

    config = lab / "guide-nat.lvs"
    server = serve(config, "--from-dump", str(lab / "dump"), "--password-file", str(lab / "passwd"))
    log_in(browser, server)
    browser.get(server.url + "/table")
    browser.find_element(By.CSS_SELECTOR, 'tr[data-dest="10.11.12.2:80"] a').click()
    # each click loads a new page: on a loaded host the next element is not there at once
    weight = wait_for(browser, lambda b: b.find_elements(By.ID, "weight"), "the weight form")[0]
    weight.clear()
    weight.send_keys("7")
    browser.find_element(By.ID, "do-weight").click()
    proposed = wait_for(browser, lambda b: b.find_elements(By.ID, "change"), "the proposed change")[0]
    change = [line for line in proposed.text.splitlines() if line[:1] in "+-"]
    assert change[2:] == ["-    server web2 10.11.12.2 weight 2", "+    server web2 10.11.12.2 weight 7"]
    assert "no findings" in browser.find_element(By.ID, "check").text
    assert "weight 7" not in config.read_text()  # nothing saved before the confirmation
    browser.find_element(By.ID, "confirm").click()
    wait_for(browser, lambda b: b.find_elements(By.ID, "message"), "the saved message")
    text = config.read_text()
    assert "server web2 10.11.12.2 weight 7" in text
    assert "# the floating NAT address: every real server's default route (guide 3.1.2)" in text  # comments kept
    artifacts = browser.find_element(By.TAG_NAME, "main").get_attribute("textContent")
    assert "-a -t 192.168.26.10:80 -r 10.11.12.2:80 -m -w 7" in artifacts  # the recompiled ipvsadm.rules
    browser.get(server.url + "/")
    assert verdict(browser, 'g.dest[data-dest="10.11.12.2:80"]') == "drift"  # the dump still says 2


def test_a_wrong_password_is_refused(lab: Path, serve, browser) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By

    server = serve(lab / "guide-nat.lvs", "--from-dump", str(lab / "dump"), "--password-file", str(lab / "passwd"))
    log_in(browser, server, "not the password")
    # the refusal comes after a deliberate one-second pause: wait for that page, not the old one
    error = wait_for(browser, lambda b: b.find_elements(By.ID, "login-error"), "the login error")
    assert error[0].text == "Wrong password."
    browser.get(server.url + "/")
    assert browser.current_url.endswith("/login") and not browser.find_elements(By.CSS_SELECTOR, "svg.topology")


def test_hostile_names_from_a_dump_are_text(lab: Path, serve, browser) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By

    hostile = "<script>document.title=1</script><img src=x onerror=alert(2)>"
    (lab / "dump" / "iptables.rules").write_text(
        f'*nat\n:PREROUTING ACCEPT [0:0]\n-A PREROUTING -d 203.0.113.9/32 -m comment --comment "{hostile}" -j ACCEPT\nCOMMIT\n')
    server = serve(lab / "guide-nat.lvs", "--from-dump", str(lab / "dump"), "--password-file", str(lab / "passwd"))
    log_in(browser, server)
    browser.get(server.url + "/table")
    rows = browser.find_element(By.ID, "drifts").text
    assert "foreign" in rows and hostile in rows  # shown as the text it is
    assert browser.title != "1" and not browser.find_elements(By.CSS_SELECTOR, "#drifts script, #drifts img")
