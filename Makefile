# Two entry points for a fresh clone: `make site` and `make test`. Both set up .venv first.
PYTHON ?= python3
REQUIREMENTS ?= cpu
VENV := .venv
RUN := $(VENV)/bin/python

.PHONY: site test setup clean
site: setup
	$(RUN) build.py

test: setup
	$(RUN) -m pytest

setup: $(VENV)/.installed-$(REQUIREMENTS)

$(VENV)/.installed-$(REQUIREMENTS): requirements/base.txt requirements/$(REQUIREMENTS).txt
	$(PYTHON) -m venv $(VENV)
	$(RUN) -m pip install --quiet --disable-pip-version-check -r requirements/$(REQUIREMENTS).txt
	rm -f $(VENV)/.installed-*
	touch $@

clean:
	$(RUN) build.py clean
