#!/usr/bin/env bash
# `make test`: lint, migrations check and the whole suite against a throwaway PostgreSQL
# (or DATABASE_URL when set). Extra arguments go to pytest: scripts/test.sh -k anchoring
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/bootstrap.sh >/dev/null
if [ -z "${DATABASE_URL:-}" ]; then
    pgdir=$(mktemp -d "${TMPDIR:-/tmp}/factcheck-test-pg.XXXXXX")
    trap 'scripts/pg.sh stop "$pgdir"; rm -rf "$pgdir"' EXIT
    # fsync off: a throwaway cluster need not survive a power cut, and tests run faster.
    DATABASE_URL=$(PG_FSYNC=off scripts/pg.sh start "$pgdir")
fi
export DATABASE_URL
# Production-like settings, with HTTPS redirects off because the test client speaks plain HTTP.
# The hosts: Django's test client, and the live server the browser tests open.
export DEBUG=0 SECRET_KEY=${SECRET_KEY:-test-only-secret-key} SECURE_SSL_REDIRECT=0
export ALLOWED_HOSTS=${ALLOWED_HOSTS:-testserver,127.0.0.1,localhost}

echo "test: ruff"
.venv/bin/ruff check .
.venv/bin/ruff format --check --quiet .
echo "test: migrations are up to date"
.venv/bin/python manage.py makemigrations --check --dry-run >/dev/null
echo "test: pytest"
.venv/bin/pytest "$@"
