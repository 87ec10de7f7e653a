"""History (SPEC.md): every create, change and delete leaves a record naming who did it.

`recorded(Model)` collects the history rows a block of code adds, so each test states exactly
which rows appear (type and user, in order): the count grows by that many and no more.
"""

import re
from contextlib import contextmanager

import pytest

from annotations import services
from annotations.models import (
    Annotation,
    AnnotationRuling,
    Article,
    Decision,
    Review,
    Ruling,
    Status,
)

from ..helpers import BODY, CLAIM, CLAIMED, drive

pytestmark = pytest.mark.django_db


@contextmanager
def recorded(model, **filters):
    """Yields a list that, after the block, holds the history rows of `model` it added."""
    before = set(model.history.filter(**filters).values_list("history_id", flat=True))
    added = []
    yield added
    added.extend(
        model.history.filter(**filters).exclude(history_id__in=before).order_by("history_id")
    )


def who_did_what(rows):
    return [(row.history_type, row.history_user) for row in rows]


@pytest.fixture
def ruling(alice):
    return services.ruling_create(
        **CLAIMED, author=alice, statement="No evidence of training abroad", rating="unsupported"
    )


@pytest.fixture
def claim(article, alice, ruling):
    """Here (unlike conftest's `claim`) the claim span is linked to `ruling` as it is made."""
    return services.span_create(
        article=article, kind="claim", author=alice, quote=CLAIM, rulings=[ruling]
    )


# --- Articles ------------------------------------------------------------------------------------


def test_creating_an_article_records_the_editor(erin):
    with recorded(Article) as rows:
        article = services.article_create(user=erin, slug="fuel", body=BODY, title="Fuel")
    assert who_did_what(rows) == [("+", erin)]
    assert rows[0].id == article.pk
    assert rows[0].body == BODY


def test_editing_an_article_body_records_the_editor_and_keeps_the_old_body(article, claim, frank):
    new_body = "Officials blamed terrorists trained abroad. Protests began over fuel prices."
    with recorded(Article, id=article.pk) as rows, recorded(Annotation) as span_rows:
        services.article_update(article=article, body=new_body, user=frank)
    assert who_did_what(rows) == [("~", frank)]
    assert rows[0].body == new_body
    assert rows[0].history_change_reason.startswith("body edited")
    assert rows[0].prev_record.body == BODY
    # The span moved with its text: that is a change to it, made by the same editor.
    assert who_did_what(span_rows) == [("~", frank)]
    assert span_rows[0].id == claim.pk
    assert span_rows[0].history_change_reason.startswith("re-anchored")


def test_editing_article_metadata_records_the_editor(article, erin):
    with recorded(Article, id=article.pk) as rows:
        services.article_update(article=article, user=erin, publisher="Daily Example")
    assert who_did_what(rows) == [("~", erin)]
    assert rows[0].publisher == "Daily Example"


# --- Spans and their links -----------------------------------------------------------------------


def test_creating_a_linked_span_records_the_span_the_link_and_the_ruling_change(
    article, ruling, alice
):
    with (
        recorded(Annotation) as spans,
        recorded(AnnotationRuling) as links,
        recorded(Ruling, id=ruling.pk) as rulings,
    ):
        span = services.span_create(
            article=article, kind="claim", author=alice, quote=CLAIM, rulings=[ruling]
        )
    assert who_did_what(spans) == [("+", alice)]
    assert spans[0].id == span.pk and spans[0].quote == CLAIM
    assert who_did_what(links) == [("+", alice)]
    assert (links[0].annotation_id, links[0].ruling_id) == (span.pk, ruling.pk)
    # The ruling's evidence changed, so it has a new version.
    assert who_did_what(rulings) == [("~", alice)]
    assert rulings[0].version == ruling.version + 1


def test_updating_a_span_records_the_user(claim, erin):
    with recorded(Annotation, id=claim.pk) as rows:
        services.span_update(annotation=claim, user=erin, note="Repeated by two outlets.")
    assert who_did_what(rows) == [("~", erin)]
    assert rows[0].note == "Repeated by two outlets."


def test_relinking_a_span_records_each_link_change(claim, ruling, alice):
    other = services.ruling_create(
        **CLAIMED, author=alice, statement="Another verdict", rating="false"
    )
    with recorded(AnnotationRuling) as links, recorded(Annotation, id=claim.pk) as spans:
        services.span_update(annotation=claim, user=alice, rulings=[other])
    assert sorted((row.history_type, row.history_user, row.ruling_id) for row in links) == sorted(
        [("-", alice, ruling.pk), ("+", alice, other.pk)]
    )
    assert who_did_what(spans) == [("~", alice)]


def test_linking_through_the_ruling_records_the_user(article, ruling, claim, erin):
    evidence = services.span_create(
        article=article, kind="evidence", author=erin, quote="fuel prices"
    )
    with recorded(AnnotationRuling) as links, recorded(Ruling, id=ruling.pk) as rulings:
        services.ruling_update(ruling=ruling, user=erin, annotations=[evidence])
    assert sorted((row.history_type, row.annotation_id) for row in links) == sorted(
        [("-", claim.pk), ("+", evidence.pk)]
    )
    assert {row.history_user for row in links} == {erin}
    assert who_did_what(rulings) == [("~", erin)]


def test_deleting_a_span_records_the_span_its_links_and_the_ruling_change(claim, ruling, erin):
    with (
        recorded(Annotation, id=claim.pk) as spans,
        recorded(AnnotationRuling) as links,
        recorded(Ruling, id=ruling.pk) as rulings,
    ):
        services.span_delete(annotation=claim, user=erin)
    assert who_did_what(spans) == [("-", erin)]
    assert spans[0].quote == CLAIM
    assert who_did_what(links) == [("-", erin)]
    assert (links[0].annotation_id, links[0].ruling_id) == (claim.pk, ruling.pk)
    assert who_did_what(rulings) == [("~", erin)]


# --- Rulings and reviews -------------------------------------------------------------------------


def test_creating_a_ruling_records_the_author(alice):
    with recorded(Ruling) as rows:
        ruling = services.ruling_create(
            **CLAIMED, author=alice, statement="A verdict", rating="false"
        )
    assert who_did_what(rows) == [("+", alice)]
    assert (rows[0].id, rows[0].status, rows[0].version) == (ruling.pk, Status.DRAFT, 1)


def test_updating_a_ruling_records_the_user(ruling, erin):
    with recorded(Ruling, id=ruling.pk) as rows:
        services.ruling_update(ruling=ruling, user=erin, summary="Why.")
    assert who_did_what(rows) == [("~", erin)]
    assert (rows[0].summary, rows[0].version) == ("Why.", ruling.version + 1)


def test_an_update_that_changes_nothing_records_nothing(ruling, alice):
    with recorded(Ruling, id=ruling.pk) as rows:
        services.ruling_update(ruling=ruling, user=alice, statement=ruling.statement)
    assert rows == []


@pytest.mark.parametrize("who", ["alice", "erin"])
def test_submitting_records_the_user(ruling, claim, alice, erin, who):
    user = {"alice": alice, "erin": erin}[who]
    with recorded(Ruling, id=ruling.pk) as rows:
        services.ruling_submit(ruling=ruling, user=user)
    assert who_did_what(rows) == [("~", user)]
    assert rows[0].status == Status.IN_REVIEW
    assert rows[0].history_change_reason.startswith("submitted for review")


def test_a_publishing_approval_records_the_review_and_the_ruling_change(ruling, claim, alice, erin):
    ruling = drive(ruling, Status.IN_REVIEW)
    with recorded(Review) as reviews, recorded(Ruling, id=ruling.pk) as rulings:
        review = services.review_create(ruling=ruling, reviewer=erin, decision=Decision.APPROVE)
    assert who_did_what(reviews) == [("+", erin)]
    assert (reviews[0].id, reviews[0].decision, reviews[0].ruling_version) == (
        review.pk,
        Decision.APPROVE,
        ruling.version,
    )
    assert who_did_what(rulings) == [("~", erin)]
    assert rulings[0].status == Status.PUBLISHED
    assert rulings[0].published_at is not None
    assert rulings[0].history_change_reason == "published"


def test_an_approval_short_of_the_quorum_records_only_the_review(
    ruling, claim, alice, erin, settings
):
    settings.FACTCHECK_REQUIRED_APPROVALS = 2
    ruling = drive(ruling, Status.IN_REVIEW)
    with recorded(Review) as reviews, recorded(Ruling, id=ruling.pk) as rulings:
        services.review_create(ruling=ruling, reviewer=erin, decision=Decision.APPROVE)
    assert who_did_what(reviews) == [("+", erin)]
    assert rulings == []


def test_requesting_changes_records_the_review_and_the_return_to_draft(ruling, claim, alice, frank):
    ruling = drive(ruling, Status.IN_REVIEW)
    with recorded(Review) as reviews, recorded(Ruling, id=ruling.pk) as rulings:
        services.review_create(
            ruling=ruling, reviewer=frank, decision=Decision.REQUEST_CHANGES, comment="Source?"
        )
    assert who_did_what(reviews) == [("+", frank)]
    assert reviews[0].comment == "Source?"
    assert who_did_what(rulings) == [("~", frank)]
    assert rulings[0].status == Status.DRAFT


def test_retracting_records_the_editor_and_the_reason(ruling, claim, alice, erin, frank):
    ruling = drive(ruling, Status.IN_REVIEW)
    services.review_create(ruling=ruling, reviewer=erin, decision=Decision.APPROVE)
    with recorded(Ruling, id=ruling.pk) as rows:
        services.ruling_retract(ruling=ruling, user=frank, reason="The figures were revised.")
    assert who_did_what(rows) == [("~", frank)]
    assert (rows[0].status, rows[0].retraction_reason) == (
        Status.RETRACTED,
        "The figures were revised.",
    )
    assert rows[0].history_change_reason == "retracted"


def test_deleting_a_draft_records_the_ruling_and_its_links(ruling, claim, erin):
    with recorded(Ruling, id=ruling.pk) as rulings, recorded(AnnotationRuling) as links:
        services.ruling_delete(ruling=ruling, user=erin)
    assert who_did_what(rulings) == [("-", erin)]
    assert who_did_what(links) == [("-", erin)]
    assert links[0].annotation_id == claim.pk


def test_a_rulings_whole_life_is_in_its_history(ruling, claim, alice, erin, frank):
    ruling = drive(ruling, Status.IN_REVIEW)
    services.review_create(ruling=ruling, reviewer=erin, decision=Decision.APPROVE)
    services.ruling_retract(ruling=ruling, user=frank, reason="Revised figures.")
    rows = ruling.history.order_by("history_id")
    assert [(r.history_type, r.history_user, r.status) for r in rows] == [
        ("+", alice, Status.DRAFT),
        ("~", alice, Status.DRAFT),  # the claim span was linked
        ("~", alice, Status.IN_REVIEW),
        ("~", erin, Status.PUBLISHED),
        ("~", frank, Status.RETRACTED),
    ]


# --- The admin shows history ---------------------------------------------------------------------


def _history_table(response):
    """The change-history table of an admin history page (the header names the logged-in user)."""
    assert response.status_code == 200
    html = response.content.decode()
    match = re.search(r'<table id="change-history".*?</table>', html, re.DOTALL)
    assert match, "no history table on the page"
    return match.group(0)


def test_the_admin_shows_a_rulings_history(client, ruling, claim, alice, erin, frank):
    ruling = drive(ruling, Status.IN_REVIEW)
    services.review_create(ruling=ruling, reviewer=frank, decision=Decision.APPROVE)
    client.force_login(erin)
    table = _history_table(client.get(f"/admin/annotations/ruling/{ruling.pk}/history/"))
    assert "alice" in table
    assert "frank" in table
    assert "published" in table


def test_the_admin_shows_an_articles_history(client, erin, frank):
    article = services.article_create(user=frank, slug="fuel", body=BODY, title="Fuel")
    services.article_update(article=article, body=BODY + " Talks resumed.", user=frank)
    client.force_login(erin)
    table = _history_table(client.get(f"/admin/annotations/article/{article.pk}/history/"))
    assert "frank" in table
    assert "body edited" in table
    assert table.count("frank") >= 2
