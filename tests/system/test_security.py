"""Security defences: throttling, CSRF on session writes, login lockout. (Deploy checks:
system/test_settings.py; token revocation: commands/test_api_token.py; what anonymous clients
can reach: api/test_permissions.py.)"""

import pytest
from django.test import Client

from ..factories import PASSWORD

LOGIN = "/admin/login/?next=/admin/"


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
    settings.AXES_USERNAME_FAILURE_LIMIT = 3
    client = Client()
    for _ in range(3):
        response = client.post(LOGIN, {"username": "alice", "password": "wrong"})
        assert response.status_code in (200, 429)
    locked = client.post(LOGIN, {"username": "alice", "password": PASSWORD})
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session
    # Someone else is not locked out by alice's attacker, even from the same address.
    other = Client().post(LOGIN, {"username": "bob", "password": "whatever"})
    assert other.status_code == 200


@pytest.mark.django_db
def test_one_address_trying_many_usernames_is_locked_out(alice, settings):
    settings.AXES_USERNAME_FAILURE_LIMIT = 3
    settings.AXES_IP_FAILURE_LIMIT = 6
    sprayer = Client(REMOTE_ADDR="203.0.113.7")
    statuses = [
        sprayer.post(LOGIN, {"username": f"user{n}", "password": "Summer2024!"}).status_code
        for n in range(6)
    ]
    assert statuses == [200] * 5 + [429]
    # Now no username may be tried from that address, not even with the right password.
    for username, password in [("alice", PASSWORD), ("new", "x")]:
        assert sprayer.post(LOGIN, {"username": username, "password": password}).status_code == 429
    # Other addresses are not affected.
    elsewhere = Client(REMOTE_ADDR="198.51.100.1")
    response = elsewhere.post(LOGIN, {"username": "alice", "password": PASSWORD})
    assert response.status_code == 302 and "_auth_user_id" in elsewhere.session


@pytest.mark.parametrize("path", ["/", "/admin/login/", "/feeds/rulings.atom", "/api/v1/rulings/"])
def test_every_page_carries_a_strict_content_security_policy(client, db, path):
    policy = client.get(path)["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";") if d.strip())
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'" and directives["object-src"] == "'none'"
    assert "unsafe" not in policy


def test_the_api_docs_allow_inline_styles_and_nothing_more(client, db):
    policy = client.get("/api/v1/docs/")["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";") if d.strip())
    assert directives["style-src"] == "'self' 'unsafe-inline'"
    assert directives["script-src"] == "'self'"
