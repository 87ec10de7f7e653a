"""The Atom feed of public rulings (parsed with feedparser) and the ClaimReview DataFeed at
/api/v1/claimreview/feed/ (issue 19): its items equal each ruling's own ClaimReview."""

import datetime
import json

import feedparser
import pytest

from annotations import services
from annotations.models import Status

from ..helpers import API, CLAIMED, HOSTILE_SCRIPT, drive, reload

pytestmark = pytest.mark.django_db


@pytest.fixture
def superseded(world, alice, frank, erin):
    """The world's retracted ruling, superseded by a new published one."""
    successor = services.ruling_create(
        **CLAIMED,
        author=erin,
        slug="successor-ruling",
        statement="Statement of successor-ruling",
        rating="false",
        annotations=[world.retracted_claim],
        supersedes=world.retracted,
    )
    return drive(successor, Status.PUBLISHED, approvers=[frank, alice])


def test_atom_feed_lists_public_rulings(client, world, superseded):
    response = client.get("/feeds/rulings.atom")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.bozo_exception
    assert feed.version == "atom10"
    titles = [entry.title for entry in feed.entries]
    assert titles == [
        "Statement of successor-ruling (False)",
        "Superseded: Statement of retracted-ruling (Mixed)",
        "Statement of published-ruling (Unsupported: no credible evidence)",
    ]
    links = [entry.link for entry in feed.entries]
    assert links[1] == "http://testserver/rulings/retracted-ruling/"
    assert feed.entries[2].summary == "Summary of published-ruling."
    assert "draft" not in response.content.decode()


def test_atom_feed_escapes_hostile_summaries(client, make_ruling, alice):
    ruling = make_ruling(Status.PUBLISHED)
    ruling.summary = HOSTILE_SCRIPT
    ruling.save()
    feed = feedparser.parse(client.get("/feeds/rulings.atom").content)
    assert not feed.bozo
    # Summaries are HTML: the markup arrives as text, not as a script element.
    (entry,) = feed.entries
    assert entry.summary == "&lt;script&gt;alert(1)&lt;/script&gt;"


def test_public_pages_link_the_feeds(client, world):
    for path in ("/", "/rulings/published-ruling/", "/articles/zhanaozen/"):
        page = client.get(path).content.decode()
        assert 'rel="alternate" type="application/atom+xml"' in page, path
        assert client.get("/feeds/rulings.atom").status_code == 200


# --- The ClaimReview DataFeed --------------------------------------------------------------------


def feed_of(api, **params):
    response = api().get(f"{API}claimreview/feed/", params)
    assert response.status_code == 200, response.content
    assert response.streaming
    return json.loads(b"".join(response.streaming_content))


def test_datafeed_items_equal_each_claimreview(api, world, superseded):
    feed = feed_of(api)
    assert feed["@context"] == "https://schema.org"
    assert feed["@type"] == "DataFeed"
    elements = feed["dataFeedElement"]
    rulings = sorted(
        (reload(r) for r in (world.published, world.retracted, superseded)),
        key=lambda r: (r.updated_at, r.pk),
    )
    assert len(elements) == 3
    for element, ruling in zip(elements, rulings, strict=True):
        assert set(element) == {"@type", "dateModified", "item"}
        assert element["@type"] == "DataFeedItem"
        assert datetime.datetime.fromisoformat(element["dateModified"]) == ruling.updated_at
        own = api().get(f"{API}rulings/{ruling.slug}/claimreview/").json()
        assert element["item"] == [own]


def test_datafeed_since_pulls_changes_only(api, world):
    published = reload(world.published)
    retracted = reload(world.retracted)
    later = max(published.updated_at, retracted.updated_at)
    feed = feed_of(api, since=later.isoformat())
    urls = [e["item"][0]["url"] for e in feed["dataFeedElement"]]
    newest = max((published, retracted), key=lambda r: r.updated_at)
    assert urls == [f"http://testserver/rulings/{newest.slug}/"]
    future = (later + datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%S")
    assert feed_of(api, since=future)["dataFeedElement"] == []


@pytest.mark.parametrize(
    "since", ["yesterday", "2026-13-01T00:00:00", "1", "", "9999-12-31T23:59:59-23:59"]
)
def test_datafeed_refuses_a_bad_since(api, db, since):
    response = api().get(f"{API}claimreview/feed/", {"since": since})
    assert response.status_code == 400
    assert "since" in response.json()


def test_datafeed_queries_stay_constant(api, make_ruling, django_assert_max_num_queries):
    for i in range(12):
        make_ruling(Status.PUBLISHED, statement=f"Ruling {i}")
    with django_assert_max_num_queries(3):
        feed = feed_of(api)
    assert len(feed["dataFeedElement"]) == 12


def test_datafeed_is_in_the_openapi_document(api, db):
    schema = api().get(f"{API}schema/", HTTP_ACCEPT="application/json").json()
    operation = schema["paths"]["/api/v1/claimreview/feed/"]["get"]
    assert {p["name"] for p in operation["parameters"]} == {"since"}
    assert "400" in operation["responses"]


def test_datafeed_since_with_an_offset_postgresql_does_not_take_is_read_in_utc(api, world):
    # Found by schemathesis against make run: PostgreSQL refuses offsets past ±15:59, and the
    # refusal came after the streamed response had begun (broken JSON under a 200).
    feed = feed_of(api, since="2026-02-28T06:16:40-21:58")
    assert feed["@type"] == "DataFeed"
    assert feed_of(api, since="9148-02-29T06:16:40-21:58")["dataFeedElement"] == []
