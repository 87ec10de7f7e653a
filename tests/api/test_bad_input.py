"""Hostile and broken input: each case is a 4xx that names the problem, never a 500, and nothing
stored changes. One table, so a new case is one line."""

import json

import pytest

from annotations.models import Annotation, AnnotationRuling, Article, Review, Ruling

from ..world import BODY

SPAN = {"article": "zhanaozen", "kind": "claim", "quote": "Protests began"}


def nested(depth):
    return "[" * depth + "]" * depth


def snapshot():
    models = (Article, Annotation, AnnotationRuling, Ruling, Review)
    return (
        sorted(Article.objects.values_list("slug", "title", "body", "version")),
        sorted(Annotation.objects.values_list("id", "kind", "start", "end", "quote", "note")),
        sorted(AnnotationRuling.objects.values_list("annotation_id", "ruling_id")),
        sorted(Ruling.objects.values_list("slug", "status", "version", "statement", "summary")),
        Review.objects.count(),
        # Nothing written and rolled back half-way either: not one history row more.
        [model.history.count() for model in models],
    )


# method, path, raw body (str: sent as is; dict: JSON-encoded), content type, status, names
CASES = [
    ("malformed JSON", "POST", "annotations/", '{"article": "zhanaozen",', None, 400, "detail"),
    ("JSON that is not an object", "POST", "annotations/", "[1, 2]", None, 400, None),
    ("a string as an offset", "POST", "annotations/", {**SPAN, "start": "1", "end": "x"}, None,
     400, "end"),
    ("a list as the kind", "POST", "annotations/", {**SPAN, "kind": ["claim"]}, None, 400, "kind"),
    ("nested a thousand levels", "POST", "annotations/", nested(1000), None, 400, None),
    ("nested a hundred thousand levels", "POST", "rulings/", nested(100_000), None, 400, None),
    ("offset beyond 2^31", "POST", "annotations/",
     {"article": "zhanaozen", "kind": "claim", "start": 0, "end": 2**31}, None, 400, "end"),
    ("offset beyond 2^63", "POST", "annotations/",
     {"article": "zhanaozen", "kind": "claim", "start": 2**64, "end": 2**64 + 1}, None, 400,
     "start"),
    ("a 5,000-digit offset", "POST", "annotations/",
     '{"article": "zhanaozen", "kind": "claim", "start": 1' + "0" * 5000 + ', "end": 2}', None,
     400, None),
    ("span id beyond 2^63 in a ruling", "POST", "rulings/",
     {"statement": "S", "rating": "true", "annotations": [2**63 + 5]}, None, 400, "annotations"),
    ("span id beyond 2^63 in the path", "PATCH", "annotations/99999999999999999999/",
     {"note": "x"}, None, 404, "detail"),
    ("NUL in a note", "POST", "annotations/", {**SPAN, "note": "a\x00b"}, None, 400, "note"),
    ("NUL in a statement", "POST", "rulings/", {"statement": "a\x00b", "rating": "true"}, None,
     400, "statement"),
    ("NUL in a body", "POST", "articles/", {"slug": "nul", "body": "a\x00b"}, None, 400, "body"),
    ("lone surrogate in a quote", "POST", "annotations/",
     '{"article": "zhanaozen", "kind": "claim", "quote": "\\ud800"}', None, 400, "quote"),
    ("lone surrogate in a summary", "POST", "rulings/",
     '{"statement": "S", "rating": "true", "summary": "\\udfff"}', None, 400, "summary"),
    ("overlong statement", "POST", "rulings/", {"statement": "s" * 501, "rating": "true"}, None,
     400, "statement"),
    ("overlong note", "POST", "annotations/", {**SPAN, "note": "n" * 20_001}, None, 400, "note"),
    ("overlong slug", "POST", "articles/", {"slug": "s" * 201, "body": "Text."}, None, 400,
     "slug"),
    ("unknown field", "POST", "rulings/", {"statement": "S", "rating": "true", "verdict": 1},
     None, 400, "verdict"),
    ("unknown field in a PATCH", "PATCH", "rulings/draft-ruling/", {"status": "published"},
     None, 400, "status"),
    ("form-encoded body", "POST", "rulings/", "statement=S&rating=true",
     "application/x-www-form-urlencoded", 415, "detail"),
    ("text/plain body", "POST", "rulings/", '{"statement": "S", "rating": "true"}',
     "text/plain", 415, "detail"),
    ("body over the size limit", "POST", "articles/",
     {"slug": "huge", "body": "x" * (6 * 1024 * 1024)}, None, 413, "detail"),
    ("bad offset_unit", "POST", "annotations/?offset_unit=bytes", SPAN, None, 400,
     "offset_unit"),
    ("bad page_size", "GET", "annotations/?page_size=1e9", None, None, 400, "page_size"),
    ("bad cursor", "GET", "annotations/?cursor=%00%ff", None, None, 404, "detail"),
    ("NUL in a filter", "GET", "rulings/?search=a%00b", None, None, 400, "search"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("method", "path", "raw", "content_type", "status", "names"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_bad_input_is_a_clear_4xx_and_changes_nothing(
    api, erin, world, method, path, raw, content_type, status, names
):
    before = snapshot()
    data = raw if isinstance(raw, str) or raw is None else json.dumps(raw)
    response = getattr(api(erin), method.lower())(
        f"/api/v1/{path}", data=data, content_type=content_type or "application/json"
    )
    assert response.status_code == status, response.content[:500]
    body = response.json()
    assert body, "the error says what is wrong"
    if names:
        assert names in body, body
    assert snapshot() == before
    assert BODY.replace("\r\n", "\n") == Article.objects.get(slug="zhanaozen").body


def test_a_number_with_too_many_digits_says_so_in_plain_words(api, erin, world):
    raw = '{"article": "zhanaozen", "kind": "claim", "start": 1' + "0" * 5000 + ', "end": 2}'
    response = api(erin).post("/api/v1/annotations/", data=raw, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"detail": "JSON parse error - a number has too many digits."}
