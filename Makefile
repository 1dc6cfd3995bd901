# The two commands of the README: `make run` and `make test`. Everything else supports them.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: install run test lint format bench bench-compare clean audit

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	# pip and setuptools as new as they come: the venv's bundled setuptools (65.5 on
	# Python 3.11) has known vulnerabilities (pip-audit, `make audit`).
	$(BIN)/python -m pip install --quiet --upgrade pip setuptools
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## Create the environment, migrate, load the seed dataset if the database is empty,
## create an admin account if there is none, and serve on http://127.0.0.1:8000.
run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py setup_site
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py runserver $(HOST):$(PORT)

## Install and run the whole suite: lint, format check, import contracts, tests.
test: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/pytest

## Load benchmark (not a test): gunicorn on 127.0.0.1 against PostgreSQL with the seed,
## a 15 s baseline then 60 s of mixed reads by 50 clients; report in bench/results/.
bench: install
	$(BIN)/python bench/run.py $(BENCH_ARGS)

## Claimbase against Datasette 0.65.5 and a raw-SQL floor on a synthetic corpus:
## make bench-compare SIZE=M ENGINE=sqlite|postgres; results in bench/results/.
SIZE   ?= S
ENGINE ?= sqlite
bench-compare: install
	$(BIN)/python -m bench.compare --size $(SIZE) --engine $(ENGINE) $(BENCH_ARGS)

## Known vulnerabilities in the installed packages (needs the network: see .ci/run).
audit: install
	$(BIN)/python .ci/audit.py

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
