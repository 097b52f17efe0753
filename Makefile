# envq: the command index. `make demo` then `make test` on a fresh machine is all it takes.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export GX_ANALYTICS_ENABLED := false
export PREFECT_SERVER_ANALYTICS_ENABLED := false
export DO_NOT_TRACK := 1
export PREFECT_HOME ?= $(CURDIR)/data/prefect

.PHONY: browser demo test test-fast lint format install sample run report bench serve clean

$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c requirements.lock -e ".[dev]"
	touch $(STAMP)

install: $(STAMP) ## create .venv and install envq with its pinned dependencies

demo: $(STAMP) ## run the nightly job on the bundled sample (generated on first use)
	$(BIN)/envq run

test: $(STAMP) browser ## the whole test suite (what CI runs)
	$(BIN)/python -m pytest -q

browser: ## Debian's chromium for the report browser tests (nothing is downloaded by the tests)
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null \
	  && (apt-get update -qq && apt-get install -y -qq chromium >/dev/null) ; } \
	  || echo "chromium is not installed: the browser tests of the reports will skip"

test-fast: $(STAMP) ## unit tests only, without the Prefect end-to-end tests
	$(BIN)/python -m pytest -q -m "not e2e"

lint: $(STAMP) ## ruff
	$(BIN)/ruff check .

format: $(STAMP)
	$(BIN)/ruff format .

sample: $(STAMP) ## (re)generate the bundled synthetic sample into data/raw/sample
	$(BIN)/envq sample --out data/raw/sample

report: $(STAMP)
	$(BIN)/envq report

bench: $(STAMP)
	$(BIN)/envq bench

serve: $(STAMP)
	$(BIN)/envq serve

clean: ## remove generated warehouse, reports and sample (keeps .venv)
	rm -rf data/warehouse/*.duckdb* data/reports/* data/raw/sample data/prefect
