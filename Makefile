PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed
# Where make serve's workers share their rate-limit and quota counters.
REDIS_URL ?= redis://127.0.0.1:6379/0
WORKERS ?= 4

# The lowest redis-py that pyproject.toml admits, beside the venv: the outage tests run
# the counter store on it too (tests/test_limits_outage.py checks the pin matches).
REDIS_LOWEST := .redis-lowest
REDIS_LOWEST_PIN := redis==4.5.0

# The TypeScript compiler the tests compile the catalog's TypeScript export with, beside the
# venv (tests/test_client_exports.py finds it there, and checks the pin matches).
NODE_DIR := .node
TYPESCRIPT_PIN := typescript@7.0.2

.PHONY: install typescript run serve test lint typecheck pytest fast matrix dist docs bench bench-flood bench-outage clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

$(REDIS_LOWEST)/.installed: Makefile
	rm -rf $(REDIS_LOWEST)
	$(BIN)/python -m pip install --quiet --no-deps --target $(REDIS_LOWEST) '$(REDIS_LOWEST_PIN)'
	touch $@

# Without npm the TypeScript tests skip (and fail in CI, which has npm).
$(NODE_DIR)/.installed: Makefile
	@if command -v npm > /dev/null; then \
		rm -rf $(NODE_DIR) && \
		npm install --loglevel=error --no-audit --no-fund --no-save --prefix $(NODE_DIR) '$(TYPESCRIPT_PIN)' && \
		touch $@; \
	else \
		echo "npm not found: the tests that compile the TypeScript export skip (and fail in CI)"; \
	fi

install: $(STAMP)

typescript: $(NODE_DIR)/.installed

run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# Production-like: gunicorn's worker processes, counting limits together in Redis.
serve: export REDIS_URL := $(REDIS_URL)
serve: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	$(BIN)/gunicorn example_project.wsgi --workers $(WORKERS) --bind 127.0.0.1:$(PORT) \
		--access-logfile -

# Contract mode: every response the tests receive from a documented operation must be
# what the generated OpenAPI schema documents (docs/testing.md).
pytest: install $(REDIS_LOWEST)/.installed $(NODE_DIR)/.installed
	$(BIN)/python -m pytest --cov --cov-report=term-missing --api-errors-contract

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy --strict api_errors

test: pytest lint typecheck

# The tests without real servers, fuzzing, browsers or sleeps: the quick loop.
fast: install
	$(BIN)/python -m pytest -q -m "not slow"

# Python 3.10-3.13 against Django 4.2, 5.2 and 6.1 (noxfile.py), the fast tests in each.
matrix: install
	$(BIN)/nox

# The wheel and sdist, built with no warning and checked as PyPI would.
dist: install
	rm -rf dist build
	env -u PYTHONDONTWRITEBYTECODE $(BIN)/python -m build . > .build.log 2>&1 || (cat .build.log; exit 1)
	@if grep -i warning .build.log; then echo "the build warned"; exit 1; fi
	$(BIN)/twine check --strict dist/*

DOCS_STAMP := $(VENV)/.docs-installed

$(DOCS_STAMP): pyproject.toml $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[docs]'
	touch $@

# The documentation site (mkdocs.yml, docs/) into site/; any warning fails the build.
docs: $(DOCS_STAMP)
	$(BIN)/mkdocs build --strict --site-dir site

BENCH_STAMP := $(VENV)/.bench-installed

$(BENCH_STAMP): pyproject.toml $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	touch $@

# Instruction counts need valgrind; the flood and the async limits need wrk and redis-server
# (Debian: apt-get install valgrind wrk redis-server).
bench: $(BENCH_STAMP)
	$(BIN)/python benchmarks/error_path.py
	$(BIN)/python benchmarks/catalog_scale.py
	$(BIN)/python benchmarks/correlation_middleware.py
	$(BIN)/python benchmarks/rate_limit.py
	$(BIN)/python benchmarks/over_limit.py
	$(BIN)/python benchmarks/async_limits.py

# An over-limit key's 429 flood against /api/errors/, under gunicorn, PostgreSQL and Redis.
bench-flood: $(BENCH_STAMP)
	$(BIN)/python benchmarks/flood.py

# The example under gunicorn while its limits' Redis hangs for 35 s (on the lowest redis-py).
bench-outage: install $(REDIS_LOWEST)/.installed
	$(BIN)/python benchmarks/limits_outage.py

clean:
	rm -rf $(VENV) .nox $(REDIS_LOWEST) $(NODE_DIR) dist build site .build.log .pytest_cache .mypy_cache .ruff_cache .coverage htmlcov *.egg-info
