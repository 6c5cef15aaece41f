# The single entry point. `make run` sets up and starts the whole product; `make test` runs every check.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
TEST_REDIS_URL ?= redis://127.0.0.1:6379/15
PYTEST_ARGS ?=
NPM ?= npm
# The web app: installed once per lock change, rebuilt when its sources change.
FRONTEND_INSTALLED := frontend/node_modules/.installed
FRONTEND_BUILT := frontend/dist/index.html
FRONTEND_SOURCES := $(shell find frontend/src frontend/public -type f ! -name '*.test.*' 2>/dev/null) \
	frontend/index.html frontend/vite.config.ts frontend/tsconfig.json frontend/package.json

.PHONY: run install install-dev lint typecheck test test-sqlite test-postgres services lock bench clean \
	frontend frontend-test browser

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

$(FRONTEND_INSTALLED): frontend/package.json frontend/package-lock.json
	cd frontend && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 $(NPM) ci --no-audit --no-fund --loglevel=error
	touch $@

$(FRONTEND_BUILT): $(FRONTEND_INSTALLED) $(FRONTEND_SOURCES)
	cd frontend && $(NPM) run build --silent
	touch $@

## frontend: build the web app when npm is here; without it the API runs alone
frontend:
	@if command -v $(NPM) >/dev/null 2>&1; then \
		$(MAKE) --no-print-directory $(FRONTEND_BUILT); \
	else \
		echo "note: npm not found, so the web app is not built; the API runs alone (install Node.js 20.19+ for the UI)"; \
	fi

## run: install, build the UI, migrate, create the demo accounts on first start, serve on http://$(HOST):$(PORT)
run: install frontend
	$(BIN)/greekdesk run --host $(HOST) --port $(PORT)

## test: lint, types, the whole suite on SQLite and again on PostgreSQL + Redis, then the web app's checks
test: install-dev lint typecheck test-sqlite test-postgres frontend-test

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

browser:
	bash scripts/ensure-browser.sh

## frontend-test: types, unit tests, OpenAPI drift, build, then end-to-end in Chromium on the real backend
frontend-test: install-dev browser $(FRONTEND_INSTALLED)
	cd frontend && $(NPM) run typecheck --silent
	cd frontend && CI=true $(NPM) test --silent
	bash scripts/check-openapi-drift.sh
	$(MAKE) --no-print-directory $(FRONTEND_BUILT)
	cd frontend && CI=true $(NPM) run e2e --silent

## lock: re-resolve the pinned requirement files from pyproject.toml
lock: install-dev
	$(BIN)/python -m pip install -q uv
	$(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.11 -o requirements.txt -q
	$(BIN)/uv pip compile pyproject.toml --python-version 3.11 -o requirements-runtime.txt -q
	$(BIN)/uv pip compile pyproject.toml --extra dev --extra bench --python-version 3.11 -o requirements-bench.txt -q

## bench: the benchmarks against their peers (not part of `make test`, which runs their smoke modes)
# The peers pin older libraries (NautilusTrader needs pandas 2), so benchmarks get their own venv.
BENCH_VENV ?= .venv-bench
bench:
	test -x $(BENCH_VENV)/bin/python || $(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install -q -r requirements-bench.txt
	$(BENCH_VENV)/bin/python -m pip install -q --no-deps -e .
	$(BENCH_VENV)/bin/python bench/option_math.py
	$(BENCH_VENV)/bin/python bench/order_path.py
	command -v wrk >/dev/null || bash scripts/apt-install.sh wrk
	$(BENCH_VENV)/bin/python bench/api_load.py
	$(BENCH_VENV)/bin/python bench/ws_fanout.py
	$(BENCH_VENV)/bin/python bench/tenant_density.py

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache frontend/node_modules frontend/dist frontend/test-results
