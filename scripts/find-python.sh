#!/usr/bin/env bash
# Print the newest Python >= 3.12 on this machine (Django 6.1 needs it), or fail clearly.
# pyenv shims answer only for the selected version, so installed pyenv versions are tried directly too.
set -uo pipefail
candidates=(python3.14 python3.13 python3.12)
for root in "${PYENV_ROOT:-$HOME/.pyenv}" /root/.pyenv; do
  for dir in $(ls -d "$root"/versions/3.1[2-9]* 2>/dev/null | sort -rV); do
    candidates+=("$dir/bin/python3")
  done
done
candidates+=(python3)
for candidate in "${candidates[@]}"; do
  if command -v "$candidate" >/dev/null 2>&1 \
    && "$candidate" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1; then
    command -v "$candidate"
    exit 0
  fi
done
echo "error: Meridian needs Python 3.12 or newer (Django 6.1); none found on PATH or in pyenv." >&2
exit 1
