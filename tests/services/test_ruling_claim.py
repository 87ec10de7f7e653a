"""Issue 15: a ruling names the claim as checked, the claimant and its sources; a span may name
its speaker. Validation names the field; history keeps every change; old rows survive."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from annotations import services
from annotations.errors import Conflict, InvalidInput
from annotations.models import Ruling, Status

pytestmark = pytest.mark.django_db

CLAIM = "The protesters were terrorists trained abroad"


@pytest.fixture
def claim_span(article, alice):
    return services.span_create(
        article=article, kind="claim", author=alice, quote="terrorists trained abroad"
    )


def draft(alice, claim_span, **content):
    return services.ruling_create(
        author=alice,
        statement="No evidence of training abroad",
        rating="unsupported",
        annotations=[claim_span],
        **content,
    )


def test_a_ruling_without_a_claim_or_claimant_cannot_be_submitted(alice, claim_span):
    ruling = draft(alice, claim_span)
    with pytest.raises(Conflict) as exc:
        services.ruling_submit(ruling=ruling, user=alice)
    assert exc.value.field == "claim"
    services.ruling_update(ruling=ruling, user=alice, claim=CLAIM)
    with pytest.raises(Conflict) as exc:
        services.ruling_submit(ruling=Ruling.objects.get(pk=ruling.pk), user=alice)
    assert exc.value.field == "claimant_name"
    services.ruling_update(ruling=ruling, user=alice, claimant_name="unknown")
    submitted = services.ruling_submit(ruling=Ruling.objects.get(pk=ruling.pk), user=alice)
    assert submitted.status == Status.IN_REVIEW


@pytest.mark.parametrize(
    ("content", "field", "words"),
    [
        ({"claimant_url": "javascript:alert(1)"}, "claimant_url", "http"),
        ({"claimant_url": "ftp://example.org/"}, "claimant_url", "http"),
        ({"claimant_kind": "robot"}, "claimant_kind", "person, organization, unknown"),
        ({"claim": "x" * 201}, "claim", "200"),
        ({"claimant_name": "x" * 201}, "claimant_name", "200"),
        ({"sources": [{"url": "javascript:alert(1)"}]}, "sources", "Source 1: url"),
        ({"sources": [{"title": "No url"}]}, "sources", "url is required"),
        ({"sources": [{"url": "https://a.example/", "accessed": "yesterday"}]}, "sources", "date"),
        ({"sources": [{"url": "https://a.example/", "colour": "red"}]}, "sources", "colour"),
        ({"sources": [{"url": "https://a.example/", "title": "t" * 501}]}, "sources", "500"),
        ({"sources": "https://a.example/"}, "sources", "list"),
    ],
)
def test_bad_claim_claimant_and_sources_are_refused_naming_the_field(
    alice, claim_span, content, field, words
):
    with pytest.raises(InvalidInput) as exc:
        draft(alice, claim_span, **content)
    assert exc.value.field == field
    assert words in exc.value.message
    assert not Ruling.objects.exists()
    ruling = draft(alice, claim_span, claim=CLAIM)
    with pytest.raises(InvalidInput) as exc:
        services.ruling_update(ruling=ruling, user=alice, **content)
    assert exc.value.field == field
    assert Ruling.objects.get(pk=ruling.pk).claim == CLAIM


def test_sources_are_kept_in_order_trimmed_and_with_iso_dates(alice, claim_span):
    import datetime

    ruling = draft(
        alice,
        claim_span,
        sources=[
            {"url": "https://b.example/", "title": " B ", "accessed": datetime.date(2022, 1, 10)},
            {"url": "http://a.example/", "note": "the letter"},
        ],
    )
    assert Ruling.objects.get(pk=ruling.pk).sources == [
        {"url": "https://b.example/", "title": "B", "publisher": "", "accessed": "2022-01-10",
         "note": ""},
        {"url": "http://a.example/", "title": "", "publisher": "", "accessed": "",
         "note": "the letter"},
    ]  # fmt: skip


def test_history_records_each_change_of_claim_claimant_and_sources(alice, claim_span):
    ruling = draft(alice, claim_span, claim=CLAIM)
    services.ruling_update(ruling=ruling, user=alice, claimant_name="Kassym-Jomart Tokayev")
    services.ruling_update(ruling=ruling, user=alice, claimant_kind="person")
    services.ruling_update(ruling=ruling, user=alice, sources=[{"url": "https://a.example/"}])
    rows = list(Ruling.history.filter(id=ruling.pk).order_by("history_id"))
    assert [
        (r.claim, r.claimant_name, r.claimant_kind, len(r.sources), r.version) for r in rows
    ] == [
        (CLAIM, "", "unknown", 0, 1),
        (CLAIM, "Kassym-Jomart Tokayev", "unknown", 0, 2),
        (CLAIM, "Kassym-Jomart Tokayev", "person", 0, 3),
        (CLAIM, "Kassym-Jomart Tokayev", "person", 1, 4),
    ]
    assert {r.history_user_id for r in rows} == {alice.pk}


def test_a_public_ruling_keeps_its_claim_claimant_and_sources(alice, erin, claim_span):
    ruling = draft(alice, claim_span, claim=CLAIM, claimant_name="unknown")
    services.ruling_advance(ruling=ruling, status=Status.PUBLISHED, reviewer=erin)
    for change in ({"claim": "Another"}, {"sources": []}, {"claimant_name": "Someone"}):
        with pytest.raises(Conflict):
            services.ruling_update(ruling=ruling, user=erin, **change)
    assert Ruling.objects.get(pk=ruling.pk).claim == CLAIM


def test_a_span_names_its_speaker_and_a_long_one_is_refused(article, alice):
    span = services.span_create(
        article=article, kind="claim", author=alice, quote="Officials blamed",
        speaker="  Kassym-Jomart Tokayev ",
    )  # fmt: skip
    assert span.speaker == "Kassym-Jomart Tokayev"
    with pytest.raises(InvalidInput) as exc:
        services.span_update(annotation=span, user=alice, speaker="x" * 201)
    assert exc.value.field == "speaker"
    services.span_update(annotation=span, user=alice, speaker="")
    assert [h.speaker for h in span.history.order_by("history_id")] == [
        "Kassym-Jomart Tokayev",
        "",
    ]


def test_the_migration_keeps_every_existing_ruling_and_span(django_user_model):
    """Rows made before the claim/claimant/sources migration come through it readable, with
    empty claims (so they cannot be submitted until someone names the claim).

    Inside the test's own transaction: PostgreSQL rolls the schema changes back with the rows,
    so the database other tests share is never left migrated backwards."""
    executor = MigrationExecutor(connection)
    before = [("annotations", "0004_api_list_indexes")]
    latest = executor.loader.graph.leaf_nodes("annotations")
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    user = old.get_model("auth", "User").objects.create(username="old-timer")
    article = old.get_model("annotations", "Article").objects.create(
        slug="old", body="Old body text.", body_sha256="x"
    )
    ruling = old.get_model("annotations", "Ruling").objects.create(
        slug="old-ruling", statement="Old statement", rating="false", author_id=user.pk
    )
    old.get_model("annotations", "Annotation").objects.create(
        article_id=article.pk, kind="claim", start=0, end=3, quote="Old", author_id=user.pk
    )
    # The old rows' deferred foreign-key checks must fire before the tables are altered.
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    executor = MigrationExecutor(connection)
    executor.migrate(latest)
    kept = Ruling.objects.get(pk=ruling.pk)
    assert (kept.statement, kept.claim, kept.claimant_name, kept.claimant_kind, kept.sources) == (
        "Old statement", "", "", "unknown", [],
    )  # fmt: skip
    assert kept.annotations.count() == 0
    assert article.__class__.objects.get(pk=article.pk).slug == "old"
    from annotations.models import Annotation

    assert Annotation.objects.get(article_id=article.pk).speaker == ""
