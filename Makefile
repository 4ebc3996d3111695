# One task runner for README, CI and developers. Everything runs inside .venv, created on first use.
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin
STAMP = $(VENV)/.installed-stamp
OUT ?= report

.PHONY: install run serve report check test test-fast bench lint docs clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

## The main job on the built-in case: the observatory web app (Ctrl+C stops it).
run: serve

serve: install
	$(BIN)/diaspora serve $(SERVE_ARGS)

report: install
	$(BIN)/diaspora report --out $(OUT)

check: install
	$(BIN)/diaspora check

## The whole test suite (what CI runs).
test: install
	$(BIN)/python -m pytest

test-fast: install
	$(BIN)/python -m pytest -m "not browser and not slow and not postgres" -x -q

bench: install
	$(BIN)/python benchmarks/run.py

lint: install
	$(BIN)/ruff check src tests benchmarks
	duplicates --most 20 || true

docs: install
	$(BIN)/python docs/cli_reference.py

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache build *.egg-info src/*.egg-info
