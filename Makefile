# Two commands: `make run` and `make test`. Both set everything up first and are
# quick when nothing changed (stamps in .make/).
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := .make
APT_PACKAGES := fonts-liberation2 libharfbuzz-subset0 poppler-utils chromium softhsm2 opensc libreoffice-writer-nogui libreoffice-calc-nogui
PO_FILES := $(wildcard survey_app/translations/*/LC_MESSAGES/messages.po)
MO_FILES := $(PO_FILES:.po=.mo)
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: setup run test bench apt clean i18n-update lock audit

setup: apt $(STAMP)/venv $(STAMP)/npm $(MO_FILES)

# System packages: checked every time (cheap); apt-get update only when one is missing.
apt:
	@missing=""; for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing system packages:$$missing"; \
	    apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing; \
	  else \
	    echo "survey_app needs these Debian packages:$$missing"; \
	    echo "Install them as root:  sudo apt-get install$$missing"; \
	    exit 1; \
	  fi; \
	fi

# Python packages at the versions pinned in requirements.lock.
$(STAMP)/venv: pyproject.toml requirements.lock
	@mkdir -p $(STAMP)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -c requirements.lock -e '.[test]'
	@touch $@

# Front-end packages (browser libraries) from the npm registry, never copied into the repo.
$(STAMP)/npm: $(wildcard package.json package-lock.json)
	@mkdir -p $(STAMP)
	@if [ -f package.json ]; then \
	  if [ -f package-lock.json ]; then npm ci --no-audit --no-fund --silent; \
	  else npm install --no-audit --no-fund --silent; fi; \
	fi
	@touch $@

%.mo: %.po $(STAMP)/venv
	$(BIN)/pybabel compile --statistics -i $< -o $@

run: setup
	$(BIN)/survey-app init --demo
	$(BIN)/survey-app serve --host $(HOST) --port $(PORT)

# The browser scripts' unit tests run in node (its own test runner, no browser) first.
# pytest runs on two workers (pytest-xdist), a test file wholly on one of them: the
# browser tests and the servers they start wait on other processes much of the time.
test: setup
	node --test tests/js/
	$(BIN)/ruff check --quiet --select F,E9 survey_app tests benchmarks
	$(BIN)/python -m pytest -q -n 2 --dist loadfile --durations=25

bench: setup
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(STAMP) $(VENV) $(VENV)-audit node_modules

# Pin what the venv has now (after adding or upgrading a dependency in pyproject.toml).
lock: $(STAMP)/venv
	{ sed -n '1,3p' requirements.lock; $(BIN)/pip freeze --exclude-editable; } > requirements.lock.new
	mv requirements.lock.new requirements.lock

# Known vulnerabilities in the pinned Python packages (pip-audit, in a venv of its own
# so it does not mix with the project's) and in the npm packages. Needs the advisory
# services (PyPI's per-version JSON, the npm audit endpoint) to be reachable; --strict
# fails when a package could not be checked instead of calling it clean.
audit:
	test -x $(VENV)-audit/bin/pip-audit || { $(PYTHON) -m venv $(VENV)-audit && $(VENV)-audit/bin/pip install -q pip-audit; }
	$(VENV)-audit/bin/pip-audit -r requirements.lock --no-deps --disable-pip --strict --progress-spinner off --desc
	npm audit --audit-level=low

# Refresh the catalogues after changing texts: extract, then merge into each language.
i18n-update: $(STAMP)/venv
	$(BIN)/pybabel extract -F babel.cfg -k N_ -k _l -k NP_:1c,2,3 --no-location --sort-output -o survey_app/translations/messages.pot .
	$(BIN)/pybabel update -N -i survey_app/translations/messages.pot -d survey_app/translations
