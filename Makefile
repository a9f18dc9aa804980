# Two commands for a newcomer: `make run` and `make test`. Everything else is set up on the way.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3.12 || command -v python3.13 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: install run test browser rasa bench bench-scheduler bench-nlu

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

# The Rasa server's Python 3.10 venv (rasa==3.6.21) and its model trained from nlu/data/nlu.yml,
# both cached outside the checkout (${LINLI_CACHE:-~/.cache/linli}) and rebuilt only when the
# pinned requirements or the data/config change. Serve it with `$(BIN)/python -m nlu.rasa_runtime serve`.
rasa: install
	$(BIN)/python -m nlu.rasa_runtime setup

# Rasa's integration test needs Python 3.10: when there is one, build Rasa first; otherwise say so.
test: install browser
	@if $(BIN)/python -m nlu.rasa_runtime available; then \
		$(MAKE) --no-print-directory rasa; \
	else \
		echo "make test: 没有 Python 3.10，跳过 Rasa 集成测试（tests/nlu/test_rasa_server.py 会标为 skipped）"; \
	fi
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Benchmarks print figures and ratios against a baseline measured in the same run.
bench: bench-scheduler bench-nlu

bench-scheduler: install
	$(BIN)/python benchmarks/bench_scheduler.py

bench-nlu: install
	@if $(BIN)/python -m nlu.rasa_runtime available; then $(MAKE) --no-print-directory rasa; fi
	$(BIN)/python -m benchmarks.bench_nlu $(BENCH_ARGS)
