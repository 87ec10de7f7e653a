"""What the schemathesis command line found from outside (issue 22), each now answered as the
document says."""

from annotations import anchoring
from annotations.models import AnchorState, Annotation

API = "/api/v1/"


def test_a_body_edit_after_spans_were_orphaned_is_not_a_500(api, erin, world):
    # The first edit leaves every span orphaned, with the offsets of the longer old body; the
    # second re-anchors them from there (it answered 500: IndexError past the old body's end).
    url = API + f"articles/{world.article.slug}/"
    first = api(erin).patch(url, {"body": "Short."}, format="json")
    assert first.status_code == 200, first.content
    assert not Annotation.objects.filter(article=world.article, state=AnchorState.ANCHORED)
    second = api(erin).patch(
        url, {"body": "Short. Officials blamed terrorists trained abroad."}, format="json"
    )
    assert second.status_code == 200, second.content
    # Kept, with its quote, whatever re-anchoring made of it.
    span = Annotation.objects.get(pk=world.published_claim.pk)
    assert span.quote == "terrorists trained abroad"


def test_a_position_past_the_old_end_maps_to_the_new_end():
    positions = anchoring.PositionMap("a" * 10, "b" * 4)
    assert positions.end(50) == positions.start(50) == 4


def test_the_w3c_page_refuses_a_bad_page_size_as_every_list_does(api, world):
    url = API + f"articles/{world.article.slug}/annotations/"
    response = api().get(url, {"format": "jsonld", "page_size": -464})
    assert response.status_code == 400
    assert "page_size" in response.json()
    assert api().get(url, {"format": "jsonld", "page_size": 5}).status_code == 200


def test_max_length_counts_the_text_as_sent_not_as_trimmed(api, alice, world):
    # 501 characters of which the first is whitespace (U+001E, which str.strip() removes):
    # the document's maxLength 500 refuses it, and so does the API.
    statement = "\x1e" + "x" * 500
    response = api(alice).post(
        API + "rulings/", {"statement": statement, "rating": "false"}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"statement": ["Ensure this field has no more than 500 characters."]}


def test_a_filter_counts_the_value_as_sent_too(api, world):
    response = api().get(API + "rulings/", {"search": "x" * 200 + " "})
    assert response.status_code == 400 and "search" in response.json()
    assert api().get(API + "rulings/", {"search": " " + "x" * 199}).status_code == 200
