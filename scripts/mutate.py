"""`mutmut` with the tests it may run narrowed by MUTATE_TESTS (`make mutate MUTATE_TESTS=...`).

mutmut 3 reads its test selection from pyproject.toml only. When MUTATE_TESTS names test files
or directories (space-separated), they replace `pytest_add_cli_args_test_selection` for this run,
so a module is scored against its own fast tests instead of every test that reaches it (the
round-trip suite costs 49 s a mutant). mutmut keys its cached results on the selection, so a run
with another selection recomputes which tests reach which function."""

from __future__ import annotations

import dataclasses
import os

from mutmut import configuration
from mutmut.__main__ import cli

if __name__ == "__main__":
    tests = os.environ.get("MUTATE_TESTS", "").split()
    if tests:
        load = configuration._load_config
        configuration._load_config = lambda: dataclasses.replace(load(), pytest_add_cli_args_test_selection=tests)
    cli()
