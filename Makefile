# aidledger: the two set-up commands are `make demo` and `make test`; both install what they need.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)

.PHONY: install system-deps demo test test-fast lint format bench up down status clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@rm -f $(VENV)/.installed-* && touch $(STAMP)

# The sources compiled ahead: with PYTHONDONTWRITEBYTECODE set (as on this machine) every
# command, worker and helper process would compile them again as it starts (~0.2 s each).
install: $(STAMP)
	@$(BIN)/python -m compileall -q -j 0 schemas ledger streams connectors >/dev/null

# Debian's Chromium renders the HTML reports in the browser tests.
system-deps:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "chromium is missing: sudo apt-get install chromium (browser tests will fail)"; fi; }

## Run the main job on the embedded default (broker + PostgreSQL from wheels).
demo: install
	$(BIN)/aidledger demo

## Run the whole test suite against the real embedded broker and PostgreSQL.
test: install system-deps
	$(BIN)/python -m pytest

test-fast: install
	$(BIN)/python -m pytest -m "not slow and not browser"

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy schemas ledger streams connectors tests bench

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: install
	$(BIN)/python bench/run_all.py

up: install
	$(BIN)/aidledger up
down: install
	$(BIN)/aidledger down
status: install
	$(BIN)/aidledger status

clean:
	rm -rf build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache
