"""articles/ and articles/{slug}/: listing, editors adding and editing articles, body edits
re-anchoring spans through the API."""

import pytest

from annotations.models import AnchorState, Annotation, Article

from ..world import NORMALISED

URL = "/api/v1/articles/"


def snapshot():
    return sorted(Article.objects.values_list("slug", "title", "body", "version"))


def test_the_list_omits_the_body_and_filters(api, erin, world):
    from annotations import services

    services.article_create(slug="other", body="Other text.", publisher="Other Post", title="Q")
    rows = api().get(URL).json()["results"]
    assert [r["slug"] for r in rows] == ["zhanaozen", "other"]
    assert all("body" not in r for r in rows)
    assert [r["slug"] for r in api().get(f"{URL}?publisher=Other Post").json()["results"]] == [
        "other"
    ]
    assert [r["slug"] for r in api().get(f"{URL}?search=zhanao").json()["results"]] == ["zhanaozen"]


def test_the_detail_has_the_normalised_body_its_length_and_an_etag(api, world):
    response = api().get(f"{URL}zhanaozen/")
    data = response.json()
    assert data["body"] == NORMALISED
    assert (data["length"], data["offset_unit"]) == (len(NORMALISED), "codepoint")
    assert response["ETag"] == f'"article-{world.article.pk}-v{world.article.version}"'
    utf16 = api().get(f"{URL}zhanaozen/?offset_unit=utf-16").json()
    assert utf16["length"] == len(NORMALISED) + 1  # one emoji: two UTF-16 units
    assert api().get(f"{URL}nowhere/").status_code == 404


def test_an_editor_adds_an_article_and_its_body_is_normalised(api, erin, db):
    response = api(erin).post(
        URL,
        {
            "slug": "crlf",
            "title": "CRLF",
            "body": "Line one.\r\nLine two.\r\n\r\n",
            "language": "ru",
        },
    )
    assert response.status_code == 201, response.json()
    assert response.json()["body"] == "Line one.\nLine two."
    assert response["Location"] == f"{URL}crlf/"
    assert Article.objects.get(slug="crlf").language == "ru"


@pytest.mark.parametrize(
    ("payload", "status", "field"),
    [
        ({"slug": "x", "body": "   \n"}, 400, "body"),
        ({"slug": "bad slug", "body": "Text."}, 400, "slug"),
        ({"slug": "x", "body": "Text.", "published_on": "9 January"}, 400, "published_on"),
        ({"slug": "x", "body": "Text.", "url": "not a url"}, 400, "url"),
        ({"slug": "x", "body": "Text.", "summary": "?"}, 400, "summary"),
        ({"slug": "x"}, 400, "body"),
        ({"slug": "zhanaozen", "body": "Text."}, 409, "slug"),
    ],
)
def test_it_refuses_bad_articles_naming_the_field(api, erin, world, payload, status, field):
    before = snapshot()
    response = api(erin).post(URL, payload)
    assert response.status_code == status, response.json()
    assert field in response.json()
    assert snapshot() == before


def test_only_editors_add_or_edit_articles(api, alice, world):
    before = snapshot()
    assert api(alice).post(URL, {"slug": "x", "body": "Text."}).status_code == 403
    assert api(alice).patch(f"{URL}zhanaozen/", {"title": "Mine"}).status_code == 403
    assert api().post(URL, {"slug": "x", "body": "Text."}).status_code == 401
    assert snapshot() == before


def test_a_body_edit_reanchors_spans_and_reports_it(api, erin, world):
    new_body = "Breaking: " + NORMALISED.replace("terrorists trained abroad", "terrorists trained")
    url = f"{URL}zhanaozen/"
    tag = api(erin).get(url)["ETag"]
    response = api(erin).patch(url, {"body": new_body}, HTTP_IF_MATCH=tag)
    assert response.status_code == 200, response.json()
    report = response.json()["reanchoring"]
    total_before = 6
    assert sum(report.values()) == total_before
    assert Annotation.objects.filter(article=world.article).count() == total_before
    article = Article.objects.get(pk=world.article.pk)
    for span in Annotation.objects.filter(article=article, state=AnchorState.ANCHORED):
        assert article.body[span.start : span.end] == span.quote
    # The stale ETag of the old body can no longer be used.
    again = api(erin).patch(url, {"title": "New"}, HTTP_IF_MATCH=tag)
    assert again.status_code == 412
    assert response["ETag"] != tag


def test_a_metadata_edit_keeps_the_body_and_reports_no_reanchoring(api, erin, world):
    response = api(erin).patch(f"{URL}zhanaozen/", {"title": "Renamed", "published_on": None})
    assert response.status_code == 200, response.json()
    assert response.json()["reanchoring"] is None
    article = Article.objects.get(pk=world.article.pk)
    assert (article.title, article.body) == ("Renamed", NORMALISED)


@pytest.mark.parametrize(
    "path", ["/api/v1/articles/%F4%8C%9A%B7/", "/api/v1/annotations/99999999999999999999/"]
)
def test_a_path_no_route_matches_is_a_json_404(api, db, path):
    response = api().get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found."}
