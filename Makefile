# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
# The suite's tests mostly wait on servers and timers: three at a time keep two cores busy.
TEST_WORKERS ?= 3
BIN := $(VENV)/bin
# MkDocs through the venv's Python (never --quiet: it silences the warnings --strict counts); Material's
# notice about its own end of life is not the build's business.
MKDOCS := NO_MKDOCS_2_WARNING=1 $(BIN)/python -m mkdocs

.PHONY: run demo test unit typecheck docs docs-serve bench bench-scale stress mail-samples translations clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "Python 3.11 is required (set PYTHON=...)"'
	$(PYTHON) -m venv $(VENV)

$(VENV)/.run-installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $@

$(VENV)/.test-installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test,docs]'
	@touch $@

$(VENV)/.docs-installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[docs]'
	@touch $@

## Runs the product: embedded Temporal dev server with its Web UI, and the worker.
run: $(VENV)/.run-installed
	$(BIN)/fasttrack dev

## Plays six demo engagements against the running stack (start `make run` first).
demo: $(VENV)/.run-installed
	$(BIN)/python -m devstack.demo

AXE := tests/e2e/accessibility/node_modules/axe-core/axe.min.js

# axe-core from the npm registry, pinned with its hash in package-lock.json (Debian's npm installs it).
$(AXE): tests/e2e/accessibility/package-lock.json
	@command -v npm >/dev/null || { echo "Installing Debian's npm for the accessibility check…"; \
		apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q npm; }
	npm ci --prefix tests/e2e/accessibility --no-audit --no-fund --loglevel=error
	@touch $@

## Runs the type checker, the documentation's strict build (a broken link or anchor fails it), then
## the whole test suite (installs Debian's chromium for the browser test, Debian's npm for axe-core,
## and Debian's postgresql for the register's throwaway PostgreSQL server, when missing).
test: $(VENV)/.test-installed $(AXE)
	@command -v chromium >/dev/null || { echo "Installing Debian's chromium for the browser test…"; \
		apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; }
	@command -v pg_ctl >/dev/null || ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || { \
		echo "Installing Debian's postgresql for the register's tests…"; \
		apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql; }
	$(BIN)/python -m mypy
	$(MKDOCS) build --strict
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile

## Runs the type checker, then the unit tier alone: pure and fast (a few seconds), no server.
unit: typecheck
	$(BIN)/python -m pytest tests/unit

## mypy: strict on fasttrack/ and workflows/, its default checks on the rest (pyproject.toml).
typecheck: $(VENV)/.test-installed
	$(BIN)/python -m mypy

## Builds the documentation site from docs/ into build/site/ (open build/site/index.html), with
## --strict: a broken link or anchor, or a page left out of the navigation, fails it. The command
## reference, the intake's API and the benchmark's tables are written from the code and bench/results/.
docs: $(VENV)/.docs-installed
	$(MKDOCS) build --strict
	@echo "Documentation built: open build/site/index.html"

## Serves the documentation at http://127.0.0.1:8000, rebuilt on every change to docs/ (Ctrl-C stops it).
docs-serve: $(VENV)/.docs-installed
	$(MKDOCS) serve --strict --dev-addr 127.0.0.1:8000

## Measures what an engagement costs beside plain Temporal (about 13 minutes on 2 cores).
bench: $(VENV)/.test-installed
	$(BIN)/python -m bench.run

bench-scale: $(VENV)/.test-installed
	$(BIN)/python -m bench.run --scale 500 5000 50000

## Replay stress (about 20 minutes on 2 cores): engagements on a worker with a cache of 4, then through
## 100 worker SIGKILLs; every history replayed, the failing ones kept in build/stress/.
stress: $(VENV)/.test-installed
	$(BIN)/python -m bench.stress

## Writes every message kind, in every language, to build/mail-samples/ for review.
mail-samples: $(VENV)/.run-installed
	$(BIN)/python -m simulation.mail_samples build/mail-samples

## After a change to fasttrack/wording/source.py: refreshes the translators' template
## and merges it into every language's catalog (new and changed entries to translate).
translations: $(VENV)/.run-installed
	$(BIN)/pybabel extract -F babel.cfg --no-default-keywords -k entry:1c,2 -k plural_entry:1c,2,3 \
		-c Translators: --no-location --width 100 --project "FastTrack onboarding orchestrator" \
		--msgid-bugs-address fasttrack-orchestrator@example.invalid -o fasttrack/locale/messages.pot \
		fasttrack/wording/source.py fasttrack/wording/findings_source.py fasttrack/wording/page_source.py
	$(BIN)/pybabel update -i fasttrack/locale/messages.pot -d fasttrack/locale --width 100 \
		--ignore-obsolete
	@for po in fasttrack/locale/*/LC_MESSAGES/messages.po; do \
		$(BIN)/pybabel compile --statistics -i $$po -o /dev/null 2>&1 | grep -v '^compiling'; done

clean:
	rm -rf $(VENV) build *.egg-info
