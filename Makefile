# Two entry points (README): `make demo` compiles a shipped sample; `make test` runs every test.
# Both set the machine up first with scripts/setup.sh (apt packages as root, then .venv).

SAMPLE ?= samples/guide-nat.lvs
OUT ?= out/$(basename $(notdir $(SAMPLE)))

.PHONY: setup demo test

setup:
	@bash scripts/setup.sh

demo: setup
	.venv/bin/lvscc check $(SAMPLE)
	.venv/bin/lvscc compile $(SAMPLE) -o $(OUT)
	@find $(OUT) -type f | sort

test: setup
	.venv/bin/python -m pytest

# Mutation testing (docs/testing.md), not part of `make test` or CI: mutmut mutates the modules
# named by MUTATE (mutant-name globs) and runs the tests that reach each mutated function, in one
# niced worker so that it shares the machine. Surviving mutants are reviewed in
# tests/mutation/equivalent.txt.
# The default is every deciding module (hours on a shared machine): name one or two per run.
# MUTATE_TESTS (test paths, space-separated) replaces the test selection of [tool.mutmut] for
# one run (scripts/mutate.py): a module scored against its own fast tests.
MUTATE ?= lvscc.syntax.* lvscc.fmt.* lvscc.lower.* lvscc.importers.* lvscc.plan.* lvscc.audit.* lvscc.rules.*

.PHONY: mutate
mutate: setup
	.venv/bin/python -m pip install -q -e '.[test,mutate]'
	MUTATE_TESTS='$(MUTATE_TESTS)' nice -n 19 .venv/bin/python scripts/mutate.py run --max-children 1 $(foreach m,$(MUTATE),'$(m)')
	.venv/bin/mutmut results
