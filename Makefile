# Loupe: `make run` serves the demo on http://127.0.0.1:5000 (`make run PORT=8080`: another port, and emailed links
# follow it), `make setup` only prepares it, `make test` runs the whole suite.
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | cksum | cut -d' ' -f1)
FLASK := $(BIN)/flask --app app
PORT ?= 5000

.PHONY: run test lint format setup bench bench-tools browser clean translations messages screens

$(STAMP): requirements.txt requirements-dev.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "Loupe needs Python 3.11 (set PYTHON=...)")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check pip==26.3
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

setup: $(STAMP) translations
	$(FLASK) setup --port $(PORT)

# The compiled catalogs (.mo, not committed) from i18n/translations/*/LC_MESSAGES/messages.po (docs/i18n.md).
translations: $(STAMP)
	$(BIN)/python -m i18n.catalogs compile --stale

# After adding or changing strings: extract them (babel.cfg) into messages.pot and add them, empty, to each
# language's catalog; then translate them there (or in i18n/parts/*.po and run `python -m i18n.merge_parts`).
messages: $(STAMP)
	$(BIN)/python -m i18n.catalogs update

# Web and job worker from one command; Ctrl-C stops both (and the embedded database).
run: $(STAMP) translations
	$(FLASK) setup --port $(PORT) --serving
	$(FLASK) serve --host 127.0.0.1 --port $(PORT)

# The import layering (pyproject.toml, [tool.importlinter]) is checked first: a broken contract fails the run.
# Two test processes (pytest-xdist), one per core: each starts its own embedded PostgreSQL.
test: $(STAMP) browser translations
	$(BIN)/lint-imports
	$(BIN)/python -m pytest -n 2 $(PYTEST_ARGS)

# Browser tests drive Debian's Chromium (Playwright cannot download its own browser here). Installed when we can
# (root with apt); otherwise the browser tests are skipped locally and fail in CI.
browser:
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) ; } || \
		echo "note: no chromium; browser tests will be skipped (install Debian's chromium package to run them)"

# The performance harness (issue #7): 1,000 stores, django-tenants side by side, writes bench/results/latest.json
# and docs/performance.md. BENCH_ARGS="--quick" for a smoke run (results under bench/results/tmp/).
bench: $(STAMP) bench-tools
	$(BIN)/python -m bench $(BENCH_ARGS)

# What the harness runs besides Python: wrk (the load of measures 5-7, 11) and PgBouncer (the pooler of measure 12),
# both from Debian's packages. Installed when we can (root with apt), as `browser` does for Chromium; otherwise a
# clear message and the bench stops before it starts (it would crash at measure 5).
bench-tools:
	@missing=""; command -v wrk >/dev/null 2>&1 || missing="wrk"; \
	{ command -v pgbouncer >/dev/null 2>&1 || [ -x /usr/sbin/pgbouncer ]; } || missing="$$missing pgbouncer"; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
		else \
			echo "make bench needs$$missing (Debian: sudo apt-get install$$missing)"; exit 1; \
		fi; \
	fi

# Screenshots of each role's main pages (desktop, phone; English, French) into docs/screens/, with their index
# (tests/support/screens.py: its own embedded PostgreSQL and the demo, like the tests). SCREENS_ARGS="--role owner".
screens: $(STAMP) browser
	$(BIN)/python -m tests.support.screens $(SCREENS_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
