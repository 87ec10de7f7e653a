#!/usr/bin/env bash
# `make test`: lint, migrations check and the whole suite against a throwaway PostgreSQL
# (or DATABASE_URL when set). Extra arguments go to pytest: scripts/test.sh -k anchoring
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/bootstrap.sh >/dev/null
# axe-core for the accessibility checks the browser tests run in the page, exactly as
# package-lock.json pins it (from the npm registry). Without npm those tests are skipped, or
# fail with CI set.
if command -v npm >/dev/null 2>&1 && [ ! -f node_modules/.package-lock.json -o package-lock.json -nt node_modules/.package-lock.json ]; then
    npm ci --no-audit --no-fund --silent >&2
fi
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
