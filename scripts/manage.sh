#!/usr/bin/env bash
# `scripts/manage.sh COMMAND ...`: manage.py against the database `make run` uses (the
# project-local cluster in .pgdata/, started if needed, unless DATABASE_URL is set).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/bootstrap.sh >/dev/null
if [ -z "${DATABASE_URL:-}" ]; then
    DATABASE_URL=$(scripts/pg.sh start .pgdata)
fi
export DATABASE_URL
export DEBUG=${DEBUG:-1}
exec .venv/bin/python manage.py "$@"
