"""manage.py generate_data: tiny runs of the benchmark data generator (it loads with COPY and
bypasses the services, so its rows are checked here against the rules the services keep)."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count, F, Q

from annotations import anchoring
from annotations.models import (
    PUBLIC_STATUSES,
    AnchorState,
    Annotation,
    AnnotationRuling,
    Article,
    Decision,
    Kind,
    Review,
    Ruling,
    Status,
)


def generate(**options):
    out = StringIO()
    call_command(
        "generate_data",
        articles=options.pop("articles", 6),
        spans_per_article=options.pop("spans_per_article", 30),
        rulings=options.pop("rulings", 24),
        stdout=out,
        **options,
    )
    return out.getvalue()


@pytest.mark.django_db
def test_it_makes_rows_that_pass_check_annotations():
    generate(big_article=200)
    assert Article.objects.count() == 7
    assert Annotation.objects.filter(article__slug="synthetic-s1-0").count() == 200
    call_command("check_annotations", stdout=StringIO())


@pytest.mark.django_db
def test_spans_quote_the_body_with_the_services_context():
    generate()
    bodies = dict(Article.objects.values_list("id", "body"))
    for span in Annotation.objects.filter(state=AnchorState.ANCHORED):
        body = bodies[span.article_id]
        assert span.quote == body[span.start : span.end]
        assert span.quote.strip()
        assert (span.prefix, span.suffix) == anchoring.context(body, span.start, span.end)
    for body in bodies.values():
        assert anchoring.normalize_body(body) == body


@pytest.mark.django_db
def test_it_covers_every_state_kind_and_unicode_shape():
    generate()
    assert set(Ruling.objects.values_list("status", flat=True)) == set(Status.values)
    assert set(Annotation.objects.values_list("kind", flat=True)) == set(Kind.values)
    assert Annotation.objects.filter(state=AnchorState.ORPHANED).exists()
    text = "".join(Article.objects.values_list("body", flat=True))
    assert any(ord(c) > 0xFFFF for c in text)  # astral: UTF-16 offsets differ
    assert "\u0301" in text  # a combining mark NFC keeps
    assert any("\u0400" <= c <= "\u04ff" for c in text)  # Cyrillic, Kazakh letters
    # Rulings shared across articles.
    spread = Ruling.objects.annotate(n=Count("annotations__article", distinct=True))
    assert spread.filter(n__gt=1).exists()


@pytest.mark.django_db
def test_rulings_obey_the_workflow():
    generate()
    for ruling in Ruling.objects.all():
        if ruling.status in PUBLIC_STATUSES:
            assert ruling.published_at is not None
            approvals = ruling.reviews.filter(
                decision=Decision.APPROVE, ruling_version=ruling.version
            )
            assert approvals.exclude(reviewer_id=ruling.author_id).exists()
        if ruling.status == Status.RETRACTED:
            assert ruling.retraction_reason
        if ruling.status != Status.DRAFT:
            assert ruling.annotations.filter(kind=Kind.CLAIM).exists()
    assert not Review.objects.filter(reviewer_id=F("ruling__author_id")).exists()
    assert not Review.objects.filter(decision=Decision.REQUEST_CHANGES, comment="").exists()
    superseded = Ruling.objects.filter(supersedes__isnull=False)
    assert not superseded.filter(~Q(supersedes__status=Status.RETRACTED)).exists()


@pytest.mark.django_db
def test_new_rows_after_it_get_fresh_ids():
    generate(articles=2, spans_per_article=5, rulings=4)
    article = Article.objects.create(slug="after", body="Text after.", body_sha256="x")
    assert article.pk > Article.objects.exclude(pk=article.pk).order_by("-pk")[0].pk
    assert AnnotationRuling.objects.exists()


@pytest.mark.django_db
def test_same_seed_twice_is_refused():
    generate(articles=1, spans_per_article=3, rulings=1)
    with pytest.raises(CommandError, match="pick another --seed"):
        generate(articles=1, spans_per_article=3, rulings=1)
    generate(articles=1, spans_per_article=3, rulings=1, seed=2)
