# NAM Briefings — the two commands a newcomer needs are `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app app
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test test-all bench setup venv dev-venv migrate seed clean help

help:
	@echo "make run       set up everything (venv, database, real data, demo admin) and serve on http://$(HOST):$(PORT)"
	@echo "make test      set up the dev venv and run the test suite (SQLite; PostgreSQL too when TEST_DATABASE_URL is set)"
	@echo "make test-all  the test suite including the slow fault tests (what CI runs)"
	@echo "make bench     the benchmarks under bench/ (each prints its figures and the machine)"

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
	  { echo "Python 3.11 or newer is needed (found: $$($(PYTHON) --version)). Set PYTHON=python3.x"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.runtime-installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	@touch $@

$(VENV)/.dev-installed: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	@touch $@ $(VENV)/.runtime-installed

venv: $(VENV)/.runtime-installed
dev-venv: $(VENV)/.dev-installed

migrate: venv
	$(FLASK) db upgrade

seed: migrate
	$(FLASK) seed
	$(FLASK) demo

setup: seed

run: setup
	@echo "Starting NAM Briefings on http://$(HOST):$(PORT): web, scheduler and a local mail sink"
	@echo "(mail is kept in instance/mail, nothing leaves this machine; Ctrl-C stops all three)"
	HOST=$(HOST) PORT=$(PORT) $(BIN)/honcho start -f Procfile

test: dev-venv
	$(BIN)/python -m pytest -q

test-all: dev-venv
	RUN_SLOW=1 $(BIN)/python -m pytest -q

bench: dev-venv
	$(BIN)/python bench/planner.py

clean:
	rm -rf $(VENV) .pytest_cache
