"""A bad setting stops start-up with a message naming it; production settings pass --deploy;
LOG_LEVEL holds for Django's own loggers too."""

import os
import secrets
import subprocess
import sys

import pytest

from ..helpers import ROOT

GOOD = {
    "DATABASE_URL": "postgresql://factcheck@localhost/factcheck",
    "SECRET_KEY": "x" * 60,
    "DEBUG": "0",
    "ALLOWED_HOSTS": "factcheck.example.org",
}


def start(code="", **env):
    """Imports the settings in a fresh interpreter, as start-up does, then runs `code`."""
    full = {k: v for k, v in os.environ.items() if k not in GOOD and not k.startswith("FACTCHECK_")}
    full.update(GOOD)
    full.update(env)
    full = {k: v for k, v in full.items() if v is not None}
    return subprocess.run(  # noqa: S603
        [sys.executable, "-c", f"import django; django.setup()\n{code}"],
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
        ({"FACTCHECK_REQUIRED_APPROVALS": ""}, "FACTCHECK_REQUIRED_APPROVALS"),
        ({"DB_CONN_MAX_AGE": " "}, "DB_CONN_MAX_AGE"),
        ({"ALLOWED_HOSTS": None}, "ALLOWED_HOSTS"),
        ({"ALLOWED_HOSTS": " , "}, "ALLOWED_HOSTS"),
        ({"AXES_IP_FAILURE_LIMIT": "3"}, "AXES_IP_FAILURE_LIMIT"),
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


def test_development_settings_need_no_allowed_hosts():
    result = start(DEBUG="1", ALLOWED_HOSTS=None, SECRET_KEY=None)
    assert result.returncode == 0, result.stderr


LOG = (
    "import logging\n"
    "logging.getLogger('django.request').warning('a-warning')\n"
    "logging.getLogger('django.request').error('an-error')\n"
    "logging.getLogger('annotations').warning('an-app-warning')\n"
)


@pytest.mark.parametrize("debug", ["0", "1"])
def test_log_level_holds_for_djangos_own_loggers(debug):
    result = start(LOG, LOG_LEVEL="ERROR", DEBUG=debug)
    assert result.returncode == 0, result.stderr
    assert "a-warning" not in result.stderr and "an-app-warning" not in result.stderr
    assert result.stderr.count("an-error") == 1  # once: not by Django's handler and ours


def test_warnings_are_logged_at_the_default_level():
    result = start(LOG, LOG_LEVEL=None)
    assert result.stderr.count("a-warning") == 1 and "an-app-warning" in result.stderr


def test_production_settings_pass_check_deploy_with_no_warnings():
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SECURE_", "SESSION_", "CSRF_", "DEBUG"))
    }
    env.update(
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="factcheck.example.org",
        DJANGO_SETTINGS_MODULE="factcheck.settings",
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
