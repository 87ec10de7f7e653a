"""OPTIONS and HEAD on every endpoint, as every persona (issue 22).

OPTIONS answers 200 for everyone with `Allow` naming exactly the methods the document lists
(plus OPTIONS, and HEAD beside GET), and describes the body of the POST the user may send: its
fields are those of the input serializer the document names. HEAD answers what GET would,
without a body.
A browser's CORS preflight is an OPTIONS request too (tests/api/test_cors.py).
"""

import json

import pytest

from ..factories import UserFactory
from ..helpers import body_of

API = "/api/v1/"
PERSONAS = ("anon", "reader", "annotator", "editor", "admin")

# Every path of the API with the objects of the world it is asked about, and the methods it
# answers (the document's, checked against it below). `{unknown}` paths name nothing.
ENDPOINTS = [
    ("articles/", {"GET", "POST"}),
    ("articles/{article}/", {"GET", "PATCH"}),
    ("articles/{unknown}/", {"GET", "PATCH"}),
    ("articles/{article}/annotations/", {"GET"}),
    ("annotations/", {"GET", "POST"}),
    ("annotations/{public_span}/", {"GET", "PATCH", "DELETE"}),
    ("annotations/{draft_span}/", {"GET", "PATCH", "DELETE"}),
    ("rulings/", {"GET", "POST"}),
    ("rulings/{published}/", {"GET", "PATCH", "DELETE"}),
    ("rulings/{draft}/", {"GET", "PATCH", "DELETE"}),
    ("rulings/{unknown}/", {"GET", "PATCH", "DELETE"}),
    ("rulings/{draft}/submit/", {"POST"}),
    ("rulings/{in_review}/reviews/", {"GET", "POST"}),
    ("rulings/{published}/reviews/", {"GET", "POST"}),
    ("rulings/{published}/retract/", {"POST"}),
    ("rulings/{published}/claimreview/", {"GET"}),
    ("rulings/{draft}/claimreview/", {"GET"}),
    ("claimreview/feed/", {"GET"}),
    ("claims/search/?q=terrorists", {"GET"}),
    ("articles/{article}/suggestions/", {"GET"}),
    ("articles/{article}/suggestions/dismiss/", {"POST"}),
    ("schema/", {"GET"}),
    ("docs/", {"GET"}),
]

# The body each POST reads, by the documented path: what OPTIONS must describe.
POST_FIELDS = {
    "articles/": {
        "slug", "title", "publisher", "author", "published_on", "url", "language", "body",
    },
    "annotations/": {
        "article", "kind", "start", "end", "quote", "prefix", "suffix", "near", "note", "speaker",
        "rulings",
    },
    "rulings/": {
        "slug", "claim", "claimant", "statement", "rating", "summary", "sources", "supersedes",
        "annotations",
    },
    "rulings/{slug}/submit/": set(),
    "rulings/{slug}/reviews/": {"decision", "comment", "ruling_version"},
    "rulings/{slug}/retract/": {"reason"},
    "articles/{slug}/suggestions/dismiss/": {"ruling", "start", "end"},
}  # fmt: skip

# GETs whose answer HEAD must repeat, as each persona sees them.
READS = [path for path, methods in ENDPOINTS if "GET" in methods]


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def clients(api, world, alice, erin, root):
    reader = UserFactory(username="reader", is_staff=False)  # a token, no desk group
    users = {"reader": reader, "annotator": alice, "editor": erin, "admin": root}
    return {"anon": api(), **{name: api(user) for name, user in users.items()}}


@pytest.fixture
def names(world):
    return {
        "article": world.article.slug,
        "unknown": "no-such-thing",
        "public_span": world.published_claim.pk,
        "draft_span": world.draft_claim.pk,
        "published": world.published.slug,
        "draft": world.draft.slug,
        "in_review": world.in_review.slug,
    }


def documented(path):
    """The document's name for a concrete path: `rulings/x/submit/` -> `rulings/{slug}/submit/`."""
    parts = path.split("?")[0].split("/")
    if len(parts) > 2 and parts[1].startswith("{"):
        parts[1] = "{id}" if parts[0] == "annotations" else "{slug}"
    return "/".join(parts)


def test_the_table_covers_every_documented_path_with_its_methods(api, db):
    document = json.loads(api().get(API + "schema/", {"format": "json"}).content)
    paths = {
        path.removeprefix(API): {m.upper() for m in item if m != "parameters"}
        for path, item in document["paths"].items()
    }
    table = {documented(path): methods for path, methods in ENDPOINTS}
    assert {p: m for p, m in table.items() if p not in ("schema/", "docs/")} == paths


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("path", "methods"), ENDPOINTS, ids=[e[0] for e in ENDPOINTS])
def test_options_answers_200_with_the_allowed_methods(clients, names, persona, path, methods):
    response = clients[persona].options(API + path.format(**names))
    assert response.status_code == 200, response.content[:300]
    allowed = {m.strip() for m in response["Allow"].split(",")}
    assert allowed == methods | {"OPTIONS"} | ({"HEAD"} if "GET" in methods else set())
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["name"] and "application/json" in body["parses"]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("path", sorted(POST_FIELDS))
def test_options_describes_the_post_body_only_to_those_who_may_send_it(
    clients, names, persona, path
):
    concrete = path.replace("{slug}", names["published"])
    body = clients[persona].options(API + concrete).json()
    # DRF asks the permission classes first: the desk may POST here (an annotator's article or
    # retraction is refused later, by the service, with its reason).
    if persona in ("anon", "reader"):
        assert "actions" not in body, body
    else:
        assert set(body["actions"]["POST"]) == POST_FIELDS[path], persona


def test_options_names_the_choices_and_bounds_of_the_fields(clients, names):
    body = clients["editor"].options(API + "annotations/").json()
    fields = body["actions"]["POST"]
    assert [c["value"] for c in fields["kind"]["choices"]] == ["claim", "evidence", "disputed"]
    assert fields["article"]["required"] is True and fields["quote"]["required"] is False
    assert fields["note"]["max_length"] == 20_000


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("path", READS)
def test_head_answers_what_get_would_without_a_body(clients, names, persona, path):
    client = clients[persona]
    url = API + path.format(**names)
    get, head = client.get(url), client.head(url)
    assert head.status_code == get.status_code, body_of(head)[:300]
    assert body_of(head) == b""
    assert head["Content-Type"] == get["Content-Type"]
    assert head.get("ETag") == get.get("ETag")


def test_head_of_a_desk_only_read_is_refused_as_its_get(clients, names):
    url = API + f"rulings/{names['draft']}/reviews/"
    assert clients["anon"].head(url).status_code == 401
    assert clients["reader"].head(url).status_code == 403
    assert clients["annotator"].head(url).status_code == 200
