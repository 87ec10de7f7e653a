"""The public page of a ruling, /rulings/<slug>/ (SPEC.md: published and retracted rulings only).

Pages are parsed with the standard library's HTMLParser, which ends a <script> element where a
browser does: a JSON-LD block that user text could break out of would fail to parse here too.
"""

import datetime
import json
import re
from html import escape
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from annotations import services
from annotations.anchoring import snippet
from annotations.models import Decision, Status

from .. import helpers
from ..factories import ArticleFactory
from ..helpers import (
    CLAIM,
    CLAIMED,
    DISPUTED,
    EVIDENCE,
    HOSTILE_IMG,
    HOSTILE_SCRIPT,
    HOSTILE_SCRIPT_END,
    drive,
    section,
)

pytestmark = pytest.mark.django_db

BODY = f"{helpers.BODY} Talks resumed."

HOSTILE = [HOSTILE_SCRIPT, HOSTILE_IMG, HOSTILE_SCRIPT_END]


class Page(HTMLParser):
    """Start tags, and the text of each <script> element, as a browser would split them."""

    def __init__(self, html):
        super().__init__(convert_charrefs=True)
        self.tags = []
        self.scripts = []
        self._script = None
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "script":
            self._script = (dict(attrs), [])

    def handle_data(self, data):
        if self._script is not None:
            self._script[1].append(data)

    def handle_endtag(self, tag):
        if tag == "script" and self._script is not None:
            attrs, parts = self._script
            self.scripts.append((attrs, "".join(parts)))
            self._script = None


def json_ld(response):
    page = Page(response.content.decode())
    assert len(page.scripts) == 1, page.scripts
    attrs, text = page.scripts[0]
    assert attrs == {"type": "application/ld+json"}
    return json.loads(text)


def in_context(span):
    """How the page shows a span: its context either side, cut to whole words (what
    anchoring.snippet does is tested in tests/anchoring/test_snippet.py), and the quote
    highlighted."""
    after_span = len(span.article.body) - span.end
    before, after = snippet(
        span.prefix,
        span.suffix,
        at_start=span.start <= len(span.prefix),
        at_end=after_span <= len(span.suffix),
    )
    return (
        f"{escape(before, quote=False)}"
        f'<mark class="{span.kind}">{escape(span.quote, quote=False)}</mark>'
        f"{escape(after, quote=False)}"
    )


def url_of(ruling):
    return f"/rulings/{ruling.slug}/"


@pytest.fixture
def fuel(db):
    return ArticleFactory(
        slug="fuel-protests",
        title="Fuel protests spread",
        publisher="Example Times",
        published_on=datetime.date(2024, 3, 5),
        body=BODY,
    )


@pytest.fixture
def make_ruling_with_spans(fuel, alice, erin):
    """A ruling by alice linking spans of `articles` (default: fuel), driven to `status`.

    Each article gets a claim, and unless `claims_only`, an evidence and a disputed span.
    erin approves it on the way to published and retracts it.
    """

    def make(
        status=Status.PUBLISHED,
        *,
        statement="No evidence of training abroad",
        rating="unsupported",
        summary="The officials named no camp and no country.\nNo agency confirmed it.",
        articles=None,
        claim=CLAIM,
        claims_only=False,
    ):
        # The claim as checked is the claim span's own words here.
        ruling = services.ruling_create(
            **{**CLAIMED, "claim": claim},
            author=alice,
            statement=statement,
            rating=rating,
            summary=summary,
        )
        for article in articles or [fuel]:
            quotes = [("claim", claim)]
            if not claims_only:
                quotes += [("evidence", EVIDENCE), ("disputed", DISPUTED)]
            for kind, quote in quotes:
                services.span_create(
                    article=article, kind=kind, author=alice, quote=quote, rulings=[ruling]
                )
        return drive(ruling, status, approvers=[erin])

    return make


def spans_of(ruling):
    return {span.kind: span for span in ruling.annotations.all()}


# --- What the page shows -------------------------------------------------------------------------


def test_it_shows_a_published_ruling(client, make_ruling_with_spans):
    ruling = make_ruling_with_spans()
    response = client.get(url_of(ruling))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert "<h1>No evidence of training abroad</h1>" in html
    assert (
        '<span class="rating rating-unsupported">Unsupported: no credible evidence</span>' in html
    )
    # The summary keeps its line breaks, as paragraphs or breaks.
    assert "The officials named no camp and no country.<br>\nNo agency confirmed it." in html
    assert "retracted" not in html.lower()

    spans = spans_of(ruling)
    for kind, name in [("claim", "claims"), ("evidence", "evidence"), ("disputed", "disputed")]:
        part = section(html, name)
        assert spans[kind].prefix or spans[kind].suffix
        assert in_context(spans[kind]) in part
        assert "Fuel protests spread" in part
        assert "Example Times" in part
        assert '<time datetime="2024-03-05">5 March 2024</time>' in part
        # Only this kind's span is in this section.
        others = [s for k, s in spans.items() if k != kind]
        assert all(in_context(other) not in part for other in others)


def test_it_marks_context_that_is_an_excerpt_of_the_article(client, make_ruling_with_spans):
    ruling = make_ruling_with_spans(claims_only=True)
    claim = spans_of(ruling)["claim"]
    # The claim starts well past 32 characters in and its suffix runs to the end of the body.
    assert claim.start > len(claim.prefix)
    assert claim.end + len(claim.suffix) == len(BODY)
    html = client.get(url_of(ruling)).content.decode()
    assert f"&hellip;{in_context(claim)}</blockquote>" in html


def test_it_shows_a_retracted_ruling_with_its_reason(client, make_ruling_with_spans):
    ruling = make_ruling_with_spans(Status.RETRACTED)
    response = client.get(url_of(ruling))
    assert response.status_code == 200
    html = response.content.decode()
    notice = re.search(r'<div class="notice" role="note" id="retraction">.*?</div>', html, re.S)
    assert notice, "no retraction notice"
    assert "This ruling has been retracted." in notice.group(0)
    assert "Reason: New figures came out." in notice.group(0)
    # The verdict itself stays readable.
    assert "<h1>No evidence of training abroad</h1>" in html
    assert in_context(spans_of(ruling)["claim"]) in section(html, "claims")


def test_a_retracted_ruling_links_to_its_replacement_only_once_that_is_public(
    client, make_ruling_with_spans, erin, frank
):
    old = make_ruling_with_spans(Status.RETRACTED)
    new = services.ruling_create(
        **CLAIMED,
        author=erin,
        statement="Training abroad: figures revised",
        rating="mostly-false",
        supersedes=old,
    )
    services.ruling_update(ruling=new, user=erin, annotations=old.annotations.all())
    link = f'<a href="/rulings/{new.slug}/">'

    assert link not in client.get(url_of(old)).content.decode()

    services.ruling_submit(ruling=new, user=erin)
    services.review_create(ruling=new, reviewer=frank, decision=Decision.APPROVE)
    assert link in client.get(url_of(old)).content.decode()
    # And the new ruling points back at the one it replaces.
    new_html = client.get(url_of(new)).content.decode()
    assert f'<a href="/rulings/{old.slug}/">' in new_html


# --- Who sees what -------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["anonymous", "alice", "erin", "root"])
@pytest.mark.parametrize("status", [Status.DRAFT, Status.IN_REVIEW])
def test_it_is_404_for_unpublished_rulings_whoever_asks(
    client, make_ruling_with_spans, alice, erin, root, status, who
):
    ruling = make_ruling_with_spans(status)
    if who != "anonymous":
        client.force_login({"alice": alice, "erin": erin, "root": root}[who])
    response = client.get(url_of(ruling))
    assert response.status_code == 404
    assert ruling.statement not in response.content.decode()


@pytest.mark.parametrize("status", [Status.PUBLISHED, Status.RETRACTED])
def test_public_rulings_are_shown_to_anonymous_readers(client, make_ruling_with_spans, status):
    assert client.get(url_of(make_ruling_with_spans(status))).status_code == 200


def test_it_is_404_for_an_unknown_slug(client, make_ruling_with_spans):
    make_ruling_with_spans()
    assert client.get("/rulings/no-such-ruling/").status_code == 404


def test_it_only_answers_reads(client, make_ruling_with_spans):
    ruling = make_ruling_with_spans()
    assert client.post(url_of(ruling)).status_code == 405
    assert client.head(url_of(ruling)).status_code == 200


# --- Hostile text --------------------------------------------------------------------------------


def test_hostile_text_is_escaped_and_cannot_leave_the_json_ld_block(
    client, make_ruling_with_spans, alice
):
    hostile = " ".join(HOSTILE)
    article = ArticleFactory(
        title=f"Title {hostile}",
        publisher=f"Publisher {hostile}",
        body=f"Officials said {hostile} and then {BODY}",
    )
    ruling = make_ruling_with_spans(
        statement=f"Statement {hostile}",
        summary=f"Summary {hostile}",
        articles=[article],
        claim=hostile,
    )
    response = client.get(url_of(ruling))
    assert response.status_code == 200
    html = response.content.decode()

    for text in HOSTILE:
        assert text not in html
        assert escape(text, quote=False) in html
    # A browser sees one script element (ours) and no element the text tried to open.
    page = Page(html)
    assert [tag for tag, _ in page.tags if tag in ("script", "img")] == ["script"]
    assert not any(name.startswith("on") for _, attrs in page.tags for name in attrs), (
        "an event handler attribute made it into the page"
    )

    # The JSON-LD parses and carries the text unchanged.
    review = json_ld(response)
    assert review["claimReviewed"] == hostile
    assert review["name"] == f"Statement {hostile}"
    assert review["itemReviewed"]["appearance"][0]["headline"] == f"Title {hostile}"


def test_a_non_web_article_url_is_not_made_a_link(client, make_ruling_with_spans):
    # Imports write the url field without a form's validation.
    article = ArticleFactory(title="Odd link", url="javascript:alert(1)", body=BODY)
    html = client.get(url_of(make_ruling_with_spans(articles=[article]))).content.decode()
    assert "Odd link" in html
    assert [
        attrs for tag, attrs in Page(html).tags if tag == "a" and "javascript" in str(attrs)
    ] == []


# --- The embedded ClaimReview --------------------------------------------------------------------


def test_it_embeds_the_ruling_s_one_claim_review(client, make_ruling_with_spans, fuel):
    ruling = make_ruling_with_spans()
    response = client.get(url_of(ruling))
    review = json_ld(response)
    assert review["@context"] == "https://schema.org"
    assert review["@type"] == "ClaimReview"
    assert review["claimReviewed"] == CLAIM
    assert review["url"] == f"http://testserver/rulings/{ruling.slug}/"
    assert review["datePublished"] == ruling.published_at.date().isoformat()
    assert review["author"]["@type"] == "Organization"
    assert review["author"]["name"]
    rating = review["reviewRating"]
    assert rating["@type"] == "Rating"
    assert rating["alternateName"] == "Unsupported: no credible evidence"
    claim = review["itemReviewed"]
    assert claim["@type"] == "Claim"
    appearance = {
        "@type": "CreativeWork",
        # The article has no URL of its own: its public API address stands in.
        "url": f"http://testserver/api/v1/articles/{fuel.slug}/",
        "headline": "Fuel protests spread",
        "datePublished": "2024-03-05",
        "publisher": {"@type": "Organization", "name": "Example Times"},
    }
    assert claim["appearance"] == [appearance]
    assert claim["firstAppearance"] == appearance
    assert claim["author"] == {"@type": "Person", "name": CLAIMED["claimant_name"]}


def test_the_claim_review_urls_use_the_public_base_url(
    client, make_ruling_with_spans, fuel, settings
):
    settings.FACTCHECK_PUBLIC_BASE_URL = "https://facts.example.org"
    ruling = make_ruling_with_spans()
    response = client.get(url_of(ruling))
    review = json_ld(response)
    assert review["url"] == f"https://facts.example.org/rulings/{ruling.slug}/"
    assert review["itemReviewed"]["appearance"][0]["url"] == (
        f"https://facts.example.org/api/v1/articles/{fuel.slug}/"
    )
    assert f'<link rel="canonical" href="https://facts.example.org/rulings/{ruling.slug}/">' in (
        response.content.decode()
    )


def test_each_article_with_a_claim_span_is_one_appearance(client, make_ruling_with_spans, fuel):
    other = ArticleFactory(title="Second outlet", body=BODY)
    ruling = make_ruling_with_spans(articles=[fuel, other])
    review = json_ld(client.get(url_of(ruling)))
    assert sorted(a["headline"] for a in review["itemReviewed"]["appearance"]) == [
        "Fuel protests spread",
        "Second outlet",
    ]


@pytest.mark.parametrize(
    ("rating", "label", "value"),
    [
        ("false", "False", 1),
        ("true", "True", 5),
        ("unsupported", "Unsupported: no credible evidence", None),
    ],
)
def test_the_rating_value_is_there_only_for_rated_scales(
    client, make_ruling_with_spans, rating, label, value
):
    review = json_ld(client.get(url_of(make_ruling_with_spans(rating=rating))))
    expected = {"@type": "Rating", "alternateName": label}
    if value is not None:
        expected.update(ratingValue=value, bestRating=5, worstRating=1)
    assert review["reviewRating"] == expected


def test_a_retracted_ruling_keeps_its_claim_review_with_a_correction(
    client, make_ruling_with_spans
):
    review = json_ld(client.get(url_of(make_ruling_with_spans(Status.RETRACTED))))
    assert review["@type"] == "ClaimReview"
    assert "New figures came out." in review["correction"]["text"]


# --- Cost ----------------------------------------------------------------------------------------


def test_the_query_count_does_not_grow_with_the_number_of_spans(
    client, make_ruling_with_spans, django_assert_max_num_queries
):
    small = make_ruling_with_spans(claims_only=True)
    big = make_ruling_with_spans(
        statement="Another verdict", articles=[ArticleFactory(body=BODY) for _ in range(5)]
    )
    assert (small.annotations.count(), big.annotations.count()) == (1, 15)

    with CaptureQueriesContext(connection) as one_span:
        assert client.get(url_of(small)).status_code == 200
    # The ruling (with what it supersedes or is superseded by), then its spans with articles.
    with django_assert_max_num_queries(2), CaptureQueriesContext(connection) as fifteen_spans:
        response = client.get(url_of(big))
    assert response.status_code == 200
    assert len(json_ld(response)["itemReviewed"]["appearance"]) == 5
    assert len(fifteen_spans) == len(one_span)
