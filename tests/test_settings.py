"""A bad setting stops start-up with a message naming it; production settings pass --deploy."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GOOD = {
    "DATABASE_URL": "postgresql://factcheck@localhost/factcheck",
    "SECRET_KEY": "x" * 60,
    "DEBUG": "0",
}


def start(**env):
    """Imports the settings in a fresh interpreter, as start-up does."""
    full = {k: v for k, v in os.environ.items() if k not in GOOD and not k.startswith("FACTCHECK_")}
    full.update(GOOD)
    full.update(env)
    full = {k: v for k, v in full.items() if v is not None}
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env={**full, "DJANGO_SETTINGS_MODULE": "factcheck.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_good_settings_start():
    result = start()
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    "env, named",
    [
        ({"DEBUG": "maybe"}, "DEBUG"),
        ({"FACTCHECK_REQUIRED_APPROVALS": "two"}, "FACTCHECK_REQUIRED_APPROVALS"),
        ({"FACTCHECK_REQUIRED_APPROVALS": "0"}, "FACTCHECK_REQUIRED_APPROVALS"),
        ({"FACTCHECK_ORG_URL": "not a url"}, "FACTCHECK_ORG_URL"),
        ({"FACTCHECK_ORG_NAME": "  "}, "FACTCHECK_ORG_NAME"),
        ({"SECURE_HSTS_SECONDS": "-5"}, "SECURE_HSTS_SECONDS"),
        ({"DATABASE_URL": "mysql://u@h/db"}, "DATABASE_URL"),
        ({"DATABASE_URL": "nonsense"}, "DATABASE_URL"),
        ({"DATABASE_URL": None}, "DATABASE_URL"),
        ({"SECRET_KEY": None}, "SECRET_KEY"),
        ({"LOG_LEVEL": "LOUD"}, "LOG_LEVEL"),
    ],
)
def test_a_bad_value_stops_start_up_naming_it(env, named):
    result = start(**env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert named in result.stderr.strip().splitlines()[-1]


def test_production_settings_pass_check_deploy():
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SECURE_", "DEBUG"))}
    env.update(
        DEBUG="0",
        SECRET_KEY="a-long-random-production-key-" + "k7Qz" * 10,
        ALLOWED_HOSTS="factcheck.example.org",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
