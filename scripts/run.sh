#!/usr/bin/env bash
# `make run`: install, start the project-local PostgreSQL (unless DATABASE_URL is set), migrate,
# import seeds/ and fixtures/, create the demo accounts, start the task worker (webhooks) and
# serve on 127.0.0.1:${PORT:-8000}.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/bootstrap.sh >/dev/null
if [ -z "${DATABASE_URL:-}" ]; then
    DATABASE_URL=$(scripts/pg.sh start .pgdata)
    echo "run: PostgreSQL in .pgdata/ (socket only; stop it with: scripts/pg.sh stop .pgdata)"
fi
export DATABASE_URL
export DEBUG=${DEBUG:-1}
manage() { .venv/bin/python manage.py "$@"; }

manage migrate --no-input -v 0
manage import_articles seeds/
# Before the fixtures: their [[users]] reuse these accounts, and create_demo_users only touches
# accounts it made itself.
manage create_demo_users --credentials-file .local/demo-accounts.txt
manage load_annotations fixtures/
# The task worker (webhook deliveries) beside the web server, stopped with it.
.venv/bin/python manage.py procrastinate worker &
worker=$!
trap 'kill "$worker" 2>/dev/null; wait "$worker" 2>/dev/null' EXIT INT TERM
echo "run: task worker started (pid $worker)"
echo "run: serving on http://127.0.0.1:${PORT:-8000}/admin/"
.venv/bin/python manage.py runserver "127.0.0.1:${PORT:-8000}"
