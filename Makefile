# crisisdesk: `make run` to try it, `make test` to check it. Nothing to install by hand.
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | md5sum | cut -c1-12)
PYTHON ?= python3

.PHONY: run test setup install bench messages clean

run: setup ## serve on http://127.0.0.1:8000 with a Celery worker and beat (Ctrl-C stops all)
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" DEBUG=1 honcho -f Procfile.dev start

test: install ## lint, migrations check and the whole suite
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/pytest

bench: install ## benchmarks that print figures (DATABASE_URL=postgres://... for PostgreSQL)
	$(PY) -m bench.timeline
	$(PY) -m bench.ingest
	$(PY) -m bench.sentiment

setup: install
	DEBUG=1 $(PY) manage.py migrate --noinput
	DEBUG=1 $(PY) manage.py seed_demo

install: $(STAMP)

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	rm -f $(VENV)/.installed-* && touch $@

messages: install ## extract and compile the Dutch catalogue (needs gettext)
	DEBUG=1 $(PY) manage.py makemessages -l nl --no-location --ignore=.venv --ignore=staticfiles
	DEBUG=1 $(PY) manage.py compilemessages -l nl --ignore=.venv

clean:
	rm -rf $(VENV) var staticfiles db.sqlite3*
