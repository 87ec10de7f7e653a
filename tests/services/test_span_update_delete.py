import pytest

from annotations import services
from annotations.errors import Conflict, InvalidInput, PermissionDenied, PreconditionFailed
from annotations.models import Annotation

pytestmark = pytest.mark.django_db


@pytest.fixture
def span(article, alice):
    return services.span_create(article=article, author=alice, kind="claim", quote="fuel prices")


def test_the_author_changes_kind_and_note(span, alice):
    updated = services.span_update(annotation=span, user=alice, kind="evidence", note="why")
    assert (updated.kind, updated.note, updated.version) == ("evidence", "why", 2)


def test_another_annotator_cannot_change_or_delete_it(span, bob):
    with pytest.raises(PermissionDenied):
        services.span_update(annotation=span, user=bob, note="mine now")
    with pytest.raises(PermissionDenied):
        services.span_delete(annotation=span, user=bob)
    assert Annotation.objects.get(pk=span.pk).note == ""


def test_an_editor_changes_anyones_span(span, erin):
    assert services.span_update(annotation=span, user=erin, note="edited").note == "edited"


def test_a_stale_version_is_refused(span, alice, erin):
    services.span_update(annotation=span, user=erin, note="first", expected_version=1)
    with pytest.raises(PreconditionFailed, match="changed by someone else"):
        services.span_update(annotation=span, user=alice, note="second", expected_version=1)
    assert Annotation.objects.get(pk=span.pk).note == "first"


def test_it_moves_a_span_by_quote(span, alice, article):
    moved = services.span_update(annotation=span, user=alice, quote="terrorists trained abroad")
    assert article.body[moved.start : moved.end] == "terrorists trained abroad"


def test_a_bad_move_changes_nothing(span, alice):
    with pytest.raises(InvalidInput):
        services.span_update(annotation=span, user=alice, start=0, end=10_000)
    assert Annotation.objects.get(pk=span.pk).quote == "fuel prices"


def test_moving_onto_a_duplicate_is_a_conflict(span, alice):
    other = services.span_create(article=span.article, author=alice, kind="claim", quote="Protests")
    with pytest.raises(Conflict):
        services.span_update(annotation=other, user=alice, quote="fuel prices")


def test_the_author_deletes_it_and_history_keeps_it(span, alice):
    services.span_delete(annotation=span, user=alice)
    assert not Annotation.objects.filter(pk=span.pk).exists()
    deleted = Annotation.history.filter(id=span.pk, history_type="-").get()
    assert deleted.history_user == alice and deleted.quote == "fuel prices"
