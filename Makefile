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
