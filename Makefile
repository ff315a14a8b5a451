# Two commands do all set-up on a fresh machine:
#   make scan   -> creates .venv, installs syndicate, runs `syndicate scan seeds/`
#   make test   -> same set-up with the test and spark extras, runs the whole suite
#                  (the Spark tests need Java 17+: .ci/install-java installs it as root)
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: scan test lint bench bench-large bench-spark clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml Makefile | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[test,spark]'
	touch $@

$(VENV)/.installed-bench: pyproject.toml Makefile | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[test,bench,spark]'
	touch $@

scan: $(VENV)/.installed
	$(BIN)/syndicate scan seeds/ --format text

test: $(VENV)/.installed-test
	$(BIN)/python -m pytest

lint: $(VENV)/.installed-test
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy src

bench: $(VENV)/.installed-bench
	$(BIN)/python -m benchmarks run --sizes 1000,10000

bench-large: $(VENV)/.installed-bench
	$(BIN)/python -m benchmarks run --sizes 100000,1000000

bench-spark: $(VENV)/.installed-bench
	$(BIN)/python -m benchmarks.spark benchmarks/corpora/n1000-s0-g1 benchmarks/corpora/n10000-s0-g1

clean:
	rm -rf $(VENV) build dist src/*.egg-info
