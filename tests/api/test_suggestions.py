"""GET /api/v1/articles/{slug}/suggestions/ and POST .../suggestions/dismiss/ (issue 17):
sentences of an article that repeat a ruling's claim, for the desk only; dismissing one, and
accepting one through POST /annotations/."""

import pytest

from annotations import services
from annotations.models import Annotation, AnnotationRuling

from ..helpers import API, CLAIMED

pytestmark = pytest.mark.usefixtures("fast_passwords")

CLAIM = "Trained militants from several countries operate in unrest-ridden Kazakhstan."
# The new article: an emoji before the repeat, so UTF-16 offsets differ from code points.
NEW_BODY = f"The unrest went on for days 🔥 in Almaty and elsewhere. {CLAIM} Then it ended."


@pytest.fixture
def desk(alice, frank, erin):
    first = services.article_create(slug="first", body=f"Officials said so. {CLAIM}")
    span = services.span_create(article=first, kind="claim", author=alice, quote=CLAIM)
    ruling = services.ruling_create(
        **CLAIMED, author=alice, statement="No evidence", rating="unsupported", annotations=[span]
    )
    new = services.article_create(slug="new", body=NEW_BODY)
    return {"ruling": ruling, "span": span, "new": new}


def url(slug, tail=""):
    return f"{API}articles/{slug}/suggestions/{tail}"


def repeats(response):
    assert response.status_code == 200, response.content
    return [r for r in response.json()["results"] if r["quote"] == CLAIM]


# --- Bad input and who may ask -------------------------------------------------------------------


@pytest.mark.parametrize(("persona", "status"), [(None, 401), ("charlie", 403)])
def test_it_refuses_anonymous_clients_and_readers(api, desk, persona, status, request):
    user = request.getfixturevalue(persona) if persona else None
    assert api(user).get(url("new")).status_code == status
    body = {"ruling": desk["ruling"].slug, "start": 0, "end": 5}
    assert api(user).post(url("new", "dismiss/"), body, format="json").status_code == status
    assert not desk["new"].dismissals.exists()


def test_an_unknown_article_is_404(api, desk, alice):
    assert api(alice).get(url("nope")).status_code == 404


def test_a_bad_offset_unit_is_400_naming_it(api, desk, alice):
    response = api(alice).get(url("new"), {"offset_unit": "bytes"})
    assert response.status_code == 400
    assert list(response.json()) == ["offset_unit"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"start": 0, "end": 5}, "ruling"),
        ({"ruling": "no-such-ruling", "start": 0, "end": 5}, "ruling"),
        ({"ruling": "{ruling}", "start": 5, "end": 5}, "end"),
        ({"ruling": "{ruling}", "start": 0, "end": 10_000}, "end"),
        ({"ruling": "{ruling}", "start": -1, "end": 5}, "start"),
        ({"ruling": "{ruling}", "start": 0, "end": 5, "extra": 1}, "extra"),
    ],
)
def test_a_bad_dismissal_is_400_naming_the_field(api, desk, alice, body, field):
    body = {k: desk["ruling"].slug if v == "{ruling}" else v for k, v in body.items()}
    response = api(alice).post(url("new", "dismiss/"), body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()


# --- Suggestions ---------------------------------------------------------------------------------


def test_a_repeated_claim_is_suggested_with_the_span_it_repeats(api, desk, alice):
    found = repeats(api(alice).get(url("new")))
    assert len(found) == 1
    s = found[0]
    assert s["ruling"]["slug"] == desk["ruling"].slug
    assert s["span"]["id"] == desk["span"].pk and s["span"]["article"] == "first"
    assert s["level"] == "match"
    assert NEW_BODY[s["start"] : s["end"]] == CLAIM


def test_offsets_follow_offset_unit(api, desk, alice):
    cp = repeats(api(alice).get(url("new")))[0]
    utf16 = repeats(api(alice).get(url("new"), {"offset_unit": "utf-16"}))[0]
    assert (utf16["start"], utf16["end"]) == (cp["start"] + 1, cp["end"] + 1)


def test_a_passage_already_linked_to_the_ruling_is_not_suggested(api, desk, alice):
    assert repeats(api(alice).get(url("first"))) == []


def test_a_dismissed_suggestion_stays_dismissed(api, desk, alice, bob):
    s = repeats(api(alice).get(url("new", "?offset_unit=utf-16")))[0]
    body = {"ruling": s["ruling"]["slug"], "start": s["start"], "end": s["end"]}
    dismiss = url("new", "dismiss/?offset_unit=utf-16")
    assert api(alice).post(dismiss, body, format="json").status_code == 204
    assert api(bob).post(dismiss, body, format="json").status_code == 204  # harmless twice
    assert desk["new"].dismissals.count() == 1
    assert repeats(api(alice).get(url("new"))) == []
    assert repeats(api(bob).get(url("new"))) == []
    # An edit that moves the passage does not bring it back.
    services.article_update(
        article=desk["new"], user=services_editor(), body="A new first sentence. " + NEW_BODY
    )
    assert repeats(api(alice).get(url("new"))) == []


def services_editor():
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username="erin")


def test_accepting_a_suggestion_twice_makes_one_span_and_one_link(api, desk, alice):
    s = repeats(api(alice).get(url("new")))[0]
    body = {
        "article": "new",
        "kind": "claim",
        "start": s["start"],
        "end": s["end"],
        "rulings": [s["ruling"]["slug"]],
    }
    first = api(alice).post(API + "annotations/", body, format="json")
    assert first.status_code == 201, first.content
    again = api(alice).post(API + "annotations/", body, format="json")
    assert again.status_code == 409, again.content
    spans = Annotation.objects.filter(article=desk["new"], kind="claim")
    assert spans.count() == 1
    assert AnnotationRuling.objects.filter(annotation__in=spans, ruling=desk["ruling"]).count() == 1
    # Accepted: now a linked span, so no longer suggested.
    assert repeats(api(alice).get(url("new"))) == []
