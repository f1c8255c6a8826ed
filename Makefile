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
MUTATE ?= lvscc.syntax.* lvscc.fmt.* lvscc.lower.* lvscc.importers.* lvscc.plan.* lvscc.audit.* lvscc.rules.*
# MUTATE_TESTS narrows the tests of [tool.mutmut] to the named folders, files or tests (a module's
# own fast tests: without it a mutant reaching the round trips costs ~49 s). Delete mutants/ when
# it changes: mutmut keeps the results of mutants already run.
MUTATE_TESTS ?=

.PHONY: mutate
mutate: setup
	.venv/bin/python -m pip install -q -e '.[test,mutate]'
	LVSCC_MUTATE_TESTS='$(MUTATE_TESTS)' nice -n 19 .venv/bin/mutmut run --max-children 1 $(foreach m,$(MUTATE),'$(m)')
	.venv/bin/mutmut results
