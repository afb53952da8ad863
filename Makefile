# crisisdesk: `make run` to try it, `make test` to check it. Nothing to install by hand.
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | md5sum | cut -c1-12)
PYTHON ?= python3

.PHONY: run prod prod-setup load test setup install bench messages clean

run: setup ## serve on http://127.0.0.1:8000 (uvicorn, ASGI) with a Celery worker and beat (Ctrl-C stops all)
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" DEBUG=1 honcho -f Procfile.dev start

# A production-like run on this machine: PostgreSQL, Redis, nginx on the one origin in front of
# gunicorn (pages and API) and uvicorn (ASGI: the live room's event streams; Procfile), a worker
# and beat, DEBUG off, hashed static files. Plain
# HTTP on 127.0.0.1, so the secure-cookie settings are relaxed here; a real deployment keeps them
# on (see README, Deploying).
PROD_ENV = DEBUG=0 DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/crisisdesk} \
	CELERY_BROKER_URL=$${CELERY_BROKER_URL:-redis://127.0.0.1:6379/0} CACHE_URL=$${CACHE_URL:-redis://127.0.0.1:6379/1} \
	LIVE_EVENTS_URL=$${LIVE_EVENTS_URL-redis://127.0.0.1:6379/2} \
	SECRET_KEY=$$(cat var/secret_key) ALLOWED_HOSTS=127.0.0.1,localhost \
	SECURE_SSL_REDIRECT=0 SESSION_COOKIE_SECURE=0 CSRF_COOKIE_SECURE=0 SECURE_HSTS_SECONDS=0 BEHIND_PROXY=1

prod: prod-setup ## production-like: nginx, gunicorn and uvicorn, worker and beat on PostgreSQL and Redis
	$(PROD_ENV) PATH="$(CURDIR)/$(VENV)/bin:$$PATH" honcho -f Procfile start

prod-setup: install
	@command -v nginx >/dev/null || { echo "make prod needs nginx in front: apt-get install nginx-light"; exit 1; }
	mkdir -p var && test -s var/secret_key || $(PY) -c "import secrets; print(secrets.token_urlsafe(50))" > var/secret_key
	psql -h 127.0.0.1 -U postgres -tc "SELECT 1 FROM pg_database WHERE datname='crisisdesk'" | grep -q 1 || \
		psql -h 127.0.0.1 -U postgres -c "CREATE DATABASE crisisdesk"
	$(PROD_ENV) $(PY) manage.py migrate --noinput
	$(PROD_ENV) $(PY) manage.py collectstatic --noinput --verbosity 0
	$(PROD_ENV) $(PY) manage.py seed_demo

load: prod-setup ## the live room: 2,000 event streams, then 60 s of writing, against the production run on 127.0.0.1:8001 (LOAD_VIEWERS, LOAD_EVENTS)
	$(PROD_ENV) $(PY) -m bench.load

test: install ## lint, migrations check and the whole suite
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DEBUG=1 $(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/pytest

bench: install ## benchmarks that print figures (DATABASE_URL=postgres://... for PostgreSQL)
	$(PY) -m bench.timeline
	$(PY) -m bench.ingest
	$(PY) -m bench.sentiment
	$(PY) -m bench.poll

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
