"""doccano JSONL and Label Studio JSON tasks, out and in (issue 19): the curated fixtures make
the round trip with the same spans; a bad file is refused with where and why, and nothing of it
is stored."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from annotations.models import Annotation, Article

from ..helpers import ROOT

pytestmark = pytest.mark.django_db

FORMATS = ["doccano", "labelstudio"]


@pytest.fixture
def curated(alice, erin, frank):
    call_command("import_articles", str(ROOT / "seeds"), stdout=StringIO())
    call_command("load_annotations", str(ROOT / "fixtures" / "curated.toml"), stdout=StringIO())


def spans_of(prefix=""):
    """Every anchored span by article slug (without `prefix`), as (start, end, kind, text)."""
    found = {}
    for slug, start, end, kind, quote in Annotation.objects.filter(
        article__slug__startswith=prefix, state="anchored"
    ).values_list("article__slug", "start", "end", "kind", "quote"):
        if prefix or not slug.startswith("copy-"):
            found.setdefault(slug.removeprefix(prefix), set()).add((start, end, kind, quote))
    return found


def export(tmp_path, format):
    path = tmp_path / f"corpus.{format}"
    call_command("export_corpus", str(path), format=format, stderr=StringIO())
    return path


def load(path, format, **options):
    out = StringIO()
    call_command("import_corpus", str(path), format=format, stdout=out, **options)
    return out.getvalue()


@pytest.mark.parametrize("format", FORMATS)
def test_the_curated_fixtures_make_the_round_trip_with_the_same_spans(
    curated, tmp_path, alice, format
):
    original = spans_of()
    assert sum(len(s) for s in original.values()) >= 80
    path = export(tmp_path, format)
    said = load(path, format, author="alice", slug_prefix="copy-")
    assert "5 new articles" in said
    assert spans_of("copy-") == original
    for article in Article.objects.filter(slug__startswith="copy-"):
        assert article.body == Article.objects.get(slug=article.slug.removeprefix("copy-")).body
    # The same file again adds nothing.
    count = Annotation.objects.count()
    assert "0 new articles), 0 new spans" in load(path, format, author="alice", slug_prefix="copy-")
    assert Annotation.objects.count() == count


def test_a_doccano_export_is_in_doccanos_shape(curated, tmp_path):
    lines = export(tmp_path, "doccano").read_text().splitlines()
    assert len(lines) == 5
    record = json.loads(lines[0])
    assert isinstance(record["text"], str)
    for start, end, label in record["label"]:
        assert 0 <= start < end <= len(record["text"]) and label in (
            "claim",
            "evidence",
            "disputed",
        )


def test_a_label_studio_export_is_in_label_studios_shape(curated, tmp_path):
    tasks = json.loads(export(tmp_path, "labelstudio").read_text())
    assert len(tasks) == 5
    (annotation,) = tasks[0]["annotations"]
    for result in annotation["result"]:
        assert (result["from_name"], result["to_name"], result["type"]) == (
            "label",
            "text",
            "labels",
        )
        value = result["value"]
        assert tasks[0]["data"]["text"][value["start"] : value["end"]] == value["text"]


def test_doccanos_own_example_shape_with_meta_and_mixed_case_labels_is_read(tmp_path, alice):
    path = tmp_path / "doccano.jsonl"
    path.write_text(
        json.dumps({"text": "Troops arrived. Nobody fired.", "label": [[0, 6, "Claim"]],
                    "meta": {"slug": "troops", "title": "Troops"}}) + "\n"
        + json.dumps({"text": "An unlabelled text.", "label": []}) + "\n"
    )  # fmt: skip
    load(path, "doccano", author="alice")
    span = Annotation.objects.get(article__slug="troops")
    assert (span.start, span.end, span.kind, span.quote) == (0, 6, "claim", "Troops")
    assert Article.objects.get(slug="troops").title == "Troops"
    assert Article.objects.filter(slug="doccano-2").exists()


def test_label_studio_cancelled_annotations_are_skipped_and_predictions_read_without_any(
    tmp_path, alice
):
    text = "Officials blamed terrorists trained abroad."
    result = {
        "type": "labels",
        "from_name": "label",
        "to_name": "text",
        "value": {"start": 17, "end": 27, "text": "terrorists", "labels": ["claim"]},
    }
    evidence = {
        **result,
        "value": {"start": 0, "end": 9, "text": "Officials", "labels": ["evidence"]},
    }
    tasks = [
        {"id": 1, "data": {"text": text, "slug": "one"},
         "annotations": [{"was_cancelled": True, "result": [evidence]}, {"result": [result]}]},
        {"id": 2, "data": {"text": text, "slug": "two"}, "predictions": [{"result": [evidence]}]},
    ]  # fmt: skip
    path = tmp_path / "tasks.json"
    path.write_text(json.dumps(tasks))
    load(path, "labelstudio", author="alice")
    assert spans_of() == {
        "one": {(17, 27, "claim", "terrorists")},
        "two": {(0, 9, "evidence", "Officials")},
    }


BAD_DOCCANO = [
    ({"text": "Troops arrived.", "label": [[0, 6, "PERSON"]]}, "line 2, label 1: label 'PERSON'"),
    ({"text": "Troops arrived.", "label": [[0, 99, "claim"]]}, "line 2, label 1: offsets 0..99"),
    ({"text": "Troops arrived.", "label": [[6, 6, "claim"]]}, "line 2, label 1: offsets 6..6"),
    ({"text": "Troops arrived.", "label": [["0", 6, "claim"]]}, "must be integers"),
    ({"text": "Troops arrived.", "label": [[0, 6]]}, "must be [start, end, label]"),
    ({"text": "", "label": []}, "line 2: text is missing or empty"),
    ({"label": []}, "line 2: text is missing or empty"),
    ({"text": "Troops\r\narrived.", "label": [[8, 15, "claim"]]}, "not in normal form"),
    ({"text": "Troops arrived.", "title": 5}, "line 2: title must be text"),
]


@pytest.mark.parametrize(("bad", "says"), BAD_DOCCANO)
def test_a_bad_doccano_line_is_named_and_nothing_of_the_file_is_stored(tmp_path, alice, bad, says):
    path = tmp_path / "bad.jsonl"
    good = {"text": "Protests began over fuel prices.", "label": [[0, 14, "claim"]]}
    path.write_text(json.dumps(good) + "\n" + json.dumps(bad) + "\n")
    with pytest.raises(CommandError) as refused:
        load(path, "doccano", author="alice")
    assert says in str(refused.value)
    assert str(path) in str(refused.value) and "Nothing imported" in str(refused.value)
    assert not Article.objects.exists() and not Annotation.objects.exists()


def test_a_line_that_is_not_json_is_named(tmp_path, alice):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"text": "ok", "label": []}\n{"text": \n')
    with pytest.raises(CommandError, match="line 2: not JSON"):
        load(path, "doccano", author="alice")
    assert not Article.objects.exists()


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ({"start": 0, "end": 6, "text": "Troops", "labels": ["ORG"]},
         "task 1, result 1: label 'ORG'"),
        ({"start": 0, "end": 6, "text": "Tanks!", "labels": ["claim"]},
         "not the span's text 'Tanks!'"),
        ({"start": 0, "end": 60, "text": "Troops", "labels": ["claim"]}, "offsets 0..60"),
        ({"start": 0, "end": 6, "labels": ["claim", "evidence"]}, "exactly one label"),
    ],
)  # fmt: skip
def test_a_bad_label_studio_result_is_named_and_nothing_is_stored(tmp_path, alice, value, says):
    task = {"data": {"text": "Troops arrived."}, "annotations": [{"result": [
        {"type": "labels", "from_name": "label", "to_name": "text", "value": value}]}]}  # fmt: skip
    path = tmp_path / "tasks.json"
    path.write_text(json.dumps([task]))
    with pytest.raises(CommandError) as refused:
        load(path, "labelstudio", author="alice")
    assert says in str(refused.value)
    assert not Article.objects.exists() and not Annotation.objects.exists()


def test_an_existing_slug_with_another_text_is_refused_and_nothing_is_stored(
    tmp_path, alice, article
):
    path = tmp_path / "doccano.jsonl"
    path.write_text(
        json.dumps({"text": "New article.", "label": [[0, 3, "claim"]], "slug": "fresh"}) + "\n"
        + json.dumps({"text": "Another text.", "label": [], "slug": article.slug}) + "\n"
    )  # fmt: skip
    with pytest.raises(CommandError, match="exists with another text"):
        load(path, "doccano", author="alice")
    assert not Article.objects.filter(slug="fresh").exists()
    assert not Annotation.objects.exists()


def test_an_unknown_author_is_named(tmp_path, db):
    path = tmp_path / "doccano.jsonl"
    path.write_text("")
    with pytest.raises(CommandError, match="--author 'nobody'"):
        load(path, "doccano", author="nobody")
