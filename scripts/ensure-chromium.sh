#!/usr/bin/env bash
# Browser tests drive Debian's Chromium; install it when missing (needs root and apt).
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian's chromium for the browser tests…"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null \
    || { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null; }
  exit 0
fi
echo "error: /usr/bin/chromium is missing; install it with: sudo apt-get install -y chromium" >&2
exit 1
