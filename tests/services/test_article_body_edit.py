"""A body edit (article_update) re-anchors every span in one transaction and loses none."""

import pytest
from django.core.management import CommandError, call_command

from annotations import services
from annotations.errors import PermissionDenied
from annotations.models import Annotation, Article

from ..factories import ArticleFactory

pytestmark = pytest.mark.django_db

BODY = (
    "Protests began on January 2 over fuel prices.\r\n"
    "Tokayev said the gangs were trained abroad. 🇰🇿 He appealed to the CSTO.\r\n"
    "An analyst said no credible evidence of an external attack was shown.\r\n"
    "Some 3,000 soldiers and 600 interior ministry personnel were assigned."
)


@pytest.fixture
def article(db):
    return services.article_create(slug="crlf", body=BODY)


@pytest.fixture
def spans(article, alice):
    quotes = [
        ("claim", "the gangs were trained abroad"),
        ("evidence", "no credible evidence of an external attack was shown"),
        ("disputed", "Some 3,000 soldiers"),
        ("claim", "fuel prices"),
        ("evidence", "He appealed to the CSTO."),
    ]
    return [services.span_create(article=article, author=alice, kind=k, quote=q) for k, q in quotes]


def test_crlf_input_is_stored_with_lf_and_offsets_count_code_points(article, spans):
    assert "\r" not in article.body
    span = spans[4]
    assert article.body[span.start : span.end] == "He appealed to the CSTO."


def test_an_edit_loses_no_span_and_records_what_happened(article, spans, erin):
    new = "BREAKING. " + article.body.replace("fuel prices", "petrol costs").replace(
        "Some 3,000 soldiers and 600", ""
    ).replace("the gangs were trained abroad", "the gangs were trained overseas")
    before = Annotation.objects.count()
    report = services.article_update(article=article, body=new, user=erin)
    after = Annotation.objects.filter(article=article)
    assert after.count() == before
    assert after.filter(state="anchored").count() + after.filter(state="orphaned").count() == before
    assert report.total == before
    assert report.counts["moved"] >= 1 and report.counts["changed"] >= 1
    assert report.counts["orphaned"] >= 1
    article.refresh_from_db()
    for span in after.filter(state="anchored"):
        assert article.body[span.start : span.end] == span.quote
    orphan = Annotation.objects.get(pk=spans[3].pk)
    assert orphan.state == "orphaned" and orphan.quote == "fuel prices"
    call_command("check_annotations")


def test_the_old_body_and_each_re_anchoring_stay_in_history(article, spans, erin):
    old_body = article.body
    services.article_update(
        article=article, body=old_body.replace("trained abroad", "trained overseas"), user=erin
    )
    versions = list(Article.history.filter(id=article.pk).order_by("history_date"))
    assert versions[0].body == old_body and versions[-1].history_user == erin
    assert "changed" in versions[-1].history_change_reason
    changed = Annotation.history.filter(id=spans[0].pk).order_by("-history_date").first()
    assert changed.history_user == erin
    assert "'the gangs were trained abroad' -> 'the gangs were trained overseas'" in (
        changed.history_change_reason
    )


def test_an_unchanged_body_is_a_no_op(article, spans, erin):
    assert services.article_update(article=article, body=BODY, user=erin) is None


def test_annotators_cannot_edit_bodies(article, alice):
    with pytest.raises(PermissionDenied):
        services.article_update(article=article, body="New text.", user=alice)
    assert Article.objects.get(pk=article.pk).body == article.body


def test_two_spans_landing_on_one_place_do_not_collide(alice, erin):
    article = ArticleFactory(body="Alpha beta gamma. Alpha beta delta.")
    a = services.span_create(article=article, author=alice, kind="claim", quote="Alpha beta gamma")
    b = services.span_create(article=article, author=alice, kind="claim", quote="Alpha beta delta")
    services.article_update(article=article, body="Alpha beta gamma.", user=erin)
    states = sorted(Annotation.objects.filter(pk__in=[a.pk, b.pk]).values_list("state", flat=True))
    assert states == ["anchored", "orphaned"]


def _claim(article, author, quote, near=None, note=""):
    return services.span_create(
        article=article, author=author, kind="claim", quote=quote, near=near, note=note
    )


def test_a_span_may_move_onto_offsets_another_span_leaves(alice, erin):
    # An insertion as long as the gap between two same-kind spans puts the first exactly where
    # the second was: one UPDATE of both rows would trip the unique index midway.
    article = ArticleFactory(body="Rates: 20% and 30% now.")
    first, second = _claim(article, alice, "20%"), _claim(article, alice, "30%")
    services.article_update(article=article, body="Update. Rates: 20% and 30% now.", user=erin)
    for span, quote in ((first, "20%"), (second, "30%")):
        span.refresh_from_db()
        assert span.state == "anchored"
        assert Article.objects.get(pk=article.pk).body[span.start : span.end] == quote
    assert (first.start, second.start) == (15, 23)


def test_swapped_paragraphs_carry_their_spans(alice, erin):
    article = ArticleFactory(body="Alice said 20% rise.\nBobby said 30% fall.")
    a, b = _claim(article, alice, "20%"), _claim(article, alice, "30%")
    new = "Bobby said 30% fall.\nAlice said 20% rise."
    services.article_update(article=article, body=new, user=erin)
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.state, new[a.start - 11 : a.end]) == ("anchored", "Alice said 20%")
    assert (b.state, new[b.start - 11 : b.end]) == ("anchored", "Bobby said 30%")


def test_a_span_whose_text_survived_keeps_it_against_a_span_that_lost_its_own(alice, erin):
    body = "Inflation hit 20% in May. Wages rose 20% in June."
    article = ArticleFactory(body=body)
    inflation = _claim(article, alice, "20%", near=0, note="inflation")
    wages = _claim(article, alice, "20%", near=len(body), note="wages")
    new = "Wages rose 20% in June."
    services.article_update(article=article, body=new, user=erin)
    inflation.refresh_from_db()
    wages.refresh_from_db()
    # The wages span's sentence was not touched: it stays on its own "20%". The inflation
    # span's sentence is gone; the other sentence's "20%" is not its text.
    assert (wages.state, new[wages.start - 11 : wages.end]) == ("anchored", "Wages rose 20%")
    assert inflation.state == "orphaned"
    assert inflation.quote == "20%"


@pytest.mark.parametrize(
    ("old_figure", "new_figure"),
    [("20%", "25%"), ("2,500", "25,000")],
)
def test_an_edited_figure_is_changed_in_its_own_sentence_not_moved_to_a_copy(
    alice, erin, old_figure, new_figure
):
    body = f"The ministry said {old_figure} troops arrived. Critics said {old_figure} was low."
    article = ArticleFactory(body=body)
    span = _claim(article, alice, old_figure, near=0)
    new = body.replace(f"said {old_figure} troops", f"said {new_figure} troops")
    report = services.article_update(article=article, body=new, user=erin)
    span.refresh_from_db()
    assert (span.state, span.quote, span.start) == ("anchored", new_figure, 18)
    assert report.counts["changed"] == 1
    reason = span.history.order_by("-history_date").first().history_change_reason
    assert reason.startswith("re-anchored: text changed")


def test_a_deleted_sentence_orphans_its_span_even_when_its_words_occur_elsewhere(alice, erin):
    body = "Officials said 2,500 troops arrived. Separately, critics said 2,500 troops was low."
    article = ArticleFactory(body=body)
    span = _claim(article, alice, "2,500 troops", near=0)
    new = "Separately, critics said 2,500 troops was low."
    services.article_update(article=article, body=new, user=erin)
    span.refresh_from_db()
    assert span.state == "orphaned"


def test_check_annotations_reports_a_span_out_of_sync(article, spans):
    Annotation.objects.filter(pk=spans[0].pk).update(quote="tampered")
    with pytest.raises(CommandError, match="1 span"):
        call_command("check_annotations")
