# The two commands of the README: `make demo` and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: setup demo test test-all test-any-day lint bench

setup:
	bash scripts/setup.sh

demo: setup
	$(PY) examples/dragons.py

lint: setup
	$(VENV)/bin/ruff check sfnkit tests examples benchmarks
	$(VENV)/bin/ruff format --check sfnkit tests examples benchmarks
	$(VENV)/bin/mypy

test: lint
	$(VENV)/bin/pytest -q -n 2

# Everything, including the tests marked slow.
test-all: lint
	$(VENV)/bin/pytest -q -n 2 -m ""

# The whole suite with the clock moved years ahead, twice: no answer may depend on the day it runs.
test-any-day: lint
	SFNKIT_TEST_TODAY=2030-01-01 $(VENV)/bin/pytest -q -n 2
	SFNKIT_TEST_TODAY=2090-06-15 $(VENV)/bin/pytest -q -n 2

# The executor against the shared workloads (BENCH_ARGS="--shared PATH --quick"), then building and exporting.
BENCH_ARGS ?=
bench: setup
	$(PY) -m pip install --quiet -e ".[bench]"
	$(PY) benchmarks/bench_run.py $(BENCH_ARGS)
	$(PY) benchmarks/bench_build.py --quick
