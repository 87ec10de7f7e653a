#!/usr/bin/env bash
# Installs the locked dependencies into .venv, fetching uv first if the machine has none.
set -euo pipefail
cd "$(dirname "$0")/.."

UV_VERSION=0.13.9
if command -v uv >/dev/null 2>&1; then
    uv=$(command -v uv)
else
    uv=$PWD/.tools/bin/uv
    if [ ! -x "$uv" ]; then
        echo "bootstrap: installing uv $UV_VERSION into .tools/" >&2
        python3 -m venv .tools
        .tools/bin/pip install --quiet --disable-pip-version-check "uv==$UV_VERSION"
    fi
fi
# --frozen: install exactly what uv.lock says; never re-resolve on a user's machine.
"$uv" sync --frozen --quiet >&2
echo "$uv"
