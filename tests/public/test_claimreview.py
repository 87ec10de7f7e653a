"""Issue 15: the one ClaimReview of a ruling, as Google's and Data Commons' readers read it, on
the public page and at rulings/{slug}/claimreview/; every new field escaped on the page."""

import datetime
import json
import re
from html import escape

import pytest

from annotations import services
from annotations.models import Status

from ..factories import ArticleFactory

pytestmark = pytest.mark.django_db

HOSTILE = '</script><script>alert("x")</script><img src=x onerror=alert(1)>&'
CLAIM = "The protesters were terrorists trained abroad"


@pytest.fixture
def three_outlets(alice, erin):
    """A published ruling whose claim appears in three articles (one of them twice)."""
    dates = [datetime.date(2022, 1, 9), datetime.date(2022, 1, 6), None]
    articles = [
        ArticleFactory(
            slug=f"outlet-{n}",
            title=f"Outlet {n} report",
            publisher=f"Outlet {n}",
            published_on=day,
            url=f"https://outlet-{n}.example/story" if n != 2 else "",
            body="Tokayev said terrorists trained abroad attacked. Terrorists trained abroad!",
        )
        for n, day in enumerate(dates)
    ]
    spans = [
        services.span_create(
            article=a, kind="claim", author=alice, quote="terrorists trained abroad"
        )
        for a in articles
    ]
    spans.append(
        services.span_create(
            article=articles[0], kind="claim", author=alice, quote="Terrorists trained abroad"
        )
    )
    ruling = services.ruling_create(
        author=alice,
        slug="trained-abroad",
        claim=CLAIM,
        claimant_name="Kassym-Jomart Tokayev",
        claimant_kind="person",
        claimant_url="https://akorda.example/",
        statement="No credible evidence of external aggression",
        rating="unsupported",
        summary="Rests only on these texts.",
        sources=[
            {"url": "https://csto.example/charter", "title": "CSTO Charter", "publisher": "CSTO"},
            {"url": "https://un.example/letter", "title": "Letter to the UN", "note": "Art. 4"},
        ],
        annotations=spans,
    )
    services.ruling_advance(ruling=ruling, status=Status.PUBLISHED, reviewer=erin)
    return ruling


def embedded(html):
    scripts = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert len(scripts) == 1
    return json.loads(scripts[0])


def test_the_page_embeds_exactly_the_one_claimreview_the_api_answers(client, api, three_outlets):
    page = embedded(client.get("/rulings/trained-abroad/").content.decode())
    assert page == api().get("/api/v1/rulings/trained-abroad/claimreview/").json()
    assert page["@type"] == "ClaimReview"
    assert page["claimReviewed"] == CLAIM
    assert page["name"] == page["headline"] == "No credible evidence of external aggression"
    assert page["reviewRating"] == {
        "@type": "Rating",
        "alternateName": "Unsupported: no credible evidence",
    }
    item = page["itemReviewed"]
    assert item["author"] == {
        "@type": "Person",
        "name": "Kassym-Jomart Tokayev",
        "url": "https://akorda.example/",
    }
    # One appearance per article, however many claim spans it carries.
    urls = [a["url"] for a in item["appearance"]]
    assert len(urls) == 3 and len(set(urls)) == 3
    assert "https://outlet-0.example/story" in urls
    assert any(u.endswith("/api/v1/articles/outlet-2/") for u in urls)  # no url of its own
    assert item["firstAppearance"]["url"] == "https://outlet-1.example/story"  # 6 January
    assert item["firstAppearance"]["datePublished"] == "2022-01-06"
    assert page["citation"] == [
        {
            "@type": "CreativeWork",
            "url": "https://csto.example/charter",
            "name": "CSTO Charter",
            "publisher": {"@type": "Organization", "name": "CSTO"},
        },
        {
            "@type": "CreativeWork",
            "url": "https://un.example/letter",
            "name": "Letter to the UN",
            "description": "Art. 4",
        },
    ]


def test_an_unknown_claimant_is_left_out_rather_than_typed(client, three_outlets, erin, alice):
    ruling = services.ruling_create(
        author=alice, claim="Someone said so", claimant_name="unknown", statement="Unclear",
        rating="unverifiable", annotations=list(three_outlets.annotations.all()[:1]),
    )  # fmt: skip
    services.ruling_advance(ruling=ruling, status=Status.PUBLISHED, reviewer=erin)
    page = embedded(client.get(f"/rulings/{ruling.slug}/").content.decode())
    assert "author" not in page["itemReviewed"]


def test_the_page_shows_the_claim_claimant_sources_and_methodology_escaped(
    client, alice, erin, settings
):
    settings.FACTCHECK_METHODOLOGY = "We check. " + HOSTILE
    article = ArticleFactory(slug="hostile")
    span = services.span_create(article=article, kind="claim", author=alice, quote="Protests")
    ruling = services.ruling_create(
        author=alice, slug="hostile-ruling", claim=HOSTILE[:200], claimant_name=HOSTILE,
        claimant_kind="organization", claimant_url="",
        statement="Headline", rating="false", annotations=[span],
        sources=[{"url": "https://x.example/?q=<b>", "title": HOSTILE, "publisher": HOSTILE,
                  "note": HOSTILE}],
    )  # fmt: skip
    services.ruling_advance(ruling=ruling, status=Status.PUBLISHED, reviewer=erin)
    html = client.get("/rulings/hostile-ruling/").content.decode()
    assert "<img src=x" not in html
    assert html.count("<script") == 1  # only the JSON-LD block
    assert escape(HOSTILE) in html  # claimant, source title, publisher, note, methodology
    assert html.count(escape(HOSTILE)) >= 5
    assert 'id="methodology"' in html and "We check." in html
    assert 'id="sources"' in html
    assert embedded(html)["itemReviewed"]["author"]["@type"] == "Organization"


def test_the_api_reads_and_writes_the_new_fields_naming_bad_ones(api, alice, article):
    client = api(alice)
    span = client.post(
        "/api/v1/annotations/",
        {"article": article.slug, "kind": "claim", "quote": "Officials blamed",
         "speaker": "Kassym-Jomart Tokayev"},
        format="json",
    ).json()  # fmt: skip
    assert span["speaker"] == "Kassym-Jomart Tokayev"
    w3c = client.get(f"/api/v1/articles/{article.slug}/annotations/?format=jsonld").json()
    assert w3c["items"][0]["body"][0]["creator"] == {"name": "Kassym-Jomart Tokayev"}

    bad = [
        ({"claimant": {"name": "X", "url": "javascript:alert(1)"}}, "claimant"),
        ({"claimant": {"name": "X", "kind": "robot"}}, "claimant"),
        ({"claim": "x" * 201}, "claim"),
        ({"sources": [{"url": "javascript:alert(1)"}]}, "sources"),
        ({"sources": [{"title": "no url"}]}, "sources"),
    ]
    for body, field in bad:
        response = client.post(
            "/api/v1/rulings/", {"statement": "S", "rating": "false", **body}, format="json"
        )
        assert response.status_code == 400, body
        assert field in response.json(), response.json()

    long_claim = "A claim that runs on well past what a ClaimReview reader shows in one line"
    created = client.post(
        "/api/v1/rulings/",
        {"statement": "Headline", "rating": "false", "claim": long_claim + " of text",
         "claimant": {"name": "Someone", "kind": "person"}, "annotations": [span["id"]],
         "sources": [{"url": "https://a.example/", "accessed": "2022-01-10"}]},
        format="json",
    )  # fmt: skip
    assert created.status_code == 201, created.content
    data = created.json()
    assert data["claimant"] == {"name": "Someone", "kind": "person", "url": ""}
    assert data["sources"][0]["accessed"] == "2022-01-10"
    assert "75" in data["warnings"]["claim"]
    listed = client.get("/api/v1/rulings/", {"claimant": "someone"}).json()["results"]
    assert [r["slug"] for r in listed] == [data["slug"]]
    found = client.get("/api/v1/rulings/", {"search": "well past"}).json()["results"]
    assert [r["slug"] for r in found] == [data["slug"]]
    etag = created["ETag"]
    patched = client.patch(
        f"/api/v1/rulings/{data['slug']}/",
        {"claimant": {"name": "Someone else"}},
        format="json",
        HTTP_IF_MATCH=etag,
    )
    assert patched.status_code == 200, patched.content
    assert patched.json()["claimant"] == {"name": "Someone else", "kind": "person", "url": ""}
