#!/usr/bin/env bash
# Starts the web server and a Celery worker with embedded beat; Ctrl-C stops all of them.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
PORT="${PORT:-8000}"
HOST="${HOST:-127.0.0.1}"

$PY -m celery -A hse_portal worker --beat --loglevel=INFO --concurrency=2 \
    --schedule=var/celerybeat-schedule >var/celery.log 2>&1 &
CELERY_PID=$!
trap 'kill $CELERY_PID 2>/dev/null || true' EXIT INT TERM

cat <<MSG

  HSE Portal is starting on http://$HOST:$PORT/
  Demo logins (password: ${DEMO_PASSWORD:-hse-demo-2026}):
    specialist / specialist2  HSE specialists      head        HSE head
    manager / manager2        line managers        executive   top executive
    passoffice                pass-office admin    admin       system admin
  Celery worker + beat log: var/celery.log     API docs: http://$HOST:$PORT/api/docs/

MSG
$PY manage.py runserver "$HOST:$PORT"
