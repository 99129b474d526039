# NAM Briefings — the two commands a newcomer needs are `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app app
HOST ?= 127.0.0.1
PORT ?= 5000
# The address in every link of e-mails and feeds. Unless given, the one `make run` serves at
# (a wildcard HOST such as 0.0.0.0 is no address to follow: the machine's name instead).
LINK_HOST := $(if $(filter 0.0.0.0 :: [::],$(HOST)),$(shell hostname -f 2>/dev/null || hostname),$(HOST))
PUBLIC_BASE_URL ?= http://$(LINK_HOST):$(PORT)
# the demo's login link, the seed's notices and the three processes (not the tests: their own)
run setup seed migrate: export PUBLIC_BASE_URL := $(PUBLIC_BASE_URL)
# test processes side by side (pytest-xdist; each has its own databases and servers):
# one a CPU by default, TEST_WORKERS=0 for one process
TEST_WORKERS ?= auto
PYTEST := $(BIN)/python -m pytest -q $(if $(filter 0,$(TEST_WORKERS)),,-n $(TEST_WORKERS) --dist loadfile)

.PHONY: run test test-all bench setup venv dev-venv migrate seed clean help translations extract update-catalogs

help:
	@echo "make run       set up everything (venv, database, real data, demo admin) and serve on http://$(HOST):$(PORT)"
	@echo "make test      set up the dev venv and run the test suite (SQLite; PostgreSQL too when TEST_DATABASE_URL is set)"
	@echo "make test-all  the test suite including the slow fault tests (what CI runs)"
	@echo "make bench     the benchmarks under bench/ (each prints its figures and the machine)"
	@echo "make translations   compile the message catalogs (make run and make test do it)"
	@echo "make extract        collect the messages of the code and templates (messages.pot)"
	@echo "make update-catalogs  extract, then add the new messages to each language's catalog"

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
	  { echo "Python 3.11 or newer is needed (found: $$($(PYTHON) --version)). Set PYTHON=python3.x"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.runtime-installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	@touch $@

$(VENV)/.dev-installed: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	@touch $@ $(VENV)/.runtime-installed

# Mozilla's ical.js under node, for the tests that read our .ics as Thunderbird does
# (they are skipped, with the reason, when node or npm is missing).
JS_DEPS := tests/js/node_modules/.installed
$(JS_DEPS): tests/js/package.json tests/js/package-lock.json
	@if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then \
	  npm ci --prefix tests/js --no-audit --no-fund && touch $@ \
	    || echo "npm ci failed (offline?): the ical.js checks will be skipped"; \
	else echo "node/npm not found: the ical.js checks will be skipped"; fi

# The message catalogs (English is the source; fr, es, ar translated) are compiled to .mo
# files here, never committed.
TRANSLATIONS := nam_briefings/translations
CATALOGS := $(wildcard $(TRANSLATIONS)/*/LC_MESSAGES/messages.po)
%.mo: %.po | $(VENV)/.runtime-installed
	$(BIN)/pybabel -q compile -i $< -o $@
translations: $(CATALOGS:.po=.mo)
# what marks a message besides Babel's defaults (_, gettext, ngettext, N_ ...): the lazy
# ones of forms (tests/unit/test_catalogs.py reads this line). babel.cfg's paths are from
# the project's root, so extract reads "." (it skips .venv and other dot folders).
BABEL_KEYWORDS := -k _l -k lazy_gettext -k lazy_ngettext:1,2
extract: venv
	$(BIN)/pybabel -q extract -F babel.cfg $(BABEL_KEYWORDS) --no-location --sort-output \
	  --omit-header --width 100 -o $(TRANSLATIONS)/messages.pot .
update-catalogs: extract
	$(BIN)/pybabel -q update -i $(TRANSLATIONS)/messages.pot -d $(TRANSLATIONS) --no-fuzzy-matching \
	  --width 100

venv: $(VENV)/.runtime-installed
dev-venv: $(VENV)/.dev-installed

migrate: venv
	$(FLASK) db upgrade

seed: migrate
	$(FLASK) seed
	$(FLASK) demo

setup: seed translations

run: setup
	@echo "Starting NAM Briefings on http://$(HOST):$(PORT): web (gunicorn, 2 workers), scheduler and a local mail sink"
	@echo "(mail is kept in instance/mail, nothing leaves this machine; Ctrl-C stops all three)"
	@echo "Links in e-mails and feeds: $(PUBLIC_BASE_URL) (PUBLIC_BASE_URL=... make run to change them)"
	HOST=$(HOST) PORT=$(PORT) PUBLIC_BASE_URL=$(PUBLIC_BASE_URL) $(BIN)/honcho start -f Procfile

# The browser tests (tests/browser) drive Debian's chromium through Playwright; without it
# they are skipped, with the reason.
test: dev-venv translations $(JS_DEPS)
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || \
	  [ -n "$${CHROMIUM_PATH:-}" ] || \
	  echo "chromium not found: the browser tests will be skipped (apt-get install chromium)"
	$(PYTEST) --durations=15

test-all: dev-venv translations $(JS_DEPS)
	RUN_SLOW=1 $(PYTEST)

bench: dev-venv translations
	$(BIN)/python bench/planner.py
	$(BIN)/python bench/change_requests.py $(if $(TEST_DATABASE_URL),--database-url $(TEST_DATABASE_URL))
	$(BIN)/python bench/delivery_start.py $(if $(TEST_DATABASE_URL),--database-url $(TEST_DATABASE_URL))
	$(BIN)/python bench/fanout.py $(if $(TEST_DATABASE_URL),--database-url $(TEST_DATABASE_URL))
	$(BIN)/python bench/feeds.py
	$(BIN)/python bench/pages.py $(if $(TEST_DATABASE_URL),--database-url $(TEST_DATABASE_URL))
	$(BIN)/python bench/startup.py
	$(BIN)/python bench/faults.py --database-url sqlite $(if $(TEST_DATABASE_URL),--database-url $(TEST_DATABASE_URL))

clean:
	rm -rf $(VENV) .pytest_cache tests/js/node_modules
