# Everyday tasks: `make try` (no token), `make init` (writes .env), `make run`. Each installs what it
# needs first, and only when pyproject.toml (or the emulator's package-lock.json) changed since.
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HARNESS := tests/e2e/fakegram
# Stamps: touched after each install, so an install runs again only when its inputs change.
INSTALLED := $(VENV)/.installed
INSTALLED_TEST := $(VENV)/.installed-test
NODE_MODULES := $(HARNESS)/node_modules/.package-lock.json
KEYWORDS := -k t -k plural:1,2 -k N_
LANGS := $(notdir $(wildcard bot/locales/*))

.PHONY: install install-test try init run check-env upgrade lint test messages

$(VENV)/bin/activate:
	python3 -m venv $(VENV)

$(INSTALLED): pyproject.toml | $(VENV)/bin/activate
	$(PIP) install -q -e '.[postgres]'
	@touch $@

$(INSTALLED_TEST): pyproject.toml | $(VENV)/bin/activate
	$(PIP) install -q -e '.[test]'
	@touch $@

# `npm ci` writes node_modules/.package-lock.json; it is redone when package-lock.json changes.
$(NODE_MODULES): $(HARNESS)/package-lock.json
	cd $(HARNESS) && npm ci --silent --no-audit --no-fund
	@touch $@

install: $(INSTALLED)

install-test: $(INSTALLED_TEST) $(NODE_MODULES)

# The bot against the bundled Bot API emulator, with a web chat on 127.0.0.1: no token, no network.
try: $(INSTALLED) $(NODE_MODULES)
	$(VENV)/bin/salesbot try

# Asks for the bot token (hidden), checks it with Telegram, writes .env (mode 0600).
init: $(INSTALLED)
	$(VENV)/bin/salesbot init

check-env:
	@test -f .env || { echo "No .env yet: run \`make init\` (it asks for the bot token), or copy .env.example to .env."; exit 2; }

# .env is checked before anything is installed.
run: check-env
	@$(MAKE) --no-print-directory -s $(INSTALLED)
	$(VENV)/bin/salesbot run

upgrade: check-env
	@$(MAKE) --no-print-directory -s $(INSTALLED)
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
