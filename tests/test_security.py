"""Security settings and defences: deploy checks, throttling, CSRF on session writes, login
lockout. (Token revocation: test_api_token_command.py; what anonymous clients can reach:
test_api_permissions.py.)"""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

ROOT = Path(__file__).resolve().parent.parent


def test_production_settings_pass_check_deploy_with_no_warnings():
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("SECURE_", "SESSION_", "CSRF_"))
    }
    env.update(
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="factcheck.example.org",
        DJANGO_SETTINGS_MODULE="factcheck.settings",
    )
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_anonymous_clients_are_throttled_with_429(api, world, settings):
    settings.THROTTLE_ANON = "3/min"
    client = api()
    statuses = [client.get("/api/v1/rulings/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert "Retry-After" in client.get("/api/v1/rulings/")


def test_authenticated_clients_are_throttled_per_user(api, alice, bob, world, settings):
    settings.THROTTLE_USER = "2/min"
    statuses = [api(alice).get("/api/v1/rulings/").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    # Another user's allowance is their own.
    assert api(bob).get("/api/v1/rulings/").status_code == 200


def test_session_writes_without_a_csrf_token_are_refused(alice, world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    body = {"statement": "Via the session", "rating": "true"}
    refused = client.post("/api/v1/rulings/", body, content_type="application/json")
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]
    client.get("/admin/")  # sets the csrftoken cookie, as the admin's pages do
    token = client.cookies["csrftoken"].value
    allowed = client.post(
        "/api/v1/rulings/", body, content_type="application/json", HTTP_X_CSRFTOKEN=token
    )
    assert allowed.status_code == 201, allowed.content


@pytest.mark.django_db
def test_login_failures_lock_the_account_out_from_that_address(alice, settings):
    settings.AXES_FAILURE_LIMIT = 3
    client = Client()
    for _ in range(3):
        response = client.post(
            "/admin/login/?next=/admin/", {"username": "alice", "password": "wrong"}
        )
        assert response.status_code in (200, 429)
    locked = client.post(
        "/admin/login/?next=/admin/",
        {"username": "alice", "password": "correct horse battery staple"},
    )
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session
    # Someone else is not locked out by alice's attacker.
    other = Client().post("/admin/login/?next=/admin/", {"username": "bob", "password": "whatever"})
    assert other.status_code == 200
