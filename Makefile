# OPENCities: `make run` to try it, `make test` to test it. See README.md.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
HOST ?= 127.0.0.1
PORT ?= 8000

# `make setup` writes a git-ignored .env (opencities/devenv.py) that every command here reads: DEBUG and
# DEMO_MODE on, a generated SECRET_KEY, SITE_URL; SQLite in var/. `make run` sets its SITE_URL (links in emails
# and PDFs) to the address it serves, http://$(HOST):$(PORT). A variable of the environment wins over the file.
SITE := http://$(HOST):$(PORT)

.PHONY: run setup install test lint bench load e2e worker beat clean messages

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

install: $(VENV)/.installed

setup: install
	mkdir -p var/outbox var/media
	$(PY) opencities/devenv.py --site-url $(SITE) --if-missing
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_questionnaire assessments/questionnaires/opencities-1.0.toml
	$(PY) manage.py import_reference_cities assessments/data/reference-cities.csv
	$(PY) manage.py import_case_studies casestudies/data/case-studies.json
	$(PY) manage.py import_recommendation_rules recommendations/data/rules.json
	$(PY) manage.py seed_demo

run: setup
	@echo
	@$(PY) opencities/devenv.py --site-url $(SITE)
	@echo
	@echo "OPENCities is starting at $(SITE)/"
	@echo "  Demo city lead:  lead@demo.test   / opencities-demo"
	@echo "  Demo editor:     editor@demo.test / opencities-demo  (admin at $(SITE)/admin/)"
	@echo "  Emails are written to var/outbox/"
	@echo
	$(PY) manage.py runserver $(HOST):$(PORT)

# In parallel, one worker per core (pytest-xdist); each worker has its own test database.
# Extract the interface's strings into locale/<language>/LC_MESSAGES/django.po (needs GNU gettext) and compile
# the .mo files with Babel; commit both. After translating in a .po: make messages (or catalogues --compile-only).
messages: install
	DEBUG=1 $(PY) manage.py catalogues

test: install
	$(BIN)/pytest -n auto

# The copy-paste check: pylint's duplicate-code checker alone, six lines or more, migrations left out
# (settings in pyproject.toml, [tool.pylint.*]).
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pylint opencities assessments casestudies recommendations bench e2e conftest.py

bench: install
	$(PY) -m bench

# The load test (bench/README.md, make load): Locust, installed here beside requirements.txt, not by `make install`.
$(VENV)/.load-installed: requirements.txt bench/load/requirements.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements.txt -r bench/load/requirements.txt
	touch $@

load: $(VENV)/.installed $(VENV)/.load-installed
	$(PY) -m bench.load $(LOAD_ARGS)

e2e: install
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Chromium is missing. Install Debian's package (never a downloaded browser):"; \
	  echo "  apt-get update && apt-get install -y chromium"; exit 1; }
	$(BIN)/pytest e2e

worker: install
	$(BIN)/celery -A opencities worker --loglevel=info

beat: install
	$(BIN)/celery -A opencities beat --loglevel=info --schedule=var/celerybeat-schedule

clean:
	rm -rf var/opencities.sqlite3 var/outbox var/static
