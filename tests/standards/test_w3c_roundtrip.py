"""The W3C parser is the inverse of the writer: parse_annotation(w3c_annotation(span)) gives back
the span (pure, no database)."""

import datetime
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from annotations import standards
from annotations.models import Kind
from annotations.selectors.spans import RulingRef

BASE = "https://desk.example/api/v1"
NOW = datetime.datetime(2022, 1, 6, 12, 0, tzinfo=datetime.UTC)

texts = st.text(min_size=0, max_size=40)
slugs = st.from_regex(r"[a-z0-9][a-z0-9-]{0,30}", fullmatch=True)


def span_of(**fields):
    defaults = {
        "pk": 7, "kind": "claim", "quote": "terrorists trained abroad", "prefix": "",
        "suffix": "", "start": 10, "end": 35, "note": "", "speaker": "", "visible_rulings": [],
        "author": SimpleNamespace(username="alice"), "created_at": NOW, "updated_at": NOW,
    }  # fmt: skip
    return SimpleNamespace(**{**defaults, **fields})


def written(span):
    return standards.w3c_annotation(
        span,
        article_url=f"{BASE}/articles/zhanaozen/",
        annotation_url=f"{BASE}/annotations/{span.pk}/",
        ruling_url=lambda slug: f"{BASE}/rulings/{slug}/",
    )


@given(
    kind=st.sampled_from(Kind.values),
    quote=texts.filter(bool),
    prefix=texts,
    suffix=texts,
    start=st.integers(0, 10**6),
    note=texts,
    speaker=texts,
    rulings=st.lists(slugs, unique=True, max_size=4),
)
def test_parse_is_the_inverse_of_write(kind, quote, prefix, suffix, start, note, speaker, rulings):
    span = span_of(
        kind=kind, quote=quote, prefix=prefix, suffix=suffix, start=start,
        end=start + len(quote), note=note, speaker=speaker,
        visible_rulings=[RulingRef(slug, f"Statement of {slug}") for slug in rulings],
    )  # fmt: skip
    parsed = standards.parse_annotation(written(span))
    assert parsed == standards.ParsedSpan(
        source=f"{BASE}/articles/zhanaozen/",
        kind=kind,
        quote=quote,
        prefix=prefix,
        suffix=suffix,
        start=start,
        note=note,
        speaker=speaker,
        rulings=rulings,
    )
    assert standards.article_slugs(parsed.source)[0] == "zhanaozen"


def test_a_page_of_written_annotations_parses_item_by_item():
    items = [written(span_of(pk=1)), written(span_of(pk=2, kind="evidence"))]
    page = standards.w3c_page(items, page_url=f"{BASE}/articles/zhanaozen/annotations/", total=2)
    assert [standards.parse_annotation(i).kind for i in standards.page_items(page)] == [
        "claim",
        "evidence",
    ]


@pytest.mark.parametrize(
    ("broken", "reason"),
    [
        ({"type": "Note"}, "not a W3C Annotation"),
        ({"target": []}, "target must be one object"),
        (
            {"body": [{"type": "TextualBody", "purpose": "classifying", "value": "x"}]},
            "unknown kind",
        ),
        ({"body": []}, "no kind"),
    ],
)
def test_it_names_what_is_wrong_with_an_annotation(broken, reason):
    item = {**written(span_of()), **broken}
    with pytest.raises(standards.W3CError, match=reason):
        standards.parse_annotation(item)
