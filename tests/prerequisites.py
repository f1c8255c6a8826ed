"""What a test does when the machine lacks what it needs (root, network namespaces, a tool):
skip with the reason on a developer's machine, fail under LVS_REQUIRE_KERNEL_TESTS=1 (.ci/run),
so that real-tool coverage cannot vanish from CI without anyone noticing."""

from __future__ import annotations

import os
from typing import NoReturn

import pytest

REQUIRE_VARIABLE = "LVS_REQUIRE_KERNEL_TESTS"


def required() -> bool:
    return os.environ.get(REQUIRE_VARIABLE) == "1"


def unavailable(reason: str) -> NoReturn:
    if required():
        pytest.fail(f"{reason} ({REQUIRE_VARIABLE}=1: this test must run here)", pytrace=False)
    pytest.skip(reason)
