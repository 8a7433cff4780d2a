#!/usr/bin/env bash
# Tools the tests use from Debian: Chromium for the browser tests, wrk and GNU time for the benchmark's
# load test and seed measurements (tests/bench runs them on a tiny dataset). Installed when missing (needs root and apt), so no test
# skips in CI for want of a tool.
set -euo pipefail
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v wrk >/dev/null 2>&1 || missing+=(wrk)
[ -x /usr/bin/time ] || missing+=(time)
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian packages for the tests: ${missing[*]}…"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null \
    || { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null; }
  exit 0
fi
echo "error: missing ${missing[*]}; install with: sudo apt-get install -y ${missing[*]}" >&2
exit 1
