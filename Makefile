# The two commands of the README: `make demo` and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: setup demo test test-all lint bench

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

bench: setup
	$(PY) benchmarks/bench.py
