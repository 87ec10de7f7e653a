"""Cross-origin requests (issue 22; annotations/api/cors.py).

A widget or browser extension on another site reads public data anonymously: `*`, never with
credentials. Writes come only from the service's own pages and CSRF_TRUSTED_ORIGINS; another
origin's write is refused, with a session cookie or a token, and changes nothing. Preflights
are answered before any view, session or database.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from annotations.models import Annotation, Ruling

API = "/api/v1/"
ELSEWHERE = "https://widget.example"
TRUSTED = "https://desk.example.org"
NEW_SPAN = {"article": "zhanaozen", "kind": "evidence", "quote": "Protests began"}


@pytest.fixture(autouse=True)
def trusted_origin(settings):
    settings.CSRF_TRUSTED_ORIGINS = [TRUSTED]


def session_client(user):
    """A browser signed in to the admin: session cookie and CSRF cookie, CSRF checks on."""
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(user)
    client.get("/admin/")  # sets the csrftoken cookie
    return client


@pytest.mark.parametrize(
    "path",
    [
        "articles/",
        "articles/{article}/",
        "articles/{article}/annotations/?format=jsonld",
        "annotations/",
        "rulings/",
        "rulings/{published}/",
        "rulings/{published}/claimreview/",
        "schema/?format=json",
    ],
)
def test_an_anonymous_cross_origin_read_may_be_read_by_the_page(api, world, path):
    url = API + path.format(article=world.article.slug, published=world.published.slug)
    response = api().get(url, headers={"Origin": ELSEWHERE})
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response
    assert "ETag" in response["Access-Control-Expose-Headers"]


def test_a_cross_origin_read_never_carries_credentials_or_private_data(world, erin):
    # The browser sends the editor's cookie along; `*` without Allow-Credentials means it then
    # hides the answer from the page, and the API itself answers the cookie's user as usual.
    client = session_client(erin)
    response = client.get(API + f"rulings/{world.draft.slug}/", headers={"Origin": ELSEWHERE})
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response


def test_a_preflight_from_anywhere_allows_reads_only_and_no_credentials(client, db):
    with CaptureQueriesContext(connection) as queries:
        response = client.options(
            API + "rulings/",
            headers={
                "Origin": ELSEWHERE,
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "authorization, content-type",
            },
        )
    assert response.status_code == 200
    assert queries.captured_queries == []
    assert response["Access-Control-Allow-Origin"] == "*"
    methods = {m.strip() for m in response["Access-Control-Allow-Methods"].split(",")}
    assert methods == {"GET", "HEAD", "OPTIONS"}
    assert response["Access-Control-Allow-Headers"] == "accept"
    assert "Access-Control-Allow-Credentials" not in response


def test_a_preflight_touches_no_database_even_with_a_token(client, db, django_assert_num_queries):
    headers = {
        "Origin": ELSEWHERE,
        "Access-Control-Request-Method": "GET",
        "Authorization": "Token not-looked-up",
    }
    with django_assert_num_queries(0):
        response = client.options(API + "annotations/1/", headers=headers)
    assert response.status_code == 200
    assert response.content == b""


def test_a_cross_origin_write_with_a_session_cookie_is_refused(world, erin):
    client = session_client(erin)
    token = client.cookies["csrftoken"].value
    before = Annotation.objects.count()
    # Even with the CSRF token (a page elsewhere cannot read it, but suppose it could).
    response = client.post(
        API + "annotations/",
        NEW_SPAN,
        format="json",
        headers={"Origin": ELSEWHERE, "X-CSRFToken": token},
    )
    assert response.status_code == 403
    assert ELSEWHERE in response.json()["detail"]
    assert Annotation.objects.count() == before


@pytest.mark.parametrize("method", ["post", "patch", "delete"])
def test_a_cross_origin_write_with_a_token_is_refused_too(api, world, erin, method):
    url = API + f"rulings/{world.draft.slug}/" + ("submit/" if method == "post" else "")
    before = Ruling.objects.get(pk=world.draft.pk)
    response = getattr(api(erin), method)(
        url, {"summary": "From elsewhere."}, format="json", headers={"Origin": ELSEWHERE}
    )
    assert response.status_code == 403
    after = Ruling.objects.get(pk=world.draft.pk)
    assert (after.status, after.summary, after.version) == (
        before.status,
        before.summary,
        before.version,
    )


def test_the_services_own_pages_write_with_their_session(world, erin):
    client = session_client(erin)
    response = client.post(
        API + "annotations/",
        NEW_SPAN,
        format="json",
        headers={"Origin": "http://testserver", "X-CSRFToken": client.cookies["csrftoken"].value},
    )
    assert response.status_code == 201, response.content


def test_a_trusted_origin_is_answered_with_credentials_and_every_method(client, db):
    with CaptureQueriesContext(connection) as queries:
        response = client.options(
            API + "annotations/",
            headers={"Origin": TRUSTED, "Access-Control-Request-Method": "PATCH"},
        )
    assert queries.captured_queries == []
    assert response["Access-Control-Allow-Origin"] == TRUSTED
    assert response["Access-Control-Allow-Credentials"] == "true"
    methods = {m.strip() for m in response["Access-Control-Allow-Methods"].split(",")}
    assert {"POST", "PATCH", "DELETE"} <= methods
    headers = {h.strip() for h in response["Access-Control-Allow-Headers"].split(",")}
    assert {"authorization", "content-type", "if-match", "x-csrftoken"} <= headers
    assert "origin" in response["Vary"].lower()


def test_a_trusted_origin_writes_with_its_session(world, erin):
    client = session_client(erin)
    response = client.post(
        API + "annotations/",
        NEW_SPAN,
        format="json",
        headers={"Origin": TRUSTED, "X-CSRFToken": client.cookies["csrftoken"].value},
    )
    assert response.status_code == 201, response.content
    assert response["Access-Control-Allow-Origin"] == TRUSTED
    assert response["Access-Control-Allow-Credentials"] == "true"


def test_a_wildcard_trusted_origin_covers_its_subdomains_only(settings, client, db):
    settings.CSRF_TRUSTED_ORIGINS = ["https://*.example.org"]
    preflight = {"Access-Control-Request-Method": "POST"}
    ok = client.options(API + "rulings/", headers={"Origin": TRUSTED, **preflight})
    assert ok["Access-Control-Allow-Origin"] == TRUSTED
    other = client.options(
        API + "rulings/", headers={"Origin": "https://example.org.evil.example", **preflight}
    )
    assert other["Access-Control-Allow-Origin"] == "*"
    assert "POST" not in other["Access-Control-Allow-Methods"]


def test_pages_outside_the_api_get_no_cors_headers(client, db):
    response = client.get("/healthz", headers={"Origin": ELSEWHERE})
    assert "Access-Control-Allow-Origin" not in response
