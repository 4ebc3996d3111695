# One task runner for README, CI and developers. Everything runs inside .venv, created on first use.
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin
RUN_STAMP = $(VENV)/.run-stamp
TEST_STAMP = $(VENV)/.test-stamp
OUT ?= report

.PHONY: install install-test run serve report check test test-fast bench lint docs clean

# Running needs only the package; the tests, lint and benchmarks add the test tools on top.
$(RUN_STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $(RUN_STAMP)

$(TEST_STAMP): $(RUN_STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(TEST_STAMP)

install: $(RUN_STAMP)
install-test: $(TEST_STAMP)

## The main job on the built-in case: the observatory web app (Ctrl+C stops it).
run: serve

serve: install
	$(BIN)/diaspora serve $(SERVE_ARGS)

report: install
	$(BIN)/diaspora report --out $(OUT)

check: install
	$(BIN)/diaspora check

## The whole test suite, exactly as CI runs it: tools/run-tests finds or installs Chromium, PostgreSQL and wrk
## (a throw-away server), says what is missing where it cannot, and runs pytest. ARGS passes pytest options.
test: install-test
	tools/run-tests $(ARGS)

## The quick loop while editing, not CI: no browser, no PostgreSQL, nothing marked slow (real processes and
## servers, crash tests, report and site builds, mutation sweeps, and every test listed in tests/slow_tests.txt:
## measured above 0.15 s in this loop's own run by tools/quick_loop.py, which writes the list), and the
## fast profile (DIASPORA_TEST_PROFILE=fast, tests/conftest.py: property tests at 5 examples each, drawn charts
## kept between runs), on two processes (pytest-xdist), a test file to each so that a module's app is built
## once (from the session's computed app, tests/conftest.py), the slowest files of the last run handed out
## first so that the two processes end together. Compiled test modules are kept (__pycache__, even where
## PYTHONDONTWRITEBYTECODE is set): pytest's assertion rewriting otherwise costs each process seconds.
## `make test` (CI) runs every test, in full, in one. Where its CPU goes, and how to measure it with every process
## it starts: benchmarks/results/test_fast.md (benchmarks/measure_test_fast.py).
test-fast: install-test
	PYTHONDONTWRITEBYTECODE= DIASPORA_TEST_PROFILE=fast $(BIN)/python -m pytest \
	  -m "not browser and not slow and not postgres" -n 2 --dist loadfile -x -q $(ARGS)

bench: install-test
	$(BIN)/python benchmarks/run.py

lint: install-test
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/vulture src tools/vulture_whitelist.py --min-confidence 80
	duplicates --most 20 || true

docs: install-test
	$(BIN)/python docs/cli_reference.py

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache build *.egg-info src/*.egg-info
