# Two entry points: `make run` (index the bundled corpus if needed, then serve) and
# `make test` (the whole suite). Both build a local virtualenv in .venv first.

PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
PORT   ?= 8000
INDEX  ?= instance/index

.PHONY: run test install install-test bench clean

$(BIN)/cables: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

install: $(BIN)/cables

$(VENV)/.test-deps: $(BIN)/cables
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@

install-test: $(VENV)/.test-deps

run: install
	@if [ ! -d "$(INDEX)" ]; then $(BIN)/cables index --index "$(INDEX)" corpus/; fi
	$(BIN)/cables serve --index "$(INDEX)" --host 127.0.0.1 --port $(PORT)

test: install-test
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: install-test
	$(BIN)/python -m bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) instance build *.egg-info
