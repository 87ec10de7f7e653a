"""The open-standard exports: an article's spans as a W3C Web Annotation AnnotationPage, and a
ruling as schema.org ClaimReview JSON-LD. Each is checked against the fields its standard
requires (W3C Web Annotation Data Model sections 3.1, 4.2, 4.2.4, 4.2.6; Google's and schema.org's
ClaimReview required properties)."""

import json

import pytest

from annotations.models import RATING_VALUES, Rating

ANNO_PROFILE = 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"'
W3C_MOTIVATIONS = {
    "assessing", "bookmarking", "classifying", "commenting", "describing", "editing",
    "highlighting", "identifying", "linking", "moderating", "questioning", "replying", "tagging",
}  # fmt: skip
PAGE = "/api/v1/articles/zhanaozen/annotations/"


def check_w3c_annotation(item, body_text):
    assert item["type"] == "Annotation"
    assert item["id"].startswith("http")
    assert item["motivation"] in W3C_MOTIVATIONS
    assert item["body"], "each annotation names its kind in a body"
    target = item["target"]
    assert target["source"].startswith("http")
    selectors = {s["type"]: s for s in target["selector"]}
    quote, position = selectors["TextQuoteSelector"], selectors["TextPositionSelector"]
    assert set(quote) >= {"exact", "prefix", "suffix"}
    # TextPositionSelector counts code points: the same as Python str indices.
    assert body_text[position["start"] : position["end"]] == quote["exact"]
    assert body_text[: position["start"]].endswith(quote["prefix"])
    assert body_text[position["end"] :].startswith(quote["suffix"])


@pytest.mark.parametrize("how", ["accept", "format"])
def test_the_article_spans_are_a_w3c_annotation_page(api, erin, world, how):
    client = api(erin)
    if how == "accept":
        response = client.get(PAGE, HTTP_ACCEPT=ANNO_PROFILE)
    else:
        response = client.get(PAGE + "?format=jsonld")
    assert response.status_code == 200
    assert response["Content-Type"] == ANNO_PROFILE
    page = json.loads(response.content)
    assert page["@context"] == "http://www.w3.org/ns/anno.jsonld"
    assert page["type"] == "AnnotationPage"
    assert page["partOf"]["total"] == len(page["items"]) == 6
    body_text = world.article.body
    for item in page["items"]:
        check_w3c_annotation(item, body_text)
    by_quote = {i["target"]["selector"][0]["exact"]: i for i in page["items"]}
    claim = by_quote["terrorists trained abroad"]
    assert claim["motivation"] == "questioning"
    assert {"type": "TextualBody", "purpose": "classifying", "value": "claim"} in claim["body"]
    links = [b for b in claim["body"] if b.get("purpose") == "linking"]
    assert links == [
        {
            "type": "SpecificResource",
            "purpose": "linking",
            "source": "http://testserver/api/v1/rulings/published-ruling/",
            "label": "Statement of published-ruling",
        }
    ]


def test_positions_stay_in_code_points_even_when_utf16_is_asked(api, erin, world):
    # The W3C TextPositionSelector is defined in code points; offset_unit is for our own JSON.
    page = api(erin).get(PAGE + "?format=jsonld&offset_unit=utf-16").json()
    for item in page["items"]:
        check_w3c_annotation(item, world.article.body)


def test_a_bad_offset_unit_is_refused_on_the_w3c_page_too(api, erin, world):
    response = api(erin).get(PAGE + "?format=jsonld&offset_unit=bytes")
    assert response.status_code == 400
    assert "offset_unit" in response.json()


def test_json_ld_without_the_profile_parameter_gets_the_w3c_page(api, erin, world):
    response = api(erin).get(PAGE, HTTP_ACCEPT="application/ld+json")
    assert response.status_code == 200
    assert response["Content-Type"] == ANNO_PROFILE
    assert json.loads(response.content)["type"] == "AnnotationPage"


def test_the_plain_json_form_is_the_default(api, erin, world):
    response = api(erin).get(PAGE)
    assert response["Content-Type"] == "application/json"
    assert len(response.json()["results"]) == 6


def test_anonymous_clients_get_public_spans_only_in_the_w3c_page(api, world):
    page = api().get(PAGE + "?format=jsonld").json()
    quotes = {i["target"]["selector"][0]["exact"] for i in page["items"]}
    assert quotes == {"terrorists trained abroad", "no evidence was shown", "2,030 troops"}
    assert page["partOf"]["total"] == 3
    for item in page["items"]:
        for body in item["body"]:
            assert "draft-ruling" not in body.get("source", "")


def check_claim_review(review, ruling):
    assert review["@type"] == "ClaimReview"
    assert review["claimReviewed"]
    assert review["url"] == f"http://testserver/rulings/{ruling.slug}/"
    assert review["datePublished"] == ruling.published_at.date().isoformat()
    assert review["author"]["@type"] == "Organization" and review["author"]["name"]
    rating = review["reviewRating"]
    assert rating["@type"] == "Rating"
    assert rating["alternateName"] == Rating(ruling.rating).label
    if ruling.rating in RATING_VALUES:
        assert rating["ratingValue"] == RATING_VALUES[ruling.rating]
        assert (rating["bestRating"], rating["worstRating"]) == (5, 1)
    else:
        assert "ratingValue" not in rating
    item = review["itemReviewed"]
    assert item["@type"] == "Claim"
    (appearance,) = item["appearance"]  # the world's one article
    assert appearance["url"].startswith("http")
    assert appearance["headline"] == "Zhanaozen"
    assert item["firstAppearance"] == appearance


@pytest.mark.parametrize("slug", ["published-ruling", "retracted-ruling"])
def test_claimreview_is_the_ruling_s_one_review_of_its_claim(api, world, slug):
    response = api().get(f"/api/v1/rulings/{slug}/claimreview/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/ld+json"
    document = json.loads(response.content)
    assert document["@context"] == "https://schema.org"
    ruling = getattr(world, slug.split("-")[0])
    assert document["claimReviewed"] == ruling.claim
    check_claim_review(document, ruling)


def test_a_retracted_claimreview_carries_its_correction(api, world):
    review = api().get("/api/v1/rulings/retracted-ruling/claimreview/").json()
    assert review["reviewRating"]["ratingValue"] == 3
    assert "The figure was misread." in review["correction"]["text"]


@pytest.mark.parametrize("slug", ["draft-ruling", "review-ruling"])
def test_there_is_no_claimreview_of_an_unpublished_ruling_for_anyone(api, root, world, slug):
    assert api().get(f"/api/v1/rulings/{slug}/claimreview/").status_code == 404
    assert api(root).get(f"/api/v1/rulings/{slug}/claimreview/").status_code == 404


def test_export_links_are_the_routes_own_detail_urls(api, erin, world):
    # absolute_urls.builders derives detail URLs from list URLs: they must be what reverse() gives.
    from django.urls import reverse

    page = api(erin).get(PAGE + "?format=jsonld").json()
    item = next(i for i in page["items"] if i["target"]["selector"][0]["exact"] == "2,030 troops")
    assert item["id"] == "http://testserver" + reverse(
        "api:annotation-detail", args=[world.retracted_claim.pk]
    )
    assert item["target"]["source"] == "http://testserver" + reverse(
        "api:article-detail", args=["zhanaozen"]
    )
    ruling = next(b for b in item["body"] if b.get("purpose") == "linking")
    assert ruling["source"] == "http://testserver" + reverse(
        "api:ruling-detail", args=["retracted-ruling"]
    )
