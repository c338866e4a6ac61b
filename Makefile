# miara — the two commands a newcomer needs are `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PG_URL ?= postgresql://postgres@127.0.0.1:5432/test
PORT   ?= 8000

.PHONY: demo test test-postgres lint fmt messages bench bench-small migrations-check clean help

help:
	@echo "make demo            install into .venv, load the demo programme, serve http://127.0.0.1:8000"
	@echo "                     (another port: make demo PORT=8101)"
	@echo "make test            install with test extras and run the test suite (SQLite)"
	@echo "make test-postgres   run the suite against PostgreSQL (PG_URL=$(PG_URL))"
	@echo "make lint / fmt      ruff check, import contracts (lint-imports) / ruff format"
	@echo "make messages        update and compile translations (needs GNU gettext)"
	@echo "make bench           national-scale benchmark: engine vs pandas vs DuckDB, load/compute/export"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test]"
	@touch $@ $(VENV)/.installed

demo: $(VENV)/.installed
	$(BIN)/miara demo --port $(PORT)

test: $(VENV)/.installed-test
	$(BIN)/python -m pytest

test-postgres: $(VENV)/.installed-test
	MIARA_DATABASE_URL=$(PG_URL) $(BIN)/python -m pytest

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

fmt: $(VENV)/.installed-test
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

migrations-check: $(VENV)/.installed-test
	MIARA_SECRET_KEY=check $(BIN)/python -m django makemigrations --check --dry-run --settings=miara.settings

messages: $(VENV)/.installed-test
	cd miara && ../$(BIN)/python -m django makemessages -l pl -l cs --settings=miara.settings && ../$(BIN)/python -m django compilemessages --settings=miara.settings

bench: $(VENV)/.installed-test
	$(BIN)/python benchmarks/national.py

bench-small: $(VENV)/.installed-test
	$(BIN)/python benchmarks/national.py --units 630 --indicators 40 --variables 50

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache *.egg-info
