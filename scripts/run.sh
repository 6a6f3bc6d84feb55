#!/usr/bin/env bash
# `make run`: the site on http://127.0.0.1:8000 with a grading worker, the demo course
# and the demo accounts. Redis is used when one answers on 127.0.0.1:6379; otherwise
# kombu's SQLAlchemy transport on SQLite, which needs no server.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
mkdir -p var

if [ -z "${CELERY_BROKER_URL:-}" ]; then
  if $PY -c "import redis,sys; redis.Redis(host='127.0.0.1', port=6379, socket_connect_timeout=0.5).ping()" 2>/dev/null; then
    export CELERY_BROKER_URL="redis://127.0.0.1:6379/0"
  else
    export CELERY_BROKER_URL="sqla+sqlite:///$PWD/var/broker.sqlite3"
  fi
fi
echo "broker: ${CELERY_BROKER_URL}"

$PY manage.py migrate --noinput -v 0
$PY manage.py loadcourse
$PY manage.py demoaccounts

$PY -m celery -A autograd_course worker -B --concurrency 2 --loglevel INFO \
  --schedule var/celerybeat-schedule > var/worker.log 2>&1 &
worker=$!
trap 'kill $worker 2>/dev/null; wait $worker 2>/dev/null' EXIT INT TERM
echo "worker pid $worker (log: var/worker.log)"
echo "site: http://127.0.0.1:${PORT:-8000}/  (log in as student, instructor or admin)"
$PY manage.py runserver "127.0.0.1:${PORT:-8000}" --noreload
