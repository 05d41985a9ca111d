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
	$(BIN)/python -m pip install -q -e '.[dev,s3,vault,argo,notebook,testing]' --config-settings editable_mode=strict
	touch $@ $(STAMP)

demo: $(STAMP)
	cd examples/seed && secret_key=demo-secret ../../$(BIN)/runplane run pipeline.py

test: $(DEVSTAMP)
	$(BIN)/pytest -q -p no:cacheprovider tests

unit: $(DEVSTAMP)
	$(BIN)/pytest -q -m "not integration" tests/unit

integration: $(DEVSTAMP)
	$(BIN)/pytest -q -m integration tests/integration

lint: $(DEVSTAMP)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports

bench: $(STAMP)
	$(BIN)/python benchmarks/linear.py

clean:
	rm -rf $(VENV) .run_log_store .catalog examples/seed/.run_log_store examples/seed/.catalog
