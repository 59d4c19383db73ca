# HSE Portal: `make run` brings up the demo, `make test` runs the tests. Both set up what they need.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test setup assets lint messages check-deploy bench benchmark mutants clean

$(PY):
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)

$(STAMP): $(PY) requirements.txt requirements-dev.txt
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch node_modules/.installed

assets: node_modules/.installed

setup: $(STAMP) assets

# One command: install, migrate, load demo data, start web + Celery worker + beat (embedded
# SQLite and file-system broker unless DATABASE_URL / REDIS_URL say otherwise).
run: setup
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	bash scripts/run-dev.sh

test: setup
	bash scripts/test.sh

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# Refresh the Russian catalogue after adding strings (needs GNU gettext), then compile it.
messages: setup
	$(PY) manage.py makemessages -l ru --ignore=node_modules --ignore=.venv --ignore=staticfiles
	$(PY) manage.py compilemessages -l ru --ignore=node_modules --ignore=.venv

check-deploy: setup
	DJANGO_SETTINGS_MODULE=hse_portal.settings.production SECRET_KEY=$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(64))') \
	  $(PY) manage.py check --deploy --fail-level WARNING

clean:
	rm -rf var staticfiles .pytest_cache

# The benchmark suite at plant scale (scripts/bench.py; builds or reuses the hse_bench database on the
# PostgreSQL of this machine, needs Redis on loopback and wrk, installed here when missing).
# Extra arguments: make bench ARGS="--rounds 3 --only pages".
bench: setup
	@command -v wrk >/dev/null 2>&1 || { echo "Installing wrk"; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null \
	  || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }; }
	$(PY) scripts/bench.py $(ARGS)

# The daily reminder run over 100,000 open actions (prints figures; PostgreSQL via DATABASE_URL).
benchmark: setup
	$(PY) scripts/benchmark_reminders.py

# Mutation testing of the rule modules listed in pyproject.toml [tool.mutmut] (not part of CI; slow:
# about half a mutant a second on two cores). Prints the surviving mutants at the end.
mutants: setup
	rm -rf mutants
	$(VENV)/bin/mutmut run --max-children 2 > var/mutmut.log 2>&1 || true
	$(VENV)/bin/mutmut results
