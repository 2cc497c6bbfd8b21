# vtr-ledger: `make run` serves the API with the demo cases; `make test` runs every test.
PYTHON ?= python3
VENV ?= .venv
# Test processes. The fault tests all run in one of them, one after another (they time kills
# and outages), and each test file whole in one (tests/scheduling.py). Three keep two cores
# busy; with test pools of one connection they hold at most about 45 of PostgreSQL's default 100.
TEST_WORKERS ?= 3
PY := $(VENV)/bin/python
PIP_COMPILE := $(PY) -m piptools compile --quiet --no-emit-index-url --no-emit-find-links --strip-extras --no-header --allow-unsafe

CONSOLE_STYLES := api/console/static/console.css

.PHONY: run test lint bench docs requirements clean screenshots

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

# The console's styles: GOV.UK Frontend (pinned in package-lock.json, never from a CDN),
# compiled with the council's settings.
$(CONSOLE_STYLES): package-lock.json api/console/styles/console.scss api/console/scripts/init.mjs
	@command -v npm >/dev/null 2>&1 || { echo "The console's styles need Node.js and npm (apt-get install nodejs npm)." >&2; exit 1; }
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	mkdir -p api/console/static/images
	cp node_modules/govuk-frontend/dist/govuk/assets/images/* api/console/static/images/
	cp node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js api/console/scripts/init.mjs api/console/static/
	node_modules/.bin/sass --load-path=node_modules --style=compressed --no-source-map api/console/styles/console.scss $@

run: $(VENV)/.runtime $(CONSOLE_STYLES)
	$(PY) -m api serve --demo

# Bytecode is written even where the environment says not to: otherwise every test process
# rewrites and compiles every test module again, and every `python -m api` it starts compiles
# the service again.
test: $(VENV)/.dev $(CONSOLE_STYLES)
	@.ci/ensure-postgres
	@.ci/ensure-chromium
	env -u PYTHONDONTWRITEBYTECODE $(PY) -m pytest -n $(TEST_WORKERS)

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

# Screenshots of the console's main pages, for the README.
screenshots: $(VENV)/.dev $(CONSOLE_STYLES)
	@.ci/ensure-chromium
	$(PY) -m tests.browser.screenshots docs/screenshots

clean:
	rm -rf node_modules api/console/static $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis
