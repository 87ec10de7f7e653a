"""Each database constraint refuses a bad row, even when written past the services."""

from pathlib import Path

import pytest
from django.apps import apps
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from annotations.models import (
    Annotation,
    AnnotationRuling,
    Article,
    DismissedSuggestion,
    Review,
    Ruling,
    WebhookDelivery,
    WebhookEndpoint,
)

from ..factories import ArticleFactory, RulingFactory

pytestmark = pytest.mark.django_db


def refused(create, constraint):
    with pytest.raises(IntegrityError) as info, transaction.atomic():
        create()
    assert constraint in str(info.value)


def span(article, author, **overrides):
    fields = dict(article=article, kind="claim", start=0, end=8, quote="Protests", author=author)
    fields.update(overrides)
    return Annotation.objects.create(**fields)


def review(ruling, reviewer, **overrides):
    fields = dict(ruling=ruling, reviewer=reviewer, decision="approve", ruling_version=1)
    fields.update(overrides)
    return Review.objects.create(**fields)


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
        ({"version": -1}, "annotations_annotation_version_check"),
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


@pytest.mark.parametrize(
    "start, end, constraint",
    [
        (-2, 5, "annotations_annotation_start_check"),
        (-2, -1, "annotations_annotation_end_check"),
    ],
)
def test_the_offset_columns_refuse_negatives_on_their_own(article, alice, start, end, constraint):
    # PostgreSQL tries CHECK constraints in name order, so the named rules refuse these rows
    # first; dropped (the test's transaction restores them), the columns' own checks still do.
    with connection.cursor() as cursor:
        cursor.execute(
            "ALTER TABLE annotations_annotation"
            " DROP CONSTRAINT annotation_start_not_negative,"
            " DROP CONSTRAINT annotation_start_before_end"
        )
    refused(lambda: span(article, alice, start=start, end=end), constraint)


def test_it_refuses_duplicate_article_slugs(article):
    refused(lambda: ArticleFactory(slug=article.slug), "annotations_article_slug_key")


@pytest.mark.parametrize(
    "overrides, constraint",
    [
        ({"body": ""}, "article_body_not_empty"),
        ({"slug": ""}, "article_slug_not_empty"),
        ({"version": -1}, "annotations_article_version_check"),
    ],
)
def test_it_refuses_a_bad_article(db, overrides, constraint):
    refused(lambda: ArticleFactory(**overrides), constraint)


def test_it_refuses_duplicate_ruling_slugs(alice):
    RulingFactory(slug="same", author=alice)
    refused(lambda: RulingFactory(slug="same", author=alice), "annotations_ruling_slug_key")


@pytest.mark.parametrize(
    "overrides, constraint",
    [
        ({"rating": "pants-on-fire"}, "ruling_rating_valid"),
        ({"status": "approved"}, "ruling_status_valid"),
        ({"claimant_kind": "robot"}, "ruling_claimant_kind_valid"),
        ({"slug": ""}, "ruling_slug_not_empty"),
        ({"statement": ""}, "ruling_statement_not_empty"),
        ({"version": -1}, "annotations_ruling_version_check"),
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
    refused(
        lambda: RulingFactory(author=alice, supersedes=old),
        "annotations_ruling_supersedes_id_key",
    )


def test_it_accepts_a_good_review(alice, erin):
    assert review(RulingFactory(author=alice), erin).pk


@pytest.mark.parametrize(
    "overrides, constraint",
    [
        ({"decision": "maybe"}, "review_decision_valid"),
        ({"decision": "request_changes"}, "review_request_changes_has_comment"),
        ({"ruling_version": -1}, "annotations_review_ruling_version_check"),
    ],
)
def test_it_refuses_a_bad_review(alice, erin, overrides, constraint):
    ruling = RulingFactory(author=alice)
    refused(lambda: review(ruling, erin, **overrides), constraint)


def test_a_span_links_to_a_ruling_once(article, alice):
    linked = span(article, alice)
    ruling = RulingFactory(author=alice)
    AnnotationRuling.objects.create(annotation=linked, ruling=ruling)
    refused(
        lambda: AnnotationRuling.objects.create(annotation=linked, ruling=ruling), "link_unique"
    )


def test_articles_with_spans_cannot_be_deleted(article, alice):
    span(article, alice)
    with pytest.raises(Exception, match="protected"), transaction.atomic():
        Article.objects.filter(pk=article.pk).delete()
    assert Ruling.objects.count() == 0 and Article.objects.filter(pk=article.pk).exists()


@pytest.mark.parametrize(
    ("overrides", "constraint"),
    [
        ({"start": -1}, "annotations_dismissedsuggestion_start_check"),
        ({"start": 0, "end": -1}, "annotations_dismissedsuggestion_end_check"),
        ({"start": 8, "end": 8}, "dismissal_start_before_end"),
    ],
)
def test_it_refuses_a_bad_dismissal(article, alice, overrides, constraint):
    ruling = RulingFactory(author=alice)
    fields = dict(
        article=article, ruling=ruling, start=0, end=8, quote_sha256="0" * 64, dismissed_by=alice
    )
    refused(lambda: DismissedSuggestion.objects.create(**{**fields, **overrides}), constraint)


def test_a_passage_is_dismissed_once_per_ruling(article, alice):
    ruling = RulingFactory(author=alice)
    fields = dict(
        article=article, ruling=ruling, start=0, end=8, quote_sha256="0" * 64, dismissed_by=alice
    )
    DismissedSuggestion.objects.create(**fields)
    refused(lambda: DismissedSuggestion.objects.create(**fields), "dismissal_unique")


def test_every_constraint_in_the_database_is_tried_here(db):
    """Each CHECK and UNIQUE constraint of the app's tables is named by a test in this file."""
    source = Path(__file__).read_text()
    untried = []
    with connection.cursor() as cursor:
        for model in apps.get_app_config("annotations").get_models():
            if model.__name__.startswith("Historical"):
                continue  # history copies every row as it was; it holds no rules of its own
            table = model._meta.db_table
            for name, info in connection.introspection.get_constraints(cursor, table).items():
                rule = (info["check"] or info["unique"]) and not info["primary_key"]
                if rule and f'"{name}"' not in source:
                    untried.append(f"{table}.{name}")
    assert untried == [], "\n".join(untried)


def endpoint(user, **overrides):
    fields = dict(url="https://93.184.215.14/hook", events=["ruling.published"], created_by=user)
    return WebhookEndpoint.objects.create(**{**fields, **overrides})


@pytest.mark.parametrize(
    ("overrides", "constraint"),
    [
        ({"secret": ""}, "webhook_secret_not_empty"),
        ({"events": []}, "webhook_events_not_empty"),
        ({"events": ["ruling.published", "ruling.deleted"]}, "webhook_events_valid"),
    ],
)
def test_it_refuses_a_bad_webhook_endpoint(alice, overrides, constraint):
    refused(lambda: endpoint(alice, **overrides), constraint)


@pytest.mark.parametrize(
    ("overrides", "constraint"),
    [
        ({"attempts": -1}, "annotations_webhookdelivery_attempts_check"),
        ({"last_status_code": -1}, "annotations_webhookdelivery_last_status_code_check"),
        ({"last_response_ms": -1}, "annotations_webhookdelivery_last_response_ms_check"),
        ({"event": "ruling.deleted"}, "webhook_delivery_event_valid"),
        ({"status": "lost"}, "webhook_delivery_status_valid"),
        ({"status": "delivered"}, "webhook_delivered_has_time"),
    ],
)
def test_it_refuses_a_bad_webhook_delivery(alice, overrides, constraint):
    fields = dict(endpoint=endpoint(alice), event="ruling.published", body="{}")
    refused(lambda: WebhookDelivery.objects.create(**{**fields, **overrides}), constraint)


def test_it_accepts_a_good_delivery(alice):
    delivered = WebhookDelivery.objects.create(
        endpoint=endpoint(alice),
        event="ruling.published",
        body="{}",
        status="delivered",
        delivered_at=timezone.now(),
    )
    assert delivered.pk
