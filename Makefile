# Two entry points for a fresh clone: `make site` and `make test`. Both set up .venv first.
# `make test` runs `make lint` (ruff, mypy, the import layers) and then every test.
# `make test-fast` runs the tests that start no kernel, browser or gateway: the loop for working on the tool.
PYTHON ?= python3
REQUIREMENTS ?= cpu
VENV := .venv
RUN := $(VENV)/bin/python
SLOW_TIERS := kernel or tensorflow or browser or gateway or packaging

.PHONY: site test test-fast lint setup clean
site: setup
	$(RUN) build.py

test: lint
	$(RUN) -m pytest

# Its tests share nothing but the repository they read, so they run on every core (pytest-xdist).
test-fast: setup
	$(RUN) -m pytest -m "not ($(SLOW_TIERS))" -n auto

# The rules pyproject.toml sets: ruff's lint, mypy's types, and import-linter's layers of the package.
lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

setup: $(VENV)/.installed-$(REQUIREMENTS)

# The pinned environment, then lessonbuild itself from this checkout (editable: no copy to go stale).
$(VENV)/.installed-$(REQUIREMENTS): requirements/base.txt requirements/$(REQUIREMENTS).txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(RUN) -m pip install --quiet --disable-pip-version-check -r requirements/$(REQUIREMENTS).txt
	$(RUN) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation --editable .
	rm -f $(VENV)/.installed-*
	touch $@

clean:
	$(RUN) build.py clean
