"""While PostgreSQL is unavailable the service answers 503 with Retry-After, never a 500. The
real outage (PostgreSQL stopped under load, then restarted) is exercised by `make load`; here
the database error is raised where a query would fail, to pin the answer's shape."""

import pytest
from django.db import OperationalError
from django.test import Client

from annotations import selectors


@pytest.fixture
def outage(monkeypatch):
    def down(*args, **kwargs):
        raise OperationalError("connection to server failed: Connection refused")

    monkeypatch.setattr(selectors, "ruling_rows", down)
    monkeypatch.setattr(selectors, "public_ruling", down)


def test_the_api_answers_503_json_with_retry_after(db, outage):
    response = Client(raise_request_exception=False).get("/api/v1/rulings/")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response.json() == {"detail": "The database is unavailable; try again shortly."}


def test_pages_answer_503_text(db, outage):
    response = Client(raise_request_exception=False).get("/rulings/any/")
    assert response.status_code == 503
    assert b"database is unavailable" in response.content


def test_other_errors_stay_500(db, monkeypatch):
    monkeypatch.setattr(selectors, "ruling_rows", lambda user: 1 / 0)
    response = Client(raise_request_exception=False).get("/api/v1/rulings/")
    assert response.status_code == 500
    assert response.json() == {"detail": "Internal server error."}
