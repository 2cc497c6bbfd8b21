# vtr-ledger: `make run` serves the API with the demo cases; `make test` runs every test.
PYTHON ?= python3
VENV ?= .venv
# Test processes. The fault tests all run in one of them, one after another (they time
# kills and outages and start processes of their own), while the others take the rest.
TEST_WORKERS ?= 2
PY := $(VENV)/bin/python
PIP_COMPILE := $(PY) -m piptools compile --quiet --no-emit-index-url --no-emit-find-links --strip-extras --no-header --allow-unsafe

.PHONY: run test lint bench docs requirements clean

$(PY):
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "vtr-ledger needs Python 3.11 or newer, found " + sys.version.split()[0])'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements.txt
	@touch $@

$(VENV)/.dev: requirements-dev.txt $(VENV)/.runtime
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $@

run: $(VENV)/.runtime
	$(PY) -m api serve --demo

test: $(VENV)/.dev
	@.ci/ensure-postgres
	$(PY) -m pytest -n $(TEST_WORKERS) --dist loadgroup

lint: $(VENV)/.dev
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy
	$(VENV)/bin/lint-imports --no-cache

bench: $(VENV)/.dev
	@.ci/ensure-postgres
	$(PY) -m bench

docs: $(VENV)/.runtime
	$(PY) -m api catalogue > docs/event-catalogue.md
	$(PY) -m api permissions > docs/permissions.md
	$(PY) -m api command-examples > docs/commands.md

requirements: $(VENV)/.dev
	$(PIP_COMPILE) -o requirements.txt requirements.in
	$(PIP_COMPILE) -o requirements-dev.txt requirements-dev.in

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis
