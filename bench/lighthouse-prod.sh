#!/usr/bin/env bash
# Lighthouse against production settings behind the documented server (gunicorn, `make serve-prod`),
# on a demo database of its own. Prints the Markdown table of bench/lighthouse.sh.
#
#   bench/lighthouse-prod.sh                       # home, guide, a condition, a city, a search, a profile
#   FORM_FACTOR=desktop bench/lighthouse-prod.sh
#   bench/lighthouse-prod.sh /accounts/login/      # other pages
#
# Everything lives in $WORK_DIR (default bench/out/lighthouse-prod/): a SQLite database seeded once with
# the 300-listing demo (delete the folder to reseed), the collected static files, photos, gunicorn's log.
# Production settings except two switches for measuring over plain http on this machine only:
# SECURE_SSL_REDIRECT=false (there is no TLS proxy here to redirect to) and SECURE_HSTS_SECONDS=0.
# Neither changes what a page weighs or how it renders; never set them on a real deployment.
set -euo pipefail

cd "$(dirname "$0")/.."
PORT=${PORT:-8765}
WORK_DIR=${WORK_DIR:-bench/out/lighthouse-prod}
mkdir -p "$WORK_DIR"
WORK_DIR=$(realpath "$WORK_DIR")

export DJANGO_SETTINGS_MODULE=directory.settings.prod
export SECRET_KEY=${SECRET_KEY:-$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(50))')}
export ALLOWED_HOSTS=127.0.0.1
export DATABASE_URL=sqlite:///$WORK_DIR/db.sqlite3
export STATIC_ROOT=$WORK_DIR/static
export MEDIA_ROOT=$WORK_DIR/media
export SECURE_SSL_REDIRECT=false SECURE_HSTS_SECONDS=0
export LOG_LEVEL=ERROR  # one process per worker has its own cache: accounts.W001 is expected here

.venv/bin/python manage.py migrate --noinput -v0
.venv/bin/python manage.py seed_demo --practitioners 300 --if-empty -v0 >&2
.venv/bin/python manage.py collectstatic --noinput -v0
.venv/bin/gunicorn directory.wsgi:application --workers 2 --bind "127.0.0.1:$PORT" --no-control-socket \
  --error-logfile "$WORK_DIR/gunicorn.log" &
server=$!
trap 'kill "$server" 2>/dev/null; wait "$server" 2>/dev/null || true' EXIT
base=http://127.0.0.1:$PORT
for _ in $(seq 50); do curl -fsS -o /dev/null "$base/healthz" 2>/dev/null && break; sleep 0.2; done

profile=$(curl -fsS "$base/practitioners/?location=10001" | grep -oE 'href="/practitioners/[a-z0-9-]+/[?"]' | head -1 | cut -d'"' -f2 | tr -d '?')
home=$(curl -fsS "$base/")
city=$(grep -o 'href="/acupuncturists/[a-z-]*/[a-z0-9-]*/"' <<<"$home" | head -1 | cut -d'"' -f2)
condition=$(grep -o 'href="/conditions/[a-z0-9-]*/"' <<<"$home" | head -1 | cut -d'"' -f2)
[ -n "$profile" ] && [ -n "$city" ] && [ -n "$condition" ] || { echo "No profile, city or condition link found: is the demo seeded?" >&2; exit 1; }
[ $# -gt 0 ] || set -- / /guide/ "$condition" "$city" "/practitioners/?location=10001" "$profile"
bench/lighthouse.sh "$base" "$@"
