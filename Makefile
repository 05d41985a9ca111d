# Two commands set everything up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEVSTAMP := $(VENV)/.installed-dev

.PHONY: demo test unit integration lint bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e . --config-settings editable_mode=strict
	touch $@

$(DEVSTAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev,s3,vault,argo,notebook,otel,testing,ui]' --config-settings editable_mode=strict
	touch $@ $(STAMP)

demo: $(STAMP)
	cd examples/seed && secret_key=demo-secret ../../$(BIN)/runplane run pipeline.py

test: $(DEVSTAMP)
	$(BIN)/pytest -q -p no:cacheprovider -n auto --dist worksteal tests

unit: $(DEVSTAMP)
	$(BIN)/pytest -q -m "not integration" tests/unit

integration: $(DEVSTAMP)
	$(BIN)/pytest -q -m integration tests/integration

lint: $(DEVSTAMP)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports

# The references run from their own virtual environments, built once (stamped by version).
BENCH := .bench
RUNNABLE_STAMP := $(BENCH)/runnable/.installed-0.50.0
KEDRO_STAMP := $(BENCH)/kedro/.installed-1.7.0

$(RUNNABLE_STAMP):
	test -x $(BENCH)/runnable/bin/python || $(PYTHON) -m venv $(BENCH)/runnable
	$(BENCH)/runnable/bin/python -m pip install -q runnable==0.50.0
	touch $@

$(KEDRO_STAMP):
	test -x $(BENCH)/kedro/bin/python || $(PYTHON) -m venv $(BENCH)/kedro
	$(BENCH)/kedro/bin/python -m pip install -q kedro==1.7.0
	touch $@

# runplane is measured as users install it: this tree, not editable, without the dev
# extras, in its own environment like the references (reinstalled on every run).
RUNPLANE_BENCH := $(BENCH)/runplane

# BENCH_ARGS=--quick for a smoke run (fewer repeats, smaller sizes).
bench: $(RUNNABLE_STAMP) $(KEDRO_STAMP)
	test -x $(RUNPLANE_BENCH)/bin/python || $(PYTHON) -m venv $(RUNPLANE_BENCH)
	$(RUNPLANE_BENCH)/bin/python -m pip install -q .
	$(RUNPLANE_BENCH)/bin/python -m pip install -q --no-deps --force-reinstall .
	$(RUNPLANE_BENCH)/bin/python benchmarks/suite.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .run_log_store .catalog examples/seed/.run_log_store examples/seed/.catalog
