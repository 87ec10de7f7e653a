from io import StringIO

import pytest
from django.core.management import CommandError, call_command


def run(*args):
    out = StringIO()
    call_command("api_token", *args, stdout=out)
    return out.getvalue().strip()


def test_it_creates_a_token_that_authenticates_and_prints_the_same_one_again(api, alice, world):
    key = run("alice")
    assert len(key) == 40
    assert run("alice") == key
    client = api()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    # A draft is visible to the desk only: this proves the token authenticated alice.
    assert client.get("/api/v1/rulings/draft-ruling/").status_code == 200


def test_rotate_and_revoke_stop_the_old_key_at_once(api, alice, world):
    from rest_framework.test import APIClient

    old = run("alice")
    new = run("alice", "--rotate")
    assert new != old
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {old}")
    assert client.get("/api/v1/rulings/").status_code == 401
    assert "revoked 1" in run("alice", "--revoke")
    client.credentials(HTTP_AUTHORIZATION=f"Token {new}")
    assert client.get("/api/v1/rulings/").status_code == 401


@pytest.mark.django_db
def test_it_refuses_an_unknown_user():
    with pytest.raises(CommandError, match="nobody"):
        run("nobody")
