"""Each database constraint refuses a bad row, even when written past the services."""

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from annotations.models import Annotation, AnnotationRuling, Article, Review, Ruling

from .factories import ArticleFactory, RulingFactory

pytestmark = pytest.mark.django_db


def refused(create, constraint):
    with pytest.raises(IntegrityError) as info, transaction.atomic():
        create()
    assert constraint in str(info.value)


def span(article, author, **overrides):
    fields = dict(article=article, kind="claim", start=0, end=8, quote="Protests", author=author)
    fields.update(overrides)
    return Annotation.objects.create(**fields)


def test_it_accepts_a_good_span(article, alice):
    assert span(article, alice).pk


@pytest.mark.parametrize(
    "overrides, constraint",
    [
        ({"start": -1}, "annotation_start_not_negative"),
        ({"start": 5, "end": 5}, "annotation_start_before_end"),
        ({"start": 6, "end": 5}, "annotation_start_before_end"),
        ({"kind": "rumour"}, "annotation_kind_valid"),
        ({"state": "lost"}, "annotation_state_valid"),
        ({"quote": ""}, "annotation_quote_not_empty"),
    ],
)
def test_it_refuses_a_bad_span(article, alice, overrides, constraint):
    refused(lambda: span(article, alice, **overrides), constraint)


def test_it_refuses_a_duplicate_span(article, alice, bob):
    span(article, alice)
    refused(lambda: span(article, bob), "annotation_unique_span")


def test_an_orphan_does_not_block_its_old_offsets(article, alice):
    span(article, alice, state="orphaned")
    assert span(article, alice).pk


def test_the_same_offsets_with_another_kind_are_allowed(article, alice):
    span(article, alice)
    assert span(article, alice, kind="evidence").pk


def test_it_refuses_duplicate_article_slugs(article):
    refused(lambda: ArticleFactory(slug=article.slug), "article_slug_key")


def test_it_refuses_an_empty_body(db):
    refused(lambda: ArticleFactory(body=""), "article_body_not_empty")


def test_it_refuses_duplicate_ruling_slugs(alice):
    RulingFactory(slug="same", author=alice)
    refused(lambda: RulingFactory(slug="same", author=alice), "ruling_slug_key")


@pytest.mark.parametrize(
    "overrides, constraint",
    [
        ({"rating": "pants-on-fire"}, "ruling_rating_valid"),
        ({"status": "approved"}, "ruling_status_valid"),
        ({"statement": ""}, "ruling_statement_not_empty"),
        ({"status": "published"}, "ruling_public_has_published_at"),
        (
            {"status": "retracted", "published_at": timezone.now()},
            "ruling_retraction_has_reason",
        ),
    ],
)
def test_it_refuses_a_bad_ruling(alice, overrides, constraint):
    refused(lambda: RulingFactory(author=alice, **overrides), constraint)


def test_a_ruling_cannot_supersede_itself(alice):
    ruling = RulingFactory(author=alice)
    ruling.supersedes_id = ruling.pk
    refused(lambda: ruling.save(), "ruling_does_not_supersede_itself")


def test_a_ruling_is_superseded_at_most_once(alice):
    old = RulingFactory(author=alice)
    RulingFactory(author=alice, supersedes=old)
    refused(lambda: RulingFactory(author=alice, supersedes=old), "supersedes_id_key")


def test_it_refuses_a_bad_review_decision(alice, erin):
    ruling = RulingFactory(author=alice)
    refused(
        lambda: Review.objects.create(
            ruling=ruling, reviewer=erin, decision="maybe", ruling_version=1
        ),
        "review_decision_valid",
    )


def test_requesting_changes_needs_a_comment(alice, erin):
    ruling = RulingFactory(author=alice)
    refused(
        lambda: Review.objects.create(
            ruling=ruling, reviewer=erin, decision="request_changes", ruling_version=1
        ),
        "review_request_changes_has_comment",
    )


def test_a_span_links_to_a_ruling_once(article, alice):
    annotation = span(article, alice)
    ruling = RulingFactory(author=alice)
    AnnotationRuling.objects.create(annotation=annotation, ruling=ruling)
    refused(
        lambda: AnnotationRuling.objects.create(annotation=annotation, ruling=ruling), "link_unique"
    )


def test_articles_with_spans_cannot_be_deleted(article, alice):
    span(article, alice)
    with pytest.raises(Exception, match="protected"), transaction.atomic():
        Article.objects.filter(pk=article.pk).delete()
    assert Ruling.objects.count() == 0 and Article.objects.filter(pk=article.pk).exists()
