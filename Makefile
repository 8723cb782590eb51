# Two commands do everything on a fresh machine with Python 3.11+ and make:
#   make run    the platform with demo data on http://127.0.0.1:8000
#   make test   the whole test suite
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: dhis2-stub run test bench lint format check messages worker beat db-stop clean help

help:
	@echo "make run | test | bench | lint | format | check | messages | worker | beat | db-stop | clean"

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

# The demo DHIS2 server for the Southvale organization's connection (run it next to
# `make run`, in another terminal): see docs/dhis2.md.
dhis2-stub: $(STAMP)
	$(PY) manage.py dhis2_demo_stub

run: $(STAMP)
	$(PY) manage.py migrate --noinput
	$(PY) manage.py sync_roles
	$(PY) manage.py seed_demo
	@echo "Starting on http://127.0.0.1:8000/ (Ctrl-C to stop)"
	$(PY) manage.py runserver 127.0.0.1:8000

test: $(STAMP)
	$(PY) -m pytest $(PYTEST_ARGS)

bench: $(STAMP)
	$(PY) -m bench $(BENCH)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy .

format: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

check: $(STAMP)
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) manage.py check
	$(PY) manage.py check_messages

messages: $(STAMP)
	$(PY) manage.py makemessages --all --ignore=.venv --ignore=.data --ignore=node_modules --no-location
	$(PY) manage.py compilemessages --ignore=.venv

worker: $(STAMP)
	$(VENV)/bin/celery -A copcore worker --loglevel=info

beat: $(STAMP)
	$(VENV)/bin/celery -A copcore beat --loglevel=info

db-stop: $(STAMP)
	$(PY) -c "from copcore.embedded_db import stop_embedded_server as s; print('stopped' if s() else 'not running')"

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache staticfiles
