"""annotations/ and annotations/{id}/: placing spans by offsets or quote, in both offset units,
every refusal naming its field, If-Match, filters, and what anonymous clients may see."""

import pytest

from annotations.models import Annotation

from ..world import NORMALISED

URL = "/api/v1/annotations/"


def detail(span):
    return f"{URL}{span.pk}/"


def stored(pk):
    return Annotation.objects.get(pk=pk)


def snapshot():
    return sorted(Annotation.objects.values_list("id", "kind", "start", "end", "quote", "version"))


# --- Creating spans ------------------------------------------------------------------------------


def test_it_creates_a_span_by_offsets_in_code_points(api, alice, world):
    start = NORMALISED.index("Zhanaozen")
    response = api(alice).post(
        URL,
        {"article": "zhanaozen", "kind": "evidence", "start": start, "end": start + 9},
        format="json",
    )
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["quote"] == "Zhanaozen"
    assert (data["start"], data["end"], data["offset_unit"]) == (start, start + 9, "codepoint")
    assert response["Location"] == f"{URL}{data['id']}/"
    assert response["ETag"] == f'"annotation-{data["id"]}-v1"'
    assert stored(data["id"]).author == alice


def test_it_takes_and_returns_utf16_offsets_after_an_emoji_and_a_crlf(api, alice, world):
    # The emoji is one code point but two UTF-16 units; the CRLF became one LF on import.
    quote = "Officials blamed terrorists"
    cp = NORMALISED.index(quote)
    utf16 = len(NORMALISED[:cp].encode("utf-16-le")) // 2
    assert utf16 == cp + 1
    response = api(alice).post(
        f"{URL}?offset_unit=utf-16",
        {"article": "zhanaozen", "kind": "disputed", "start": utf16, "end": utf16 + len(quote)},
        format="json",
    )
    assert response.status_code == 201, response.json()
    data = response.json()
    assert (data["start"], data["quote"], data["offset_unit"]) == (utf16, quote, "utf-16")
    span = stored(data["id"])
    assert (span.start, span.end) == (cp, cp + len(quote))
    assert api(alice).get(detail(span)).json()["start"] == cp


def test_it_creates_a_span_by_quote_with_context_and_links_rulings(api, alice, world):
    response = api(alice).post(
        URL,
        {
            "article": "zhanaozen",
            "kind": "evidence",
            "quote": "troops",
            "prefix": "2,500 ",
            "note": "The higher figure.",
            "rulings": ["draft-ruling"],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["start"] == NORMALISED.index("2,500 troops") + 6
    assert data["rulings"] == ["draft-ruling"]
    assert data["note"] == "The higher figure."


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"start": -1, "end": 5}, "start"),
        ({"start": 0, "end": 10_000}, "end"),
        ({"start": 5, "end": 5}, "end"),
        ({"start": 9, "end": 3}, "end"),
        ({"start": 0}, "end"),
        ({"start": 0, "end": 2**40}, "end"),
        ({"start": "zero", "end": 5}, "start"),
        ({"quote": "not in the article"}, "quote"),
        ({"quote": "troops"}, "quote"),
        ({"quote": "Protests", "start": 1, "end": 9}, "quote"),
        ({"quote": "Protests", "kind": "opinion"}, "kind"),
        ({"quote": "Protests", "colour": "red"}, "colour"),
        ({"quote": "Protests", "article": "no-such-article"}, "article"),
        ({"quote": "Protests", "rulings": ["no-such-ruling"]}, "rulings"),
        ({}, "start"),
    ],
    ids=[
        "negative-start",
        "end-past-the-end",
        "empty",
        "reversed",
        "half-offsets",
        "huge-offset",
        "string-offset",
        "quote-not-found",
        "quote-ambiguous",
        "quote-disagrees",
        "unknown-kind",
        "unknown-field",
        "unknown-article",
        "unknown-ruling",
        "nothing-to-place",
    ],
)
def test_it_refuses_bad_spans_naming_the_field(api, alice, world, payload, field):
    before = snapshot()
    body = {"article": "zhanaozen", "kind": "claim", **payload}
    response = api(alice).post(URL, body, format="json")
    assert response.status_code == 400, response.json()
    assert field in response.json(), response.json()
    assert snapshot() == before


def test_an_ambiguous_quote_says_how_many_matches(api, alice, world):
    response = api(alice).post(
        URL, {"article": "zhanaozen", "kind": "claim", "quote": "troops"}, format="json"
    )
    message = response.json()["quote"][0]
    assert "2" in message and ("prefix" in message or "near" in message)


def test_a_whitespace_only_span_is_refused(api, alice, world):
    start = NORMALISED.index(" in Zhanaozen")
    response = api(alice).post(
        URL,
        {"article": "zhanaozen", "kind": "claim", "start": start, "end": start + 1},
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()) & {"start", "end", "quote"}


def test_an_offset_inside_a_surrogate_pair_is_refused(api, alice, world):
    emoji_utf16 = len(NORMALISED[: NORMALISED.index("🔥")].encode("utf-16-le")) // 2
    response = api(alice).post(
        f"{URL}?offset_unit=utf-16",
        {"article": "zhanaozen", "kind": "claim", "start": emoji_utf16 + 1, "end": emoji_utf16 + 5},
        format="json",
    )
    assert response.status_code == 400
    assert "surrogate" in response.json()["start"][0]


def test_a_bad_offset_unit_is_refused(api, alice, world):
    response = api(alice).get(f"{URL}?offset_unit=bytes")
    assert response.status_code == 400
    assert "offset_unit" in response.json()


def test_a_duplicate_span_is_a_conflict(api, alice, world):
    span = world.published_claim
    response = api(alice).post(
        URL,
        {"article": "zhanaozen", "kind": "claim", "start": span.start, "end": span.end},
        format="json",
    )
    assert response.status_code == 409
    assert "already exists" in response.json()["detail"]


def test_malformed_json_and_the_wrong_content_type_are_refused(api, alice, world):
    client = api(alice)
    bad = client.post(URL, data='{"article": ', content_type="application/json")
    assert bad.status_code == 400
    form = client.post(
        URL, {"article": "zhanaozen", "kind": "claim", "quote": "Protests"}, format="multipart"
    )
    assert form.status_code == 415


# --- Reading -------------------------------------------------------------------------------------


def test_anonymous_clients_see_only_spans_of_public_rulings(api, world):
    response = api().get(URL)
    assert response.status_code == 200
    ids = {row["id"] for row in response.json()["results"]}
    assert ids == {world.published_claim.pk, world.published_evidence.pk, world.retracted_claim.pk}
    assert api().get(detail(world.draft_claim)).status_code == 404
    assert api().get(detail(world.unlinked)).status_code == 404
    # The draft's slug does not reveal its spans through the filter either.
    assert api().get(f"{URL}?ruling=draft-ruling").json()["results"] == []


def test_a_span_lists_only_the_rulings_its_reader_may_see(api, alice, world):
    url = detail(world.published_evidence)
    response = api(alice).patch(url, {"rulings": ["published-ruling", "draft-ruling"]})
    assert response.status_code == 200, response.json()
    assert set(api(alice).get(detail(world.published_evidence)).json()["rulings"]) == {
        "published-ruling",
        "draft-ruling",
    }
    assert api().get(detail(world.published_evidence)).json()["rulings"] == ["published-ruling"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("article=zhanaozen", {"draft_claim", "review_claim", "published_claim",
                               "published_evidence", "retracted_claim", "unlinked"}),
        ("kind=evidence", {"published_evidence"}),
        ("kind=disputed", {"unlinked"}),
        ("ruling=published-ruling", {"published_claim", "published_evidence"}),
        ("author=alice&kind=claim", {"draft_claim", "review_claim", "published_claim",
                                     "retracted_claim"}),
        ("author=bob", set()),
        ("state=orphaned", set()),
        ("article=elsewhere", set()),
    ],
)  # fmt: skip
def test_it_filters(api, erin, world, query, expected):
    response = api(erin).get(f"{URL}?{query}")
    assert response.status_code == 200
    ids = {row["id"] for row in response.json()["results"]}
    assert ids == {getattr(world, name).pk for name in expected}


def test_a_bad_filter_value_is_a_400_naming_it(api, erin, world):
    response = api(erin).get(f"{URL}?kind=opinion")
    assert response.status_code == 400
    assert "kind" in response.json()


def test_pages_follow_the_cursor_and_page_size_is_bounded(api, erin, world):
    client = api(erin)
    first = client.get(f"{URL}?page_size=4").json()
    assert len(first["results"]) == 4 and first["previous"] is None
    second = client.get(first["next"]).json()
    ids = [row["id"] for row in first["results"] + second["results"]]
    assert len(ids) == len(set(ids)) == 6
    assert second["next"] is None
    for bad in ("0", "201", "many"):
        response = client.get(f"{URL}?page_size={bad}")
        assert response.status_code == 400
        assert "page_size" in response.json()


# --- Changing and deleting -----------------------------------------------------------------------


def test_patch_with_the_current_etag_succeeds_and_a_stale_one_is_412(api, alice, world):
    client = api(alice)
    url = detail(world.draft_claim)
    tag = client.get(url)["ETag"]
    first = client.patch(url, {"note": "first"}, format="json", HTTP_IF_MATCH=tag)
    assert first.status_code == 200, first.json()
    assert first["ETag"] != tag
    stale = client.patch(url, {"note": "second"}, format="json", HTTP_IF_MATCH=tag)
    assert stale.status_code == 412
    assert "changed by someone else" in stale.json()["detail"]
    assert stored(world.draft_claim.pk).note == "first"
    wrong = client.patch(url, {"note": "x"}, format="json", HTTP_IF_MATCH='"ruling-1-v1"')
    assert wrong.status_code == 412


def test_linking_a_span_from_the_ruling_side_gives_the_span_a_new_etag(api, alice, erin, world):
    # alice reads her span, erin links it to a ruling by editing the ruling: alice's PATCH with
    # the ETag she read must not silently drop erin's link.
    span_url = f"/api/v1/annotations/{world.unlinked.pk}/"
    read = api(alice).get(span_url)
    ruling_url = "/api/v1/rulings/draft-ruling/"
    linked = [world.draft_claim.pk, world.unlinked.pk]
    assert api(erin).patch(ruling_url, {"annotations": linked}).status_code == 200
    assert api(alice).get(span_url)["ETag"] != read["ETag"]
    stale = api(alice).patch(span_url, {"rulings": []}, HTTP_IF_MATCH=read["ETag"])
    assert stale.status_code == 412
    assert api(alice).get(span_url).json()["rulings"] == ["draft-ruling"]


def test_patch_moves_a_span_by_quote_and_changes_its_kind(api, alice, world):
    response = api(alice).patch(
        detail(world.draft_claim), {"quote": "fuel prices 🔥", "kind": "evidence"}, format="json"
    )
    assert response.status_code == 200, response.json()
    span = stored(world.draft_claim.pk)
    assert (span.quote, span.kind) == ("fuel prices 🔥", "evidence")
    assert NORMALISED[span.start : span.end] == span.quote


def test_another_annotator_cannot_change_or_delete_the_span(api, bob, world):
    before = snapshot()
    assert api(bob).patch(detail(world.draft_claim), {"note": "x"}).status_code == 403
    assert api(bob).delete(detail(world.draft_claim)).status_code == 403
    assert snapshot() == before


def test_an_editor_changes_anyones_span(api, erin, world):
    response = api(erin).patch(detail(world.unlinked), {"note": "checked"}, format="json")
    assert response.status_code == 200
    assert stored(world.unlinked.pk).note == "checked"


def test_a_span_of_a_published_ruling_cannot_be_deleted_or_moved(api, erin, world):
    before = snapshot()
    assert api(erin).delete(detail(world.published_claim)).status_code == 409
    moved = api(erin).patch(detail(world.published_claim), {"quote": "fuel prices"}, format="json")
    assert moved.status_code == 409
    assert snapshot() == before


def test_delete_honours_if_match(api, alice, world):
    client = api(alice)
    url = detail(world.unlinked)
    assert client.delete(url, HTTP_IF_MATCH='"annotation-1-v99"').status_code == 412
    assert client.delete(url, HTTP_IF_MATCH=client.get(url)["ETag"]).status_code == 204
    assert not Annotation.objects.filter(pk=world.unlinked.pk).exists()
    assert client.get(url).status_code == 404


def test_put_is_not_offered(api, erin, world):
    assert api(erin).put(detail(world.unlinked), {"note": "x"}, format="json").status_code == 405
