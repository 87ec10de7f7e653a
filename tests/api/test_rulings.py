"""rulings/, rulings/{slug}/ and the workflow endpoints: submit, reviews, retract."""

import pytest

from annotations.models import Review, Ruling, Status

from ..helpers import reload

URL = "/api/v1/rulings/"


def detail(slug):
    return f"{URL}{slug}/"


def snapshot():
    return sorted(
        Ruling.objects.values_list("slug", "status", "version", "statement", "rating", "summary")
    )


# --- Reading -------------------------------------------------------------------------------------


def test_the_detail_embeds_linked_spans_grouped_by_kind(api, world):
    response = api().get(detail("published-ruling"))
    assert response.status_code == 200
    assert response["ETag"] == f'"ruling-{world.published.pk}-v{world.published.version}-published"'
    data = response.json()
    assert data["annotations"] == sorted([world.published_claim.pk, world.published_evidence.pk])
    assert [s["quote"] for s in data["spans"]["claim"]] == ["terrorists trained abroad"]
    evidence = data["spans"]["evidence"][0]
    assert evidence["quote"] == "no evidence was shown"
    assert (evidence["article"], evidence["article_title"]) == ("zhanaozen", "Zhanaozen")
    assert data["spans"]["disputed"] == []
    assert data["public_url"] == "http://testserver/rulings/published-ruling/"
    assert data["rating_label"] == "Unsupported: no credible evidence"


def test_embedded_spans_follow_the_offset_unit(api, world):
    # The emoji before the claim makes its UTF-16 offsets one larger than its code points.
    claim = world.published_claim
    data = api().get(detail("published-ruling") + "?offset_unit=utf-16").json()
    assert data["offset_unit"] == "utf-16"
    assert (data["spans"]["claim"][0]["start"], data["spans"]["claim"][0]["end"]) == (
        claim.start + 1,
        claim.end + 1,
    )


def test_anonymous_clients_see_published_and_retracted_rulings_only(api, world):
    slugs = {r["slug"] for r in api().get(URL).json()["results"]}
    assert slugs == {"published-ruling", "retracted-ruling"}
    assert api().get(detail("draft-ruling")).status_code == 404
    assert api().get(detail("review-ruling")).status_code == 404
    retracted = api().get(detail("retracted-ruling")).json()
    assert retracted["retraction_reason"] == "The figure was misread."


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=draft", {"draft-ruling"}),
        ("status=in_review", {"review-ruling"}),
        ("rating=mixed", {"retracted-ruling"}),
        ("article=zhanaozen", {"draft-ruling", "review-ruling", "published-ruling",
                               "retracted-ruling"}),
        ("article=elsewhere", set()),
        ("search=of published", {"published-ruling"}),
        ("search=SUMMARY OF DRAFT", {"draft-ruling"}),
    ],
)  # fmt: skip
def test_it_filters(api, erin, world, query, expected):
    response = api(erin).get(f"{URL}?{query}")
    assert response.status_code == 200
    assert {r["slug"] for r in response.json()["results"]} == expected


def test_anonymous_filters_never_reach_drafts(api, world):
    assert api().get(f"{URL}?status=draft").json()["results"] == []


# --- Drafting and editing ------------------------------------------------------------------------


def test_an_annotator_drafts_a_ruling_linking_spans(api, alice, world):
    response = api(alice).post(
        URL,
        {
            "statement": "Fuel prices triggered the protests",
            "rating": "true",
            "summary": "Every outlet says so.",
            "annotations": [world.unlinked.pk],
        },
    )
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["slug"] == "fuel-prices-triggered-the-protests"
    assert (data["status"], data["author"], data["version"]) == ("draft", "alice", 1)
    assert data["annotations"] == [world.unlinked.pk]
    assert response["Location"] == detail(data["slug"])


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"rating": "true"}, "statement"),
        ({"statement": "S", "rating": "probably"}, "rating"),
        ({"statement": "S", "rating": "true", "annotations": [999_999]}, "annotations"),
        ({"statement": "S", "rating": "true", "annotations": ["one"]}, "annotations"),
        ({"statement": "S", "rating": "true", "supersedes": "nope"}, "supersedes"),
        ({"statement": "S", "rating": "true", "slug": "not a slug"}, "slug"),
        ({"statement": "x" * 501, "rating": "true"}, "statement"),
        ({"statement": "S", "rating": "true", "verdict": "no"}, "verdict"),
    ],
)
def test_it_refuses_bad_rulings_naming_the_field(api, alice, world, payload, field):
    before = snapshot()
    response = api(alice).post(URL, payload)
    assert response.status_code == 400, response.json()
    assert field in response.json()
    assert snapshot() == before


def test_an_annotator_cannot_link_a_span_they_cannot_see(api, alice, world):
    # Spans are visible to the desk, so the refusal here is about existence, by id.
    response = api(alice).post(URL, {"statement": "S", "rating": "true", "annotations": [2**31]})
    assert response.status_code == 400


def test_a_duplicate_slug_is_a_conflict(api, alice, world):
    response = api(alice).post(URL, {"slug": "draft-ruling", "statement": "S", "rating": "true"})
    assert response.status_code == 409
    assert "slug" in response.json()


def test_patch_bumps_the_version_and_honours_if_match(api, alice, world):
    client = api(alice)
    tag = client.get(detail("draft-ruling"))["ETag"]
    ok = client.patch(detail("draft-ruling"), {"summary": "Better."}, HTTP_IF_MATCH=tag)
    assert ok.status_code == 200, ok.json()
    assert ok.json()["version"] == world.draft.version + 1
    stale = client.patch(detail("draft-ruling"), {"summary": "Lost?"}, HTTP_IF_MATCH=tag)
    assert stale.status_code == 412
    assert reload(world.draft).summary == "Better."


def test_patch_relinks_spans(api, alice, world):
    response = api(alice).patch(
        detail("draft-ruling"), {"annotations": [world.draft_claim.pk, world.unlinked.pk]}
    )
    assert response.status_code == 200, response.json()
    assert response.json()["spans"]["disputed"][0]["id"] == world.unlinked.pk


def test_a_published_ruling_is_not_edited(api, erin, world):
    before = snapshot()
    response = api(erin).patch(detail("published-ruling"), {"summary": "Rewritten."})
    assert response.status_code == 409
    assert "retract" in response.json()["detail"]
    assert snapshot() == before


def test_only_drafts_are_deleted(api, alice, erin, world):
    assert api(erin).delete(detail("published-ruling")).status_code == 409
    assert api(alice).delete(detail("review-ruling")).status_code == 409
    assert api(alice).delete(detail("draft-ruling")).status_code == 204
    assert not Ruling.objects.filter(slug="draft-ruling").exists()


# --- Workflow ------------------------------------------------------------------------------------


def test_submit_review_publish_retract_supersede(api, alice, erin, frank, world):
    assert api(alice).post(detail("draft-ruling") + "submit/").json()["status"] == "in_review"
    # Four eyes: the author cannot approve.
    version = {"decision": "approve", "ruling_version": reload(world.draft).version}
    own = api(alice).post(detail("draft-ruling") + "reviews/", version)
    assert own.status_code == 403
    approved = api(erin).post(detail("draft-ruling") + "reviews/", version)
    assert approved.status_code == 201, approved.json()
    assert approved.json()["ruling_version"] == reload(world.draft).version
    ruling = api(erin).get(detail("draft-ruling")).json()
    assert ruling["status"] == "published" and ruling["published_at"]

    assert api(frank).post(detail("draft-ruling") + "retract/", {"reason": ""}).status_code == 400
    retracted = api(frank).post(detail("draft-ruling") + "retract/", {"reason": "Misquoted."})
    assert retracted.json()["status"] == "retracted"

    replacement = api(frank).post(
        URL, {"statement": "Corrected", "rating": "mixed", "supersedes": "draft-ruling"}
    )
    assert replacement.status_code == 201, replacement.json()
    assert replacement.json()["supersedes"] == "draft-ruling"
    # The replacement is a draft: the desk sees it, readers only once it is published.
    assert (
        api(frank).get(detail("draft-ruling")).json()["superseded_by"]
        == (replacement.json()["slug"])
    )
    assert api().get(detail("draft-ruling")).json()["superseded_by"] is None


def test_request_changes_needs_a_comment_and_returns_the_ruling_to_draft(api, erin, world):
    url = detail("review-ruling") + "reviews/"
    missing = api(erin).post(url, {"decision": "request_changes"})
    assert missing.status_code == 400
    assert "comment" in missing.json()
    assert reload(world.in_review).status == Status.IN_REVIEW
    done = api(erin).post(url, {"decision": "request_changes", "comment": "Cite the source."})
    assert done.status_code == 201
    assert reload(world.in_review).status == Status.DRAFT


def test_an_approval_of_a_stale_version_is_refused(api, alice, erin, world):
    url = detail("review-ruling") + "reviews/"
    stale = world.in_review.version
    assert api(alice).patch(detail("review-ruling"), {"summary": "Revised."}).status_code == 200
    response = api(erin).post(url, {"decision": "approve", "ruling_version": stale})
    assert response.status_code == 409
    assert "ruling_version" in response.json()
    assert reload(world.in_review).status == Status.IN_REVIEW


def test_reviews_are_listed_for_the_desk_and_never_public(api, alice, world):
    response = api(alice).get(detail("published-ruling") + "reviews/")
    assert response.status_code == 200
    assert [(r["reviewer"], r["decision"]) for r in response.json()["results"]] == [
        ("erin", "approve")
    ]
    assert api().get(detail("published-ruling") + "reviews/").status_code == 401
    assert Review.objects.count() == 2


def test_submitting_needs_a_claim_span(api, alice, world):
    created = api(alice).post(URL, {"statement": "No claim", "rating": "true"}).json()
    response = api(alice).post(detail(created["slug"]) + "submit/")
    assert response.status_code == 409
    assert "claim" in response.json()["detail"]


def test_a_review_may_name_its_version_by_the_etag(api, alice, erin, world):
    url = detail("review-ruling")
    tag = api(erin).get(url)["ETag"]
    assert api(alice).patch(url, {"summary": "Changed after erin read it."}).status_code == 200
    stale = api(erin).post(url + "reviews/", {"decision": "approve"}, HTTP_IF_MATCH=tag)
    assert stale.status_code == 409
    assert reload(world.in_review).status == Status.IN_REVIEW
    current = api(erin).get(url)["ETag"]
    ok = api(erin).post(url + "reviews/", {"decision": "approve"}, HTTP_IF_MATCH=current)
    assert ok.status_code == 201
    assert reload(world.in_review).status == Status.PUBLISHED


def test_an_approval_must_name_the_version_it_judged(api, erin, world):
    response = api(erin).post(detail("review-ruling") + "reviews/", {"decision": "approve"})
    assert response.status_code == 400
    assert "ruling_version" in response.json()
    assert reload(world.in_review).status == Status.IN_REVIEW
    assert not reload(world.in_review).reviews.exists()


def test_the_etag_changes_with_the_status_and_a_tag_read_before_is_stale(api, alice, world):
    url = detail("draft-ruling")
    before = api(alice).get(url)["ETag"]
    assert api(alice).post(url + "submit/").status_code == 200
    after = api(alice).get(url)["ETag"]
    assert before != after and after.endswith('-in_review"')
    stale = api(alice).patch(url, {"summary": "Edited."}, HTTP_IF_MATCH=before)
    assert stale.status_code == 412
    assert "in_review" in stale.json()["detail"]
    assert api(alice).patch(url, {"summary": "Edited."}, HTTP_IF_MATCH=after).status_code == 200


def test_readers_do_not_learn_of_a_draft_that_will_supersede_a_retracted_ruling(api, erin, world):
    draft = api(erin).post(
        URL, {"statement": "Corrected figure", "rating": "mixed", "supersedes": "retracted-ruling"}
    )
    assert draft.status_code == 201, draft.json()
    slug = draft.json()["slug"]
    assert api(erin).get(detail("retracted-ruling")).json()["superseded_by"] == slug
    assert api().get(detail("retracted-ruling")).json()["superseded_by"] is None
    listed = {r["slug"]: r for r in api().get(URL + "?status=retracted").json()["results"]}
    assert listed["retracted-ruling"]["superseded_by"] is None
    assert slug not in api().get(URL).content.decode()


def test_an_editor_who_rewrote_a_ruling_in_review_cannot_approve_it(api, erin, frank, world):
    url = detail("review-ruling")
    rewritten = api(erin).patch(url, {"statement": "Rewritten by erin", "rating": "true"})
    assert rewritten.status_code == 200
    version = rewritten.json()["version"]
    own = api(erin).post(url + "reviews/", {"decision": "approve", "ruling_version": version})
    assert own.status_code == 403
    assert "Four eyes" in own.json()["detail"]
    assert reload(world.in_review).status == Status.IN_REVIEW
    # She may still send it back; another editor may approve it.
    other = api(frank).post(url + "reviews/", {"decision": "approve", "ruling_version": version})
    assert other.status_code == 201
    assert reload(world.in_review).status == Status.PUBLISHED
