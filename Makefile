# annotate: `make run` serves the app with a demo project; `make test` runs the tests.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
WORKERS ?= 2
PYTEST_ARGS ?=
# Test processes (pytest-xdist): one per core; TEST_WORKERS=0 runs the suite in this process.
TEST_WORKERS ?= $(shell nproc 2>/dev/null || echo 2)

.PHONY: run test lint install install-test migrate demo bench soak screenshots clean help

help:
	@echo "make run    - set up, migrate, load the demo project and serve on http://$(HOST):$(PORT) (with a job worker)"
	@echo "make test   - set up with the test extras and run the tests"
	@echo "make lint   - ruff (lint and format check) and mypy, as CI runs them"
	@echo "make bench  - run the benchmarks in bench/ (figures go to stdout)"
	@echo "make soak   - 10 minutes of 50 simulated experts on SQLite (bench/soak.py; MINUTES=n)"
	@echo "make screenshots - run the browser tests and refresh the README's screenshots in docs/"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

migrate: install
	$(BIN)/annotate db upgrade

demo: migrate
	$(BIN)/annotate demo

run: demo
	$(BIN)/annotate serve --host $(HOST) --port $(PORT) --workers $(WORKERS)

test: install-test
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

bench: install-test
	$(BIN)/python bench/run_all.py

soak: install-test
	$(BIN)/python bench/soak.py --minutes $(or $(MINUTES),10)

screenshots: install-test
	ANNOTATE_UPDATE_SCREENSHOTS=1 $(BIN)/python -m pytest -q -m browser $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) instance .pytest_cache test-artifacts
