# Two commands for a newcomer: `make run` and `make test`. Everything else is set up on the way.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3.12 || command -v python3.13 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: install run test browser bench bench-scheduler

$(INSTALLED): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "Linli needs Python 3.11 or newer ($(PYTHON) is older)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $@

install: $(INSTALLED)

run: install
	$(BIN)/linli db upgrade
	$(BIN)/linli seed
	$(BIN)/linli run

# The workbench's browser tests drive Debian's chromium with Playwright (never `playwright install`).
browser:
	@command -v chromium >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } \
		|| echo "chromium could not be installed: the browser tests will be skipped"

test: install browser
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Benchmarks print figures and ratios against a baseline measured in the same run.
bench: bench-scheduler

bench-scheduler: install
	$(BIN)/python benchmarks/bench_scheduler.py
