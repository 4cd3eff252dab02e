# The two commands of the README: `make demo` (set up, ingest the sample reports, show them)
# and `make test` (set up, lint, type-check, run the whole test suite).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
DEMO_DB ?= .demo/nkwatch.db

.PHONY: setup demo test lint bench clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[web,parquet,dask,postgres,korean]' --group dev
	touch $@

setup: $(VENV)/.installed

demo: setup
	$(BIN)/nkwatch --db $(DEMO_DB) run examples/reports

lint: setup
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/mypy

test: lint
	$(BIN)/pytest

bench: setup
	$(BIN)/python benchmarks/ingest_search.py
	$(BIN)/python benchmarks/time_tagger.py
	$(BIN)/python benchmarks/time_vs_dateparser.py
	$(BIN)/python benchmarks/places.py
	$(BIN)/python benchmarks/pipeline.py
	$(BIN)/python benchmarks/export.py
	$(BIN)/python benchmarks/scaleout.py
	$(BIN)/python benchmarks/web.py

clean:
	rm -rf $(VENV) .demo .pytest_cache .mypy_cache .ruff_cache
