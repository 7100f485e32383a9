# Two commands take a fresh machine to a running app (`make demo`) and to a passing suite (`make test`).
SHELL := /bin/bash
PORT ?= 8000
VENV := .venv
PY := $(VENV)/bin/python

# The first interpreter of 3.12 or newer (Django 6.1 needs it); pyenv honours .python-version.
PYTHON ?= $(shell for p in python3.13 python3.12 python3 python; do \
	if command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1; \
	then echo $$p; break; fi; done)

# djLint: the Django templates with the django profile ([tool.djlint] in pyproject.toml), the Jinja2 ones
# (templates/jinja2/) with the jinja profile.
DJLINT_DJANGO := $(VENV)/bin/djlint templates --extend-exclude templates/jinja2
DJLINT_JINJA := $(VENV)/bin/djlint templates/jinja2 --profile jinja

.PHONY: demo test test-postgres test-sqlite deploy-test lint format lock check-python serve clean

check-python:
	@if [ -z "$(PYTHON)" ]; then \
		echo "No Python 3.12 or newer found (Django 6.1 needs it)."; \
		echo "Install one (e.g. 'pyenv install 3.13' or Debian's python3.13) or run: make PYTHON=/path/to/python3.12 ..."; \
		exit 1; fi

# Installs come from the lock files, which pin every package with its hashes, transitive ones included:
# a fresh clone installs exactly what CI tested. requirements*.txt are the top-level lists they are
# compiled from (`make lock`).
$(VENV)/.runtime: requirements.lock | check-python
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock
	@touch $@

$(VENV)/.dev: requirements-dev.lock $(VENV)/.runtime
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.lock
	@touch $@

# Regenerates the lock files from requirements.txt and requirements-dev.txt; the dev lock is compiled under
# the runtime lock's pins (as constraints, hence no extras in them). Pins already in a lock are kept while
# they fit: LOCK_ARGS=--upgrade moves every package to its newest fitting release. The locks resolve from
# PyPI alone, as CI installs: pip's own configuration here (extra indexes, wheel folders) is left out.
PIP_TOOLS := pip-tools==7.6.2
PIP_COMPILE := env -u PIP_INDEX_URL -u PIP_EXTRA_INDEX_URL -u PIP_FIND_LINKS -u PIP_NO_INDEX -u PIP_CONSTRAINT \
	PIP_CONFIG_FILE=/dev/null CUSTOM_COMPILE_COMMAND="make lock" $(VENV)/bin/pip-compile --quiet \
	--generate-hashes --allow-unsafe --strip-extras --index-url https://pypi.org/simple $(LOCK_ARGS)
lock: | check-python
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check $(PIP_TOOLS)
	$(PIP_COMPILE) --output-file requirements.lock requirements.txt
	$(PIP_COMPILE) --constraint requirements.lock --output-file requirements-dev.lock requirements-dev.txt

# axe-core, which the browser tests inject to check accessibility (npm is only needed for tests).
node_modules/.installed: package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then npm ci --no-audit --no-fund --silent && touch $@; \
	else echo "npm not found: the accessibility checks will be skipped (install nodejs and npm)."; fi

demo: $(VENV)/.runtime
	$(PY) manage.py migrate --no-input -v 0
	$(PY) manage.py load_demo
	$(PY) manage.py create_demo_staff
	@echo "Serving on http://127.0.0.1:$(PORT)/ (Ctrl-C stops it)"
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

lint: $(VENV)/.dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(DJLINT_DJANGO) --check --lint
	$(DJLINT_JINJA) --check --lint

# --warn: djLint --reformat otherwise exits 1 whenever it changed a file.
format: $(VENV)/.dev
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .
	$(DJLINT_DJANGO) --reformat --warn
	$(DJLINT_JINJA) --reformat --warn

# The whole suite on PostgreSQL (DATABASE_URL if set, else a throwaway server) and on SQLite at the same time
# (scripts/test-both: on two cores that takes about as long as the slower run alone). Both runs add to one
# measure of branch coverage ([tool.coverage] in pyproject.toml), which fails under its fail_under; not when
# PYTEST_ARGS is set, as a part of the suite covers less than the whole.
test: $(VENV)/.dev node_modules/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(DJLINT_DJANGO) --check --lint
	$(DJLINT_JINJA) --check --lint
	@if [ -x "$${CHROMIUM:-/usr/bin/chromium}" ]; then echo "Browser tests: Chromium found, they run."; \
	else echo "Browser tests: Chromium not found at $${CHROMIUM:-/usr/bin/chromium}, they are skipped (apt-get install chromium)."; fi
	$(PY) manage.py makemigrations --check --dry-run -v 1
	$(VENV)/bin/coverage erase
	scripts/test-both $(VENV)/bin/coverage run -m pytest $(PYTEST_ARGS)
	$(VENV)/bin/coverage combine -q
	$(VENV)/bin/coverage report $(if $(PYTEST_ARGS),--fail-under=0)

test-postgres: $(VENV)/.dev
	scripts/with-postgres $(PY) -m pytest $(PYTEST_ARGS)

test-sqlite: $(VENV)/.dev
	DATABASE_URL=sqlite:///var/test.sqlite3 $(PY) -m pytest $(PYTEST_ARGS)

# The production set-up end to end on this machine: PostgreSQL, Redis, an S3-compatible server (moto), two gunicorn
# app servers in production mode and a task worker; upload on one, search and download on the other, make it private
# and see it gone (scripts/deploy_test.py says each step). Needs redis-server (apt-get install redis-server).
deploy-test: $(VENV)/.dev
	scripts/with-postgres $(PY) scripts/deploy_test.py

clean:
	rm -rf $(VENV) var/test.sqlite3
