# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint bench soak fleet serve migrate demo messages clean

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

migrate: $(VENV)/.installed
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py seed_demo

run: demo
	$(PY) manage.py runserver $(HOST):$(PORT)

test: $(VENV)/.installed
	$(PY) -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) manage.py spectacular --validate --fail-on-warn --file /dev/null

messages: $(VENV)/.installed
	$(PY) manage.py compilemessages --ignore=.venv

bench: $(VENV)/.installed
	$(PY) bench/run.py $(BENCH_ARGS)

# gunicorn + PostgreSQL (DATABASE_URL, an empty database) + Redis + worker.
soak: $(VENV)/.installed
	$(PY) bench/soak.py $(SOAK_ARGS)

# Two web and two worker machines on loopback (needs DATABASE_URL: PostgreSQL).
fleet: $(VENV)/.installed
	$(PY) -m pytest -s itsm/tests/test_fleet_two_nodes.py $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) var
