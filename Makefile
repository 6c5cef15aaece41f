# The single entry point. `make run` sets up and starts the whole product; `make test` runs every check.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
TEST_REDIS_URL ?= redis://127.0.0.1:6379/15
PYTEST_ARGS ?=

.PHONY: run install install-dev lint typecheck test test-sqlite test-postgres services lock bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed-runtime: requirements-runtime.txt pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -r requirements-runtime.txt
	$(BIN)/python -m pip install -q --no-deps -e .
	touch $@

$(VENV)/.installed-dev: requirements.txt pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -r requirements.txt
	$(BIN)/python -m pip install -q --no-deps -e .
	touch $@ $(VENV)/.installed-runtime

install: $(VENV)/.installed-runtime

install-dev: $(VENV)/.installed-dev

## run: install, migrate, create the demo accounts on first start, serve on http://$(HOST):$(PORT)
run: install
	$(BIN)/greekdesk run --host $(HOST) --port $(PORT)

## test: lint, types, then the whole suite on SQLite and again on PostgreSQL + Redis
test: install-dev lint typecheck test-sqlite test-postgres

lint: install-dev
	$(BIN)/ruff check backend bench
	$(BIN)/ruff format --check backend bench

typecheck: install-dev
	$(BIN)/mypy

test-sqlite: install-dev
	GREEKDESK_TEST_DATABASE=sqlite $(BIN)/python -m pytest backend/tests -q $(PYTEST_ARGS)

test-postgres: install-dev services
	GREEKDESK_TEST_DATABASE=postgresql TEST_REDIS_URL=$(TEST_REDIS_URL) $(BIN)/python -m pytest backend/tests -q $(PYTEST_ARGS)

services:
	bash scripts/ensure-services.sh

## lock: re-resolve the pinned requirement files from pyproject.toml
lock: install-dev
	$(BIN)/python -m pip install -q uv
	$(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.11 -o requirements.txt -q
	$(BIN)/uv pip compile pyproject.toml --python-version 3.11 -o requirements-runtime.txt -q
	$(BIN)/uv pip compile pyproject.toml --extra dev --extra bench --python-version 3.11 -o requirements-bench.txt -q

## bench: the benchmarks against their peers (not part of `make test`, which runs their smoke modes)
bench: install-dev
	$(BIN)/python -m pip install -q -r requirements-bench.txt
	$(BIN)/python bench/option_math.py

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
