"""span_create: every refusal rule of SPEC.md "Offsets", each naming the field."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotations import services
from annotations.errors import Conflict, InvalidInput, PermissionDenied
from annotations.models import Annotation

from ..factories import ArticleFactory
from ..strategies import body_and_span

pytestmark = pytest.mark.django_db

BODY = (
    "Protests began over fuel prices.\n"
    "Officials blamed terrorists trained abroad. 😀 Officials blamed the West."
)


@pytest.fixture
def article(db):
    return ArticleFactory(body=BODY)


def create(article, author, **kwargs):
    kwargs.setdefault("kind", "claim")
    return services.span_create(article=article, author=author, **kwargs)


def refused(error, field, article, author, match=None, **kwargs):
    with pytest.raises(error) as info:
        create(article, author, **kwargs)
    assert info.value.field == field
    if match:
        assert match in info.value.message
    return info.value


def test_it_creates_a_span_by_offsets(article, alice):
    span = create(article, alice, start=0, end=8)
    assert (span.quote, span.prefix, span.suffix[:6]) == ("Protests", "", " began")
    assert span.author == alice and span.state == "anchored" and span.version == 1


def test_it_creates_a_span_by_quote(article, alice):
    span = create(article, alice, quote="terrorists trained abroad")
    assert BODY[span.start : span.end] == "terrorists trained abroad"


def test_offsets_and_quote_that_agree_are_accepted(article, alice):
    start = BODY.index("fuel prices")
    span = create(article, alice, start=start, end=start + 11, quote="fuel prices")
    assert span.quote == "fuel prices"


def test_utf16_offsets_after_an_emoji(article, alice):
    cp = BODY.index("Officials blamed the West")
    utf16 = cp + 1  # one astral character before it
    span = create(article, alice, start=utf16, end=utf16 + 9, offset_unit="utf-16")
    assert span.quote == "Officials" and span.start == cp


@pytest.mark.parametrize(
    "kwargs, field, match",
    [
        ({"start": -1, "end": 4}, "start", "0 or more"),
        ({"start": 0, "end": 10_000}, "end", "beyond the end"),
        ({"start": 5, "end": 5}, "end", "greater than start"),
        ({"start": 6, "end": 2}, "end", "greater than start"),
        ({"start": 8, "end": 9}, "quote", "whitespace"),
        ({"quote": "   "}, "quote", "whitespace"),
        ({"quote": "martians"}, "quote", "not found"),
        ({"quote": "Officials blamed"}, "quote", "occurs 2 times"),
        ({"start": 0, "end": 8, "quote": "Protest!"}, "quote", "does not match"),
        ({"kind": "rumour", "start": 0, "end": 8}, "kind", "must be one of"),
        ({"start": 0}, "end", "required"),
        ({}, "start", "Give start and end, or quote"),
        ({"start": "0", "end": 8}, "start", "whole number"),
        ({"start": 0, "end": 8, "offset_unit": "bytes"}, "offset_unit", "utf-16"),
    ],
)
def test_it_refuses_bad_spans_naming_the_field(article, alice, kwargs, field, match):
    refused(InvalidInput, field, article, alice, match=match, **kwargs)
    assert not Annotation.objects.exists()


def test_a_utf16_offset_inside_the_emoji_is_refused(article, alice):
    inside = BODY.index("😀") + 1
    refused(
        InvalidInput,
        "start",
        article,
        alice,
        match="surrogate",
        start=inside,
        end=inside + 3,
        offset_unit="utf-16",
    )


def test_an_ambiguous_quote_is_resolved_by_near_or_prefix(article, alice):
    second = BODY.rindex("Officials blamed")
    assert create(article, alice, quote="Officials blamed", near=second).start == second
    span = create(article, alice, kind="evidence", quote="Officials blamed", prefix="\n")
    assert span.start == BODY.index("Officials blamed")


def test_a_duplicate_is_a_conflict(article, alice, bob):
    create(article, alice, start=0, end=8)
    with pytest.raises(Conflict):
        create(article, bob, quote="Protests")
    # Another kind on the same text is a different span.
    assert create(article, bob, kind="evidence", start=0, end=8)


def test_people_outside_the_desk_cannot_create_spans(article, django_user_model):
    outsider = django_user_model.objects.create_user("outsider")
    with pytest.raises(PermissionDenied):
        create(article, outsider, start=0, end=8)


@given(case=body_and_span(), by_quote=st.booleans())
@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_any_created_span_has_its_text_as_quote(alice, case, by_quote):
    body, start, end = case
    article = ArticleFactory(body=body)
    try:
        if by_quote:
            span = create(article, alice, quote=body[start:end], near=start)
        else:
            span = create(article, alice, start=start, end=end)
    except InvalidInput as exc:
        assert by_quote and exc.code == "ambiguous"
        return
    span.refresh_from_db()
    assert body[span.start : span.end] == span.quote == body[start:end]
