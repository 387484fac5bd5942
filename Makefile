# Everyday tasks. `make run` and `make test` install what they need first.
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HARNESS := tests/e2e/fakegram
KEYWORDS := -k t -k plural:1,2 -k N_
LANGS := $(notdir $(wildcard bot/locales/*))

.PHONY: install install-test run test lint messages upgrade

$(VENV)/bin/activate:
	python3 -m venv $(VENV)

install: $(VENV)/bin/activate
	$(PIP) install -q -e '.[postgres]'

install-test: $(VENV)/bin/activate
	$(PIP) install -q -e '.[test]'
	cd $(HARNESS) && npm ci --silent --no-audit --no-fund

run: install
	@test -f .env || { echo "No .env yet: copy .env.example to .env and set TELEGRAM_BOT_TOKEN."; exit 2; }
	$(VENV)/bin/salesbot run

upgrade: install
	$(VENV)/bin/salesbot db upgrade

lint: install-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

# Tests on SQLite, then on PostgreSQL when TEST_POSTGRES_URL names one
# (e.g. postgresql+asyncpg://postgres@127.0.0.1:5432/test).
test: lint
	DATABASE_URL= $(VENV)/bin/pytest -q
	@if [ -n "$$TEST_POSTGRES_URL" ]; then \
		echo "--- the same suite on PostgreSQL"; \
		DATABASE_URL="$$TEST_POSTGRES_URL" $(VENV)/bin/pytest -q; \
	else echo "TEST_POSTGRES_URL is not set: PostgreSQL run skipped"; fi

# Re-extract every user-facing string and update each language's catalogue.
messages:
	$(VENV)/bin/pybabel extract -F bot/locales/babel.cfg $(KEYWORDS) --no-location --width 100 \
		--project salesbot --version 0.1 -o bot/locales/messages.pot bot handlers models
	$(VENV)/bin/pybabel update -i bot/locales/messages.pot -d bot/locales -D messages --width 100 \
		--no-fuzzy-matching --ignore-obsolete
	$(PY) scripts/fill_english_catalog.py
