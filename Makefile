# Meridian — `make run` serves the demo site on SQLite; `make test` runs every check.
# Set DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/meridian) to use PostgreSQL instead.

VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
DEMO_PRACTITIONERS ?= 300
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint format venv migrate seed serve-prod bench bench-quick bench-million bench-report clean

$(STAMP): requirements.txt requirements-dev.txt scripts/find-python.sh
	@PYTHON=$$(scripts/find-python.sh) && echo "Using $$PYTHON" && \
	  { [ -x $(PY) ] && $(PY) -c 'import sys; sys.exit(sys.version_info < (3, 12))' || $$PYTHON -m venv --clear $(VENV); }
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $(STAMP)

venv: $(STAMP)

migrate: $(STAMP)
	DJANGO_SETTINGS_MODULE=directory.settings.dev $(PY) manage.py migrate --noinput

seed: migrate
	DJANGO_SETTINGS_MODULE=directory.settings.dev $(PY) manage.py seed_demo --practitioners $(DEMO_PRACTITIONERS) --if-empty

# The web server, one task worker (mail, daily jobs) and the scheduler; Ctrl+C stops all three.
run: seed
	DJANGO_SETTINGS_MODULE=directory.settings.dev scripts/run-dev.sh $(PY) $(HOST):$(PORT)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

test: $(STAMP)
	@scripts/ensure-test-tools.sh
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	@# Migrations do not depend on the database: check them on an in-memory SQLite database.
	DATABASE_URL=sqlite://:memory: DJANGO_SETTINGS_MODULE=directory.settings.test $(PY) manage.py makemigrations --check --dry-run
	DJANGO_ALLOW_ASYNC_UNSAFE=true $(VENV)/bin/pytest

# Production-like server; needs SECRET_KEY and ALLOWED_HOSTS (and usually DATABASE_URL and REDIS_URL) in the environment.
serve-prod: $(STAMP)
	DJANGO_SETTINGS_MODULE=directory.settings.prod $(PY) manage.py migrate --noinput
	DJANGO_SETTINGS_MODULE=directory.settings.prod $(PY) manage.py collectstatic --noinput -v0
	DJANGO_SETTINGS_MODULE=directory.settings.prod $(VENV)/bin/gunicorn directory.wsgi:application \
	  --workers 2 --timeout 120 --bind $(HOST):$(PORT) --no-control-socket --access-logfile -

# The benchmark on PostgreSQL (BENCH_PG_URL, default postgres://postgres@127.0.0.1:5432) with gunicorn and wrk;
# builds its databases and data if missing. bench: 10k + 100k listings, writes docs/performance.md with the
# growth curve (about 30 minutes from scratch); bench-quick: 10k listings, a few minutes, writes
# bench/out/quick/performance.md; bench-million: 1,000,000 listings (about 70 minutes to seed here), records the
# curve's third point in bench/recorded/million.json (commit it) and re-renders docs/performance.md;
# bench-report: re-renders docs/performance.md from bench/out/full/results.json and that file, measuring nothing.
bench: $(STAMP)
	$(PY) -m bench.run full

bench-quick: $(STAMP)
	$(PY) -m bench.run quick

bench-million: $(STAMP)
	$(PY) -m bench.run million

bench-report: $(STAMP)
	$(PY) -m bench.report full

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .test-media .pytest_cache
