"""What lvscc makes one of where keepalived has several (lvscc/importers/keepalived/services.py):
a virtual server declared twice, the real servers' checks and their inhibit_on_failure, each with
the note that tells the operator which one was kept."""

from __future__ import annotations

from lvscc.importers.keepalived import import_keepalived
from lvscc.model.config import VirtualService

BLOCK = "virtual_server 192.0.2.10 80 {{\n    protocol TCP\n{settings}}}\n"
SERVER = "    real_server {address} 80 {{\n{body}    }}\n"


def block(*servers: tuple[str, str], settings: str = "") -> str:
    return BLOCK.format(settings=settings + "".join(SERVER.format(address=a, body=b) for a, b in servers))


def imported(text: str) -> tuple[list[VirtualService], list[tuple[str, int, str]]]:
    config, found = import_keepalived(text, "k.conf")
    assert config is not None
    return list(config.services), [(d.code, d.span.line, d.message) for d in found if "VRRP" not in d.message]


TWICE = "svc-tcp-192-0-2-10-80 is declared twice: keepalived keeps the first block's settings and adds the " \
        "second's real servers to it, so does lvscc"


def test_a_service_declared_twice_keeps_the_first_blocks_settings_and_adds_the_seconds_servers() -> None:
    first = block(("198.51.100.21", "        weight 2\n"), ("198.51.100.22", ""), settings="    lb_algo rr\n")
    second = block(("198.51.100.22", "        weight 9\n"), ("198.51.100.23", "        weight 3\n"),
                   settings="    lb_algo sh\n")
    services, notes = imported(first + second)
    (service,) = services
    assert service.scheduler == "rr" and service.span.line == 1
    assert [(s.address.compressed, s.weight) for s in service.servers] == [
        ("198.51.100.21", 2), ("198.51.100.22", 1), ("198.51.100.23", 3)]
    assert notes == [("LVS505", first.count("\n") + 1, TWICE)]


def test_services_keep_the_order_of_their_first_declaration() -> None:
    other = BLOCK.replace("192.0.2.10 80", "192.0.2.11 80").format(settings="")
    services, _ = imported(block() + other + block())
    assert [s.name for s in services] == ["svc-tcp-192-0-2-10-80", "svc-tcp-192-0-2-11-80"]


def inhibited(sorry: str, *servers: tuple[str, str]) -> str:
    return block(*servers, settings=f"    sorry_server {sorry} 80\n    sorry_server_inhibit\n")


def test_a_second_blocks_inhibited_sorry_server_is_added_at_weight_0_and_said_so() -> None:
    first = inhibited("198.51.100.254", ("198.51.100.21", ""))
    services, notes = imported(first + inhibited("198.51.100.253", ("198.51.100.22", "")))
    (service,) = services
    assert (service.sorry_server.compressed, service.sorry_port, service.sorry_inhibit) == ("198.51.100.254", None, True)
    added = service.servers[-1]
    assert (added.name, added.address.compressed, added.port, added.weight, added.span.line) == (
        "rs-198-51-100-253", "198.51.100.253", None, 0, first.count("\n") + 1)
    assert notes == [("LVS505", first.count("\n") + 1, TWICE),
                     ("LVS505", first.count("\n") + 1, "svc-tcp-192-0-2-10-80: the sorry server 198.51.100.253 of "
                                                       "its second block is written as server rs-198-51-100-253 at "
                                                       "weight 0, where keepalived keeps it")]


def marked(sorry: str) -> str:
    """A firewall-mark service, whose sorry server keeps its own port (an address service's is
    sent the service's port)."""
    return f"virtual_server fwmark 7 {{\n    lb_kind DR\n    sorry_server {sorry}\n    sorry_server_inhibit\n}}\n"


def test_a_second_blocks_sorry_server_keeps_its_port() -> None:
    services, notes = imported(marked("198.51.100.254 80") + marked("198.51.100.253 8080"))
    added = services[0].servers[-1]
    assert (added.name, added.port, added.weight) == ("rs-198-51-100-253-8080", 8080, 0)
    assert "svc-fwmark-7: the sorry server 198.51.100.253 of its second block is written as server " \
           "rs-198-51-100-253-8080 at weight 0, where keepalived keeps it" in [n[2] for n in notes]


def test_the_same_inhibited_sorry_server_on_another_port_is_another_destination() -> None:
    services, _ = imported(marked("198.51.100.254 80") + marked("198.51.100.254 8080"))
    assert (services[0].sorry_server.compressed, services[0].sorry_port) == ("198.51.100.254", 80)
    assert [(s.name, s.port, s.weight) for s in services[0].servers] == [("rs-198-51-100-254-8080", 8080, 0)]
    services, _ = imported(marked("198.51.100.254 80") + marked("198.51.100.254 80"))
    assert services[0].servers == ()


def test_a_second_blocks_sorry_server_that_is_not_inhibited_is_not_added() -> None:
    second = block(("198.51.100.22", ""), settings="    sorry_server 198.51.100.253 80\n")
    services, notes = imported(inhibited("198.51.100.254", ("198.51.100.21", "")) + second)
    assert [s.address.compressed for s in services[0].servers] == ["198.51.100.21", "198.51.100.22"]
    assert [n[2] for n in notes] == [TWICE]


def test_a_second_blocks_inhibited_sorry_server_joins_a_first_that_had_no_sorry_server() -> None:
    services, notes = imported(block(("198.51.100.21", "")) + inhibited("198.51.100.253"))
    assert services[0].sorry_server is None
    assert [(s.address.compressed, s.weight) for s in services[0].servers] == [("198.51.100.21", 1), ("198.51.100.253", 0)]
    assert len(notes) == 2


def test_a_second_blocks_inhibited_sorry_server_joins_a_first_whose_sorry_server_is_not_inhibited() -> None:
    first = block(settings="    sorry_server 198.51.100.254 80\n")
    services, _ = imported(first + inhibited("198.51.100.254"))
    assert (services[0].sorry_server.compressed, services[0].sorry_inhibit) == ("198.51.100.254", False)
    assert [(s.address.compressed, s.weight) for s in services[0].servers] == [("198.51.100.254", 0)]



def test_a_second_blocks_sorry_server_already_a_real_server_is_not_added_again() -> None:
    first = inhibited("198.51.100.254", ("198.51.100.253", "        weight 4\n"))
    services, notes = imported(first + inhibited("198.51.100.253"))
    assert [(s.address.compressed, s.weight) for s in services[0].servers] == [("198.51.100.253", 4)]
    assert [n[2] for n in notes] == [TWICE]
    services, notes = imported(inhibited("198.51.100.254") + inhibited("198.51.100.253", ("198.51.100.253", "")))
    assert [(s.address.compressed, s.weight) for s in services[0].servers] == [("198.51.100.253", 1)]
    assert [n[2] for n in notes] == [TWICE]


# ---- one check and one quiesce setting per service -----------------------------------------------

TCP_CHECK = "        TCP_CHECK {{\n            connect_timeout {timeout}\n        }}\n"


def test_real_servers_checked_alike_give_the_service_that_check_without_a_note() -> None:
    services, notes = imported(block(("198.51.100.21", TCP_CHECK.format(timeout=3)),
                                     ("198.51.100.22", TCP_CHECK.format(timeout=3))))
    assert services[0].check is not None and (services[0].check.timeout, services[0].check.span.line) == (3, 4)
    assert notes == []


def test_real_servers_checked_differently_keep_the_first_servers_check() -> None:
    services, notes = imported(block(("198.51.100.21", ""), ("198.51.100.22", TCP_CHECK.format(timeout=3)),
                                     ("198.51.100.23", TCP_CHECK.format(timeout=5))))
    assert services[0].check is not None and services[0].check.timeout == 3
    assert notes == [("LVS505", 1, "the real servers are checked differently; lvscc has one check per service, "
                                   "the first server's was kept")]


def test_a_real_server_without_a_check_beside_checked_ones_is_a_difference() -> None:
    _, notes = imported(block(("198.51.100.21", TCP_CHECK.format(timeout=3)), ("198.51.100.22", "")))
    assert [n[0] for n in notes] == ["LVS505"]


INHIBIT = "        inhibit_on_failure\n"


def test_inhibit_on_failure_on_every_real_server_quiesces_the_service() -> None:
    services, notes = imported(block(("198.51.100.21", INHIBIT), ("198.51.100.22", INHIBIT)))
    assert services[0].quiesce and notes == []


def test_inhibit_on_failure_on_the_virtual_server_quiesces_every_real_server() -> None:
    services, notes = imported(block(("198.51.100.21", ""), ("198.51.100.22", INHIBIT), settings=INHIBIT))
    assert services[0].quiesce and notes == []
    services, notes = imported(block(settings=INHIBIT))
    assert services[0].quiesce and notes == []


def test_no_inhibit_on_failure_removes_failed_servers() -> None:
    services, notes = imported(block(("198.51.100.21", ""), ("198.51.100.22", "")))
    assert not services[0].quiesce and notes == []
    services, _ = imported(block())
    assert not services[0].quiesce


def test_inhibit_on_failure_on_some_real_servers_only_quiesces_none_and_says_so() -> None:
    services, notes = imported(block(("198.51.100.21", ""), ("198.51.100.22", INHIBIT)))
    assert not services[0].quiesce
    assert notes == [("LVS505", 1, "inhibit_on_failure is set on some real servers only; lvscc quiesces all "
                                   "servers of a service or none")]
