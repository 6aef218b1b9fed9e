# AIMS developer commands. `make help` lists them.
#
# Everything runs through the project's virtual environment in .venv, which `make .venv` creates
# (and re-installs whenever pyproject.toml changes). No server is needed for `make run`: without
# DATABASE_URL / REDIS_URL the app uses SQLite and a filesystem Celery broker under data/.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-builtin-rules

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
MIN_PYTHON := 3.12

# Commands that use the app's configuration run through honcho, which loads .env when it exists,
# so `make migrate` and the processes of `make run` see the same settings. Tests ignore .env.
ENVRUN := $(BIN)/honcho run --

PYTEST_ARGS ?=
# Test processes (pytest-xdist); TEST_WORKERS=0 runs in one process, which helps when debugging.
TEST_WORKERS ?= auto
BENCH_ARGS ?=

export PIP_DISABLE_PIP_VERSION_CHECK := 1

# Fails with a clear message unless the interpreter given as $(1) is Python >= MIN_PYTHON.
define check_python
	@$(1) -c 'import sys; sys.exit(0 if sys.version_info >= tuple(map(int, "$(MIN_PYTHON)".split("."))) else 1)' 2>/dev/null || { \
		echo "error: AIMS needs Python >= $(MIN_PYTHON), but '$(1)' is: $$($(1) --version 2>&1 || echo 'not runnable')." >&2; \
		echo "       Install Python $(MIN_PYTHON) (the repo's .python-version asks pyenv for it: 'pyenv install $(MIN_PYTHON)')," >&2; \
		echo "       or point make at one: make PYTHON=/path/to/python$(MIN_PYTHON) ...$(2)" >&2; \
		exit 1; }
endef

.PHONY: help venv .venv run test lint format worker beat migrate shell bench audit bandit constraints messages clean distclean

help: ## List the targets
	@grep -hE '^[a-zA-Z_. -]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  make %-10s %s\n", $$1, $$2}'

# --- Virtual environment ---------------------------------------------------------------------------------
# .venv is phony; the real target is the stamp file, rebuilt when pyproject.toml is newer than it.
venv .venv: $(STAMP) ## Create .venv and install the project with its dev extras

$(STAMP): pyproject.toml constraints.txt
	$(call check_python,$(PYTHON))
	@if [ -x $(BIN)/python ]; then \
		echo "Using the existing $(VENV) ($$($(BIN)/python --version))"; \
	else \
		echo "Creating $(VENV) with $$($(PYTHON) --version)"; \
		$(PYTHON) -m venv $(VENV); \
	fi
	$(call check_python,$(BIN)/python, (or delete $(VENV): make distclean))
	$(BIN)/python -m pip install --no-input -c constraints.txt -e '.[dev]'
	@touch $(STAMP)

constraints: $(STAMP) ## Re-pin constraints.txt from .venv (after changing a dependency in pyproject.toml)
	@{ echo "# Pinned versions of every dependency (runtime and dev), generated from a working .venv with"; \
	   echo "#   make constraints"; \
	   echo "# and used by every install (pip -c constraints.txt), so CI and production get exactly these."; \
	   $(BIN)/python -m pip freeze --exclude-editable | grep -v '^-e' | grep -v '^aims=='; } > constraints.txt

# --- Running ---------------------------------------------------------------------------------------------
# These development targets run with DEBUG=1 unless told otherwise (make run DEBUG=0, DEBUG in the
# environment, or DEBUG in .env).
run worker beat migrate shell: export DEBUG ?= 1

run: $(STAMP) ## Migrate, load the demo data and start web + Celery worker + beat (Ctrl-C stops all)
	$(ENVRUN) $(BIN)/python manage.py migrate --noinput
	$(ENVRUN) $(BIN)/python manage.py seed_demo
	@echo
	@echo "  AIMS is starting on http://127.0.0.1:8000/"
	@echo
	@echo "  Demo logins, all with password 'aims-demo':"
	@echo "    Northwind Health:  admin, officer, contributor, auditor, viewer"
	@echo "    Contoso Lending:   officer2"
	@echo
	@echo "  Ctrl-C stops the web server, the Celery worker and Celery beat."
	@echo
	$(BIN)/honcho -f Procfile.dev start

worker: $(STAMP) ## Start only a Celery worker (queues celery and pdf)
	$(ENVRUN) $(BIN)/celery -A aims worker -l info --concurrency 2 -Q celery,pdf

beat: $(STAMP) ## Start only Celery beat
	$(ENVRUN) $(BIN)/celery -A aims beat -l info

migrate: $(STAMP) ## Apply database migrations
	$(ENVRUN) $(BIN)/python manage.py migrate --noinput

shell: $(STAMP) ## Open a Django shell
	$(ENVRUN) $(BIN)/python manage.py shell

# --- Quality ---------------------------------------------------------------------------------------------
# pytest's own exit code is make's: 5 (no tests collected) fails like any other non-zero code.
test: $(STAMP) ## Run the tests (extra pytest arguments: make test PYTEST_ARGS='-k risk -x')
	DJANGO_SETTINGS_MODULE=aims.settings_test $(BIN)/python -m pytest -n $(TEST_WORKERS) --dist worksteal $(PYTEST_ARGS)

lint: $(STAMP) ## Check lint and formatting with ruff
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP) ## Format with ruff and apply ruff's safe fixes
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: $(STAMP) ## Build the scale data on PostgreSQL and run bench/bench_*.py (BENCH_ARGS=--small for CI)
	@# The API load benchmark drives gunicorn with wrk (Debian's package); as root on Debian, install it when missing.
	@command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
		apt-get install -y --no-install-recommends wrk >/dev/null 2>&1; } || \
		echo "wrk is not installed (apt-get install wrk): the API load benchmark will report it as not measured"
	@if [ -f bench/run.py ]; then \
		$(BIN)/python bench/run.py $(BENCH_ARGS); \
	else \
		echo "There is no benchmark yet (bench/run.py does not exist)."; \
	fi

# Not in .ci/run: pip-audit needs the vulnerability database (network). --strict fails when a package could
# not be checked, so an offline run fails instead of reporting success having checked nothing.
audit: $(STAMP) ## Check the pinned dependencies for known vulnerabilities (pip-audit --strict; needs network)
	@$(BIN)/python -m pip_audit --version >/dev/null 2>&1 || $(BIN)/python -m pip install --no-input pip-audit
	$(BIN)/python -m pip_audit --strict --no-deps --requirement constraints.txt --progress-spinner off

# --no-location keeps the catalogue's diff to the strings themselves (line numbers would churn every edit).
MESSAGES_FLAGS := --no-location --no-obsolete --ignore=.venv --ignore=data --ignore=bench --ignore=tests \
	--ignore='*/tests/*' --ignore='*/migrations/*' --ignore=node_modules --ignore=static/vendor
messages: $(STAMP) ## Regenerate the translation catalogues (locale/de) and compile them (needs GNU gettext)
	DJANGO_SETTINGS_MODULE=aims.settings_test $(BIN)/python manage.py makemessages -l de $(MESSAGES_FLAGS)
	DJANGO_SETTINGS_MODULE=aims.settings_test $(BIN)/python manage.py compilemessages -l de --ignore=.venv

bandit: $(STAMP) ## Static security analysis (bandit -ll: medium and high findings fail)
	$(BIN)/bandit -ll -q -r aims accounts registry risk controls governance audits reviews reports trail stewardship integrations onboarding trust -x '*/tests/*,*/migrations/*'

# --- Cleaning --------------------------------------------------------------------------------------------
clean: ## Remove caches and build output (keeps .venv and data/)
	find . -path ./$(VENV) -prune -o -type d -name __pycache__ -print0 | xargs -0 rm -rf
	find . -path ./$(VENV) -prune -o -type f -name '*.py[co]' -print0 | xargs -0 rm -f
	rm -rf .pytest_cache .ruff_cache .hypothesis .coverage htmlcov build dist *.egg-info

distclean: clean ## Also remove .venv (data/ is kept)
	rm -rf $(VENV)
