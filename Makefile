# digest: `make build` to build the sample site, `make test` to run every test, `make test-fast`
# to run all but the browser and slow ones.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# The tests run in one worker process per core (pytest-xdist); --dist loadgroup keeps the tests
# of a file that share a site built once in one worker (tests/conftest.py groups them).
# `make test WORKERS=0` runs them all in one process.
# The tests start many Python processes (the workers, `digest serve`, the command line): where
# PYTHONDONTWRITEBYTECODE is set, each would compile digest's modules and rewrite the test
# files' asserts again; for the tests it is unset, so that their bytecode is cached.
WORKERS ?= auto
PYTEST := PYTHONDONTWRITEBYTECODE= $(BIN)/python -m pytest -q -n $(WORKERS) --dist loadgroup

.PHONY: build serve test test-fast install install-test browser bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

# The package is byte-compiled once here: where PYTHONDONTWRITEBYTECODE is set (many CI and
# container images) Python would otherwise compile digest's modules again on every run.
install: $(BIN)/python
	$(BIN)/pip install -q -e .
	$(BIN)/python -m compileall -q digest

# pip runs again only when what it installs from changed: the dependencies (pyproject.toml)
# or the version (digest/__init__.py). The editable install sees every other change.
install-test: $(VENV)/.installed-test

$(VENV)/.installed-test: pyproject.toml digest/__init__.py | $(BIN)/python
	$(BIN)/pip install -q -e '.[test]'
	touch $@

build: install
	$(BIN)/digest build

serve: install
	$(BIN)/digest serve

# Browser tests drive Debian's Chromium; install it when we can (root with apt-get, as in CI).
browser:
	@if command -v chromium >/dev/null 2>&1 || command -v google-chrome >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "Installing Debian's chromium for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else echo "chromium is missing: browser tests will skip (install it with: sudo apt-get install chromium)"; fi

test: install-test browser
	$(PYTEST)

# Everything but the browser and slow tests: the quick check to run while working.
test-fast: install-test
	$(PYTEST) -m "not browser and not slow"

bench: install
	$(BIN)/python benchmarks/bench.py

clean:
	rm -rf output .output.staging .output.old .output.trash .digest-cache .pytest_cache .hypothesis build dist
