"""What the benchmark scripts share: the project's commands, a throwaway PostgreSQL cluster, the
service's environment and gunicorn on a free loopback port. Standard library only, so that
load.py (which imports nothing else) still runs under any python3."""

# The commands run are this project's own (manage.py, pg.sh, gunicorn) and system tools.
# ruff: noqa: S603

from __future__ import annotations

import http.client
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The project's environment (scripts/bootstrap.sh), whichever interpreter started the script.
BIN = ROOT / ".venv" / "bin"
PYTHON = str(BIN / "python")
PG_SH = str(ROOT / "scripts" / "pg.sh")


def run(*args, env=None, **kwargs):
    # From the project root, where manage.py and scripts/ are; a failed step ends the benchmark.
    return subprocess.run(args, cwd=ROOT, env=env, check=True, text=True, **kwargs)


def manage(*args, env, **kwargs):
    return run(PYTHON, "manage.py", *args, env=env, **kwargs)


def django_env(database_url, **overrides):
    """The production settings (DEBUG off) over plain HTTP on loopback, without the throttles,
    which would refuse a benchmark's traffic."""
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "DEBUG": "0",
        "SECRET_KEY": os.environ.get("SECRET_KEY", "benchmark-only-secret-key"),
        "SECURE_SSL_REDIRECT": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "THROTTLE_ANON": "off",
        "THROTTLE_USER": "off",
        **overrides,
    }


def pg_start(pgdir, *, fsync=True):
    """Starts the cluster in pgdir, creating it the first time; returns its DATABASE_URL."""
    env = None if fsync else {**os.environ, "PG_FSYNC": "off"}
    return run(PG_SH, "start", str(pgdir), env=env, capture_output=True).stdout.strip()


def pg_stop(pgdir):
    # Unchecked, as it also runs on the way out of a failed run: pg.sh stop fails only when
    # PostgreSQL's programs are missing, and then pg_start has failed first.
    subprocess.run([PG_SH, "stop", str(pgdir)], cwd=ROOT, check=False)


@contextmanager
def cluster(pgdir=None, *, fsync=True):
    """A running cluster as (folder, DATABASE_URL): in pgdir, which is kept for a later run, or
    in a temporary folder that is removed afterwards."""
    folder = Path(pgdir or tempfile.mkdtemp(prefix="factcheck-bench-pg."))
    try:
        yield folder, pg_start(folder, fsync=fsync)
    finally:
        pg_stop(folder)
        if not pgdir:
            shutil.rmtree(folder, ignore_errors=True)


def free_port():
    # Closed again before gunicorn binds it: another process could take it in between, a race
    # a benchmark on loopback can afford.
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def gunicorn(env, *, workers, options=()):
    """gunicorn serving factcheck.wsgi on 127.0.0.1 as (process, port), once /healthz answers
    200 (so its database is reachable too); stopped afterwards."""
    port = free_port()
    process = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "factcheck.wsgi",
            f"--bind=127.0.0.1:{port}",
            f"--workers={workers}",
            "--log-level=warning",
            *options,
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        deadline = time.monotonic() + 30
        while not healthy(port):
            if time.monotonic() > deadline:
                # Named as the script names itself ("load: ...").
                raise SystemExit(f"{Path(sys.argv[0]).stem}: gunicorn did not start")
            time.sleep(0.2)
        yield process, port
    finally:
        process.terminate()
        process.wait(timeout=30)


def healthy(port):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
    try:
        conn.request("GET", "/healthz")
        return conn.getresponse().status == 200
    except OSError:
        return False
    finally:
        conn.close()
