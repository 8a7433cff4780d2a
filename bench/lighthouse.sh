#!/usr/bin/env bash
# Lighthouse scores (performance, accessibility, best practices, SEO) of a running Meridian site.
#
#   make run                                   # in another terminal: the demo site on :8000
#   bench/lighthouse.sh                        # home, search, a profile, sign-in (mobile preset)
#   bench/lighthouse.sh http://127.0.0.1:8000 /guide/ /conditions/neck-pain/   # other pages
#   FORM_FACTOR=desktop bench/lighthouse.sh    # the desktop preset
#   bench/lighthouse-prod.sh                   # production settings under gunicorn (starts its own server)
#
# Lighthouse is a Node program: it is installed once (pinned, from the npm registry) into
# $LIGHTHOUSE_HOME (default ~/.cache/meridian/lighthouse), never into the repository. It drives the
# Chromium at $CHROME_PATH (default /usr/bin/chromium). Full JSON reports go to $OUT_DIR
# (default bench/out/lighthouse/); the table of scores (0-100) is printed as Markdown.
set -euo pipefail

LIGHTHOUSE_VERSION=13.5.0
LIGHTHOUSE_HOME=${LIGHTHOUSE_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/meridian/lighthouse}
export CHROME_PATH=${CHROME_PATH:-/usr/bin/chromium}
FORM_FACTOR=${FORM_FACTOR:-mobile}
BASE_URL=${1:-http://127.0.0.1:8000}
BASE_URL=${BASE_URL%/}
shift || true
OUT_DIR=${OUT_DIR:-$(dirname "$0")/out/lighthouse}

command -v node >/dev/null || { echo "Lighthouse needs Node.js (node and npm on PATH)." >&2; exit 1; }
[ -x "$CHROME_PATH" ] || { echo "No Chromium at $CHROME_PATH (set CHROME_PATH)." >&2; exit 1; }
LIGHTHOUSE=$LIGHTHOUSE_HOME/node_modules/.bin/lighthouse
if ! [ -x "$LIGHTHOUSE" ] || [ "$("$LIGHTHOUSE" --version)" != "$LIGHTHOUSE_VERSION" ]; then
  echo "Installing lighthouse@$LIGHTHOUSE_VERSION into $LIGHTHOUSE_HOME ..." >&2
  mkdir -p "$LIGHTHOUSE_HOME"
  [ -f "$LIGHTHOUSE_HOME/package.json" ] || echo '{"private": true}' >"$LIGHTHOUSE_HOME/package.json"
  npm install --prefix "$LIGHTHOUSE_HOME" --no-audit --no-fund --loglevel=error "lighthouse@$LIGHTHOUSE_VERSION" >&2
fi

curl -fsS -o /dev/null "$BASE_URL/healthz" || { echo "No Meridian site answers at $BASE_URL (start it: make run)." >&2; exit 1; }

if [ $# -eq 0 ]; then
  # A profile: the first result of a search for New York (seed_demo places dozens there).
  profile=$(curl -fsS "$BASE_URL/practitioners/?location=10001" | grep -oE 'href="/practitioners/[a-z0-9-]+/[?"]' | head -1 | cut -d'"' -f2 | tr -d '?')
  [ -n "$profile" ] || { echo "No listing found near 10001: seed the demo data (make run does)." >&2; exit 1; }
  set -- / "/practitioners/?location=10001" "$profile" /accounts/login/
fi

mkdir -p "$OUT_DIR"
preset=()
[ "$FORM_FACTOR" = desktop ] && preset=(--preset=desktop)
echo "| page | performance | accessibility | best practices | SEO |"
echo "| --- | ---: | ---: | ---: | ---: |"
for path in "$@"; do
  name=$(echo "$path" | tr -c 'a-zA-Z0-9\n' '_' | sed 's/^_*//; s/_*$//')
  report="$OUT_DIR/${name:-home}-$FORM_FACTOR.json"
  "$LIGHTHOUSE" "$BASE_URL$path" "${preset[@]}" --quiet --output=json --output-path="$report" \
    --only-categories=performance,accessibility,best-practices,seo \
    --chrome-flags="--headless=new --no-sandbox --disable-gpu" >&2
  node -e '
    const r = require(process.argv[1]);
    const s = (k) => Math.round(r.categories[k].score * 100);
    console.log(`| ${process.argv[2]} | ${s("performance")} | ${s("accessibility")} | ${s("best-practices")} | ${s("seo")} |`);
  ' "$(realpath "$report")" "$path"
done
