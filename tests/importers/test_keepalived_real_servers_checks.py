"""A keepalived real_server block and its checker as lvscc reads them
(lvscc/importers/keepalived/real_servers.py): which timer becomes the check's timeout, what an
HTTP_GET sends and expects, which port a check connects to, and a note, with the line it names,
for every statement left behind."""

from __future__ import annotations

import pytest

from lvscc.importers.keepalived import import_keepalived
from lvscc.model.config import HealthCheck, RealServer, VirtualService

HEAD = "virtual_server 192.0.2.10 80 {\n    protocol TCP\n    lb_kind DR\n"


def service_of(body: str, virtual: str = "") -> tuple[VirtualService, list[tuple[str, int, str]]]:
    """The one service of a virtual server whose settings are `virtual` and whose one real
    server's body is `body` (the real_server line is line 4 + the lines of `virtual`), and the
    import's notes but the VIP's unknown device."""
    text = HEAD + virtual + "    real_server 192.0.2.21 80 {\n" + body + "    }\n}\n"
    config, found = import_keepalived(text, "k.conf")
    assert config is not None
    (service,) = config.services
    return service, [(d.code, d.span.line, d.message) for d in found if "VRRP" not in d.message]


def check_of(checker: str, virtual: str = "") -> tuple[HealthCheck | None, list[tuple[str, int, str]]]:
    service, notes = service_of(checker, virtual)
    return service.check, notes


# ---- the real server's own settings --------------------------------------------------------------

def test_weight_and_thresholds_land_on_the_real_server() -> None:
    service, notes = service_of("        weight 7\n        uthreshold 40\n        lthreshold 10\n")
    assert notes == []
    assert service.servers == (RealServer(name="rs-192-0-2-21", address=service.servers[0].address, port=None,
                                          weight=7, upper=40, lower=10, span=service.servers[0].span),)
    assert (service.servers[0].span.line, service.servers[0].span.column) == (4, 5)


def test_a_real_server_without_settings_has_weight_1_and_no_thresholds() -> None:
    service, notes = service_of("")
    (server,) = service.servers
    assert (server.weight, server.upper, server.lower, server.method, notes) == (1, 0, 0, None, [])
    assert not service.quiesce and service.check is None


def test_a_bad_weight_is_reported_and_the_default_kept() -> None:
    service, notes = service_of("        weight heavy\n        uthreshold -3\n")
    assert (service.servers[0].weight, service.servers[0].upper) == (1, 0)
    assert notes == [("LVS502", 5, "`weight`: expected a number, found 'heavy'"),
                     ("LVS502", 6, "`uthreshold`: expected a number, found '-3'")]


@pytest.mark.parametrize("key", ["lb_kind", "lvs_method"])
def test_a_real_servers_own_method_overrides_its_services(key: str) -> None:
    service, notes = service_of(f"        {key} NAT\n")
    assert (service.forwarding.method.value, service.servers[0].method.value, notes) == ("direct", "nat", [])


def test_inhibit_on_failure_on_the_only_real_server_quiesces_the_service() -> None:
    service, notes = service_of("        inhibit_on_failure\n")
    assert service.quiesce and notes == []


def test_an_unknown_real_server_statement_is_named_with_its_words() -> None:
    _, notes = service_of("        frobnicate 1 2\n        reentry\n")
    assert notes == [("LVS501", 5, "`frobnicate` not translated: no lvscc equivalent for a real server (1 2)"),
                     ("LVS501", 6, "`reentry` not translated: no lvscc equivalent for a real server")]


def test_a_checker_without_a_block_is_not_a_check() -> None:
    check, notes = check_of("        TCP_CHECK\n")
    assert check is None
    assert notes == [("LVS501", 5, "`TCP_CHECK` not translated: no lvscc equivalent for a real server")]


def test_two_checkers_keep_the_first_and_say_so_at_the_real_server() -> None:
    check, notes = check_of("        MISC_CHECK {\n            misc_path /bin/true\n        }\n"
                            "        TCP_CHECK {\n            connect_port 81\n        }\n")
    assert check is not None and (check.send_program, check.port, check.span.line) == ("/bin/true", None, 5)
    assert notes == [("LVS505", 4, "lvscc has one check per service; the first checker was kept")]


def test_a_real_server_without_an_address_is_left_out() -> None:
    text = HEAD + "    real_server {\n    }\n    real_server 192.0.2.300 80 {\n    }\n}\n"
    config, found = import_keepalived(text, "k.conf")
    assert config is not None and config.services[0].servers == ()
    assert [(d.code, d.span.line, d.message) for d in found if d.code == "LVS502"] == [
        ("LVS502", 6, "`real_server`: '192.0.2.300' is not an IP address")]


def test_a_real_servers_bad_port_is_reported() -> None:
    text = HEAD + "    real_server 192.0.2.21 http {\n    }\n}\n"
    config, found = import_keepalived(text, "k.conf")
    assert config is not None
    assert [(d.code, d.span.line, d.message) for d in found if d.code == "LVS502"] == [
        ("LVS502", 4, "`real_server`: expected a number, found 'http'")]
    assert [(s.address.compressed, s.port) for s in config.services[0].servers] == [("192.0.2.21", None)]


# ---- the timeout: checker, then virtual server ----------------------------------------------------

@pytest.mark.parametrize(("timers", "timeout"), [
    ("connect_timeout 4\n", 4),
    ("delay_loop 9\n", 9),
    ("misc_timeout 2\n", 2),
    ("delay_loop 9\n connect_timeout 4\n", 4),
    ("connect_timeout 4\n misc_timeout 2\n delay_loop 9\n", 2),
    ("", None),
])
def test_the_checks_timeout_is_misc_timeout_else_connect_timeout_else_delay_loop(
        timers: str, timeout: int | None) -> None:
    check, notes = check_of(f"        TCP_CHECK {{\n {timers}        }}\n")
    assert check is not None and notes == []
    assert check.timeout == (timeout if timeout is not None else HealthCheck().timeout)


def test_the_virtual_servers_timers_are_the_checkers_defaults() -> None:
    check, _ = check_of("        TCP_CHECK {\n        }\n", "    delay_loop 12\n")
    assert check is not None and check.timeout == 12
    check, _ = check_of("        TCP_CHECK {\n            delay_loop 5\n        }\n", "    connect_timeout 12\n")
    assert check is not None and check.timeout == 12  # connect_timeout before delay_loop, wherever set
    check, _ = check_of("        TCP_CHECK {\n            connect_timeout 5\n        }\n", "    connect_timeout 12\n")
    assert check is not None and check.timeout == 5  # the checker's own wins


def test_a_bad_timer_is_reported_and_the_next_one_taken() -> None:
    check, notes = check_of("        TCP_CHECK {\n            connect_timeout soon\n            delay_loop 8\n        }\n")
    assert check is not None and check.timeout == 8
    assert notes == [("LVS502", 6, "`connect_timeout`: expected a number, found 'soon'")]


def test_delay_before_retry_in_a_checker_is_named_as_untranslated() -> None:
    check, notes = check_of("        TCP_CHECK {\n            delay_before_retry 3\n            connect_timeout 4\n"
                            "        }\n")
    assert check is not None and check.timeout == 4
    assert notes == [("LVS501", 6, "`delay_before_retry` not translated: lvscc has no retries to pace "
                                   "(a failed check takes the server out, as in nanny)")]


# ---- what each checker checks --------------------------------------------------------------------

def test_a_tcp_check_connects_to_its_connect_port() -> None:
    check, notes = check_of("        TCP_CHECK {\n            connect_port 8081\n            retry 3\n        }\n")
    assert check == HealthCheck(port=8081, span=check.span) and (check.span.line, check.span.column) == (5, 9)
    assert notes == [("LVS501", 7, "`retry` not translated: no lvscc equivalent in TCP_CHECK")]


def test_a_bad_connect_port_is_reported() -> None:
    check, notes = check_of("        TCP_CHECK {\n            connect_port eighty\n        }\n")
    assert check is not None and check.port is None
    assert notes == [("LVS502", 6, "`connect_port`: expected a number, found 'eighty'")]


def test_a_misc_check_runs_its_program_with_percent_h_for_the_server() -> None:
    check, notes = check_of('        MISC_CHECK {\n            misc_path "/bin/chk \\x41 192.0.2.21"\n'
                            "            misc_timeout 6\n            misc_dynamic\n        }\n")
    assert check == HealthCheck(send_program="/bin/chk A %h", timeout=6, span=check.span)
    assert check.span.line == 5
    assert notes == [("LVS501", 8, "`misc_dynamic` not translated: no lvscc equivalent in MISC_CHECK")]


@pytest.mark.parametrize("path", ["", "            misc_path\n"])
def test_a_misc_check_without_a_program_is_refused(path: str) -> None:
    check, notes = check_of(f"        MISC_CHECK {{\n{path}        }}\n")
    assert check is None
    assert notes == [("LVS502", 5, "`MISC_CHECK`: MISC_CHECK without misc_path")]


def test_an_http_get_sends_its_path_and_virtual_host_and_expects_its_status() -> None:
    check, notes = check_of("        HTTP_GET {\n            url {\n                path /health\n"
                            "                virtualhost www.example.com\n                status_code 204\n"
                            "            }\n            connect_port 8080\n            connect_timeout 3\n        }\n")
    assert check == HealthCheck(send="GET /health HTTP/1.0\r\nHost: www.example.com\r\n\r\n",
                                expect="HTTP/1.1 204", regex=False, port=8080, timeout=3, span=check.span)
    assert check.span.line == 5 and notes == []


def test_an_http_get_url_without_a_path_is_ignored_as_keepalived_ignores_it() -> None:
    """keepalived 2.2: "HTTP/SSL_GET checker url has no path - ignoring", then "checker has no
    urls specified - ignoring": the server is not checked, and lvscc must not check `/` for it."""
    check, notes = check_of("        HTTP_GET {\n            url {\n                status_code 200\n"
                            "            }\n        }\n")
    assert check is None
    assert notes == [("LVS502", 5, "`HTTP_GET`: HTTP_GET without a url that has a path"),
                     ("LVS501", 6, "`url` not translated: keepalived ignores a url without a path")]


def test_an_http_get_checks_its_first_url_with_a_path() -> None:
    check, notes = check_of("        HTTP_GET {\n            url {\n                status_code 200\n            }\n"
                            "            url {\n                path /b\n            }\n        }\n")
    assert check is not None and (check.send, check.expect) == ("GET /b HTTP/1.0\r\n\r\n", None)
    assert notes == [("LVS501", 6, "`url` not translated: keepalived ignores a url without a path")]


def test_an_http_get_path_without_a_value_is_skipped_as_keepalived_skips_it() -> None:
    """keepalived 2.2: "line starting `path` is missing a parameter": the path before it stays."""
    check, notes = check_of("        HTTP_GET {\n            url {\n                path /a\n                path\n"
                            "            }\n        }\n")
    assert check is not None and check.send == "GET /a HTTP/1.0\r\n\r\n"
    assert notes == [("LVS502", 8, "`path`: no value given")]
    check, _ = check_of("        HTTP_GET {\n            url {\n                path /a\n                path /b\n"
                        "            }\n        }\n")
    assert check is not None and check.send == "GET /b HTTP/1.0\r\n\r\n"  # the last path, as keepalived


@pytest.mark.parametrize("key", ["virtualhost", "regex"])
def test_an_http_get_virtualhost_or_regex_without_a_value_is_skipped(key: str) -> None:
    """keepalived 2.2 skips the line (a missing parameter): no `Host:` header, no regex."""
    check, notes = check_of(f"        HTTP_GET {{\n            url {{\n                path /\n                {key}\n"
                            "            }\n        }\n")
    assert check is not None and (check.send, check.expect, check.regex) == ("GET / HTTP/1.0\r\n\r\n", None, False)
    assert notes == [("LVS502", 8, f"`{key}`: no value given")]


REGEX_ALONE = "`status_code` not translated: lvscc checks the answer against the regex alone"


def test_an_http_get_regex_is_what_it_expects_and_a_status_after_it_is_named() -> None:
    check, notes = check_of("        HTTP_GET {\n            url {\n                path /\n"
                            "                regex \"^OK\\x21\"\n                status_code 200\n            }\n        }\n")
    assert check is not None and (check.expect, check.regex) == ("^OK!", True)
    assert notes == [("LVS501", 9, REGEX_ALONE)]


def test_an_http_get_regex_beside_any_status_is_what_lvscc_writes_and_says_nothing() -> None:
    """The keepalived backend writes a regex check as `status_code 100-599` and the regex."""
    check, notes = check_of("        HTTP_GET {\n            url {\n                path /\n"
                            "                status_code 100-599\n                regex OK\n            }\n        }\n")
    assert check is not None and (check.expect, check.regex, notes) == ("OK", True, [])


def test_an_http_get_status_before_a_regex_is_named_too() -> None:
    """keepalived wants both; lvscc checks the regex: the status code is not dropped silently."""
    check, notes = check_of("        HTTP_GET {\n            url {\n                path /\n                status_code 200\n"
                            "                regex OK\n            }\n        }\n")
    assert check is not None and (check.expect, check.regex) == ("OK", True)
    assert notes == [("LVS501", 8, REGEX_ALONE)]


def test_an_http_get_checks_its_first_url_only() -> None:
    check, notes = check_of("        HTTP_GET {\n            url {\n                path /a\n            }\n"
                            "            url {\n                path /b\n            }\n        }\n")
    assert check is not None and check.send == "GET /a HTTP/1.0\r\n\r\n"
    assert notes == [("LVS501", 9, "`url` not translated: lvscc checks one URL per service")]


@pytest.mark.parametrize("checker", ["", "            connect_port 80\n"])
def test_an_http_get_without_a_url_is_refused(checker: str) -> None:
    check, notes = check_of(f"        HTTP_GET {{\n{checker}        }}\n")
    assert check is None
    assert notes == [("LVS502", 5, "`HTTP_GET`: HTTP_GET without a url that has a path")]


def test_an_http_get_names_what_it_leaves_behind() -> None:
    check, notes = check_of("        HTTP_GET {\n            url {\n                digest 0123\n                path /p\n"
                            "            }\n            nb_get_retry 3\n        }\n")
    assert check is not None and check.send == "GET /p HTTP/1.0\r\n\r\n"
    assert notes == [("LVS501", 7, "`digest` not translated: no lvscc equivalent in a URL check"),
                     ("LVS501", 10, "`nb_get_retry` not translated: no lvscc equivalent in HTTP_GET")]


def status_check(codes: str) -> tuple[HealthCheck | None, list[tuple[str, int, str]]]:
    return check_of(f"        HTTP_GET {{\n            url {{\n                path /\n"
                    f"                status_code {codes}\n            }}\n        }}\n")


@pytest.mark.parametrize(("codes", "expect"), [
    ("100-599", "HTTP"),
    ("404", "HTTP/1.1 404"),
])
def test_an_http_get_status_code_is_what_the_answer_starts_with(codes: str, expect: str) -> None:
    check, notes = status_check(codes)
    assert check is not None and (check.expect, check.regex, notes) == (expect, False, [])


@pytest.mark.parametrize("codes", ["200 204", "200-299", "2xx", ""])
def test_an_http_get_status_lvscc_cannot_expect_keeps_keepaliveds_default(codes: str) -> None:
    check, notes = status_check(codes)
    assert check is not None and check.expect is None
    assert notes == [("LVS501", 8, "`status_code` not translated: lvscc expects one status code; "
                                   "keepalived's default (2xx) is kept")]
