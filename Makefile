# lahar — the two commands of the README's quick start:
#   make demo   set up .venv and run the main job on the shipped dataset
#   make test   set up .venv (with the dev extras), run ruff and mypy, then the whole test suite
#               (the browser tests need chromium: .ci/run installs Debian's if it is missing)
SHELL := /bin/bash
VENV ?= .venv
BIN := $(VENV)/bin
# First Python >= 3.11 on the PATH.
PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null && { echo $$p; break; }; done)

.PHONY: demo test lint bench clean

$(BIN)/python:
	@test -n "$(PYTHON)" || { echo "lahar needs Python >= 3.11 on the PATH"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.demo: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e .
	@touch $@

$(VENV)/.dev: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e '.[dev,dask,web]'
	@touch $@ $(VENV)/.demo

demo: $(VENV)/.demo
	$(BIN)/lahar run

test: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy src/lahar
	$(BIN)/pytest -q

lint: $(VENV)/.dev
	$(BIN)/ruff check . && $(BIN)/ruff format --check . && $(BIN)/mypy src/lahar

bench: $(VENV)/.dev
	$(BIN)/python benchmarks/bench_network.py --quick

clean:
	rm -rf $(VENV) lahar.duckdb .pytest_cache .ruff_cache .hypothesis
