#!/usr/bin/env bash
# `make run`: the web server, one task worker and the scheduler, as in production; Ctrl+C
# (or SIGTERM) stops all three. Usage: scripts/run-dev.sh PYTHON HOST:PORT
set -euo pipefail
PY=$1
ADDR=$2
pids=()
stop() {
  trap - INT TERM EXIT
  # SIGTERM: the worker finishes the task it is running, then exits.
  kill -TERM "${pids[@]}" 2>/dev/null || true
  wait "${pids[@]}" 2>/dev/null || true
}
trap stop INT TERM EXIT
"$PY" manage.py db_worker --no-reload &
pids+=($!)
"$PY" manage.py run_scheduler &
pids+=($!)
"$PY" manage.py runserver "$ADDR" &
pids+=($!)
# Whichever stops first (or Ctrl+C) stops the others.
wait -n
