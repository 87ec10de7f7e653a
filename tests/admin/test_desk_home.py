"""The desk's home page (the admin index): its queues by role and state, its figures against the
API's, a fixed number of queries, hostile text shown as text."""

import re
from datetime import timedelta

import html5lib
import pytest
from django.test import Client

from annotations import selectors, services
from annotations.models import Status
from tests.factories import UserFactory
from tests.helpers import CLAIMED, drive
from tests.world import NORMALISED

pytestmark = pytest.mark.usefixtures("fast_passwords")


def home(user):
    client = Client()
    client.force_login(user)
    response = client.get("/admin/")
    assert response.status_code == 200
    return response


def queue_keys(user):
    return {q.key: [getattr(i, "slug", i.pk) for i in q.items] for q in selectors.desk_queues(user)}


def counts(user):
    return {q.key: q.count for q in selectors.desk_queues(user)}


def test_queues_by_role_and_state(world, alice, erin, frank):
    # alice wrote every ruling of the world; erin and frank edit.
    assert queue_keys(alice) == {
        "changes_requested": [],
        "my_drafts": ["draft-ruling"],
        "in_review_by_others": ["review-ruling"],
        "orphaned": [],
        "recent": ["retracted-ruling", "published-ruling"],
    }
    erin_queues = queue_keys(erin)
    assert erin_queues["awaiting_review"] == ["review-ruling"]
    assert erin_queues["my_drafts"] == [] and erin_queues["in_review_by_others"] == []
    # An approval that stands takes the ruling off that editor's queue only.
    services.review_create(ruling=world.in_review, reviewer=erin, decision="approve")
    assert queue_keys(erin)["awaiting_review"] == []


def test_changes_requested_and_orphaned_spans(world, alice, erin, bob):
    services.review_create(
        ruling=world.in_review, reviewer=erin, decision="request_changes", comment="Add a source"
    )
    alice_queues = queue_keys(alice)
    assert alice_queues["changes_requested"] == ["review-ruling"]
    assert set(alice_queues["my_drafts"]) == {"review-ruling", "draft-ruling"}
    assert alice_queues["in_review_by_others"] == []
    # A body edit that drops the unlinked span's text orphans it: alice's span, on her queue
    # and every editor's; another annotator's queue does not show it.
    services.article_update(
        article=world.article,
        user=erin,
        body=NORMALISED.replace(" Others said 2,500 troops arrived.", ""),
    )
    assert queue_keys(alice)["orphaned"] == [world.unlinked.pk]
    assert queue_keys(erin)["orphaned"] == [world.unlinked.pk]
    assert queue_keys(bob)["orphaned"] == []


def test_nobody_outside_the_desk_gets_queues(world, db):
    reader = UserFactory(username="reader", is_staff=True)
    assert selectors.desk_queues(reader) == []
    page = home(reader).content.decode()
    assert "My work" not in page and "The desk in figures" not in page


def test_the_page_shows_the_queues_charts_and_tables(world, erin, settings):
    settings.FACTCHECK_ORG_NAME = "Kazakh Desk <b>"
    page = home(erin).content.decode()
    html5lib.HTMLParser(strict=False).parse(page)
    assert "Kazakh Desk &lt;b&gt;" in page and "Django administration" not in page
    assert 'href="/"' in page  # "View site" leads to the public pages
    assert re.search(r'id="queue-awaiting_review".*?data-count="1"', page, re.S)
    assert page.count('<figure class="desk-chart">') == 3
    assert page.count("<svg viewBox=") == 3 and page.count('class="desk-table desk-sr-only"') == 3
    assert "Statement of review-ruling" in page
    assert 'id="coverage"' in page and "Example Times" in page


def test_figures_equal_the_api_s(world, api, erin, alice, frank):
    figures = selectors.dashboard()
    client = api(erin)

    def listed(**params):
        rows, url, params = [], "/api/v1/rulings/", {**params, "page_size": 200}
        while url:
            page = client.get(url, params).json()
            rows += page["results"]
            url, params = page["next"], None
        return rows

    for value, _, n in figures.by_status:
        assert n == len(listed(status=value)), value
    for value, _, n in figures.by_rating:
        assert n == len(listed(rating=value)), value
    # Coverage: the world's article has four claims (one per ruling; the unlinked span is
    # disputed), all linked, two in a public ruling (published, retracted).
    [outlet] = figures.coverage
    assert (outlet["outlet"], outlet["claims"], outlet["linked"], outlet["published"]) == (
        "Example Times",
        4,
        4,
        2,
    )
    spans = api(erin).get("/api/v1/annotations/", {"kind": "claim", "page_size": 200}).json()
    assert outlet["claims"] == len(spans["results"])
    # Two public rulings, published this week.
    assert figures.per_week[-1][1] == 2 and sum(n for _, n in figures.per_week) == 2
    assert figures.publications_measured == 2
    assert timedelta(0) <= figures.median_to_publication < timedelta(minutes=1)


def test_the_median_is_the_middle_wait(world, alice, erin, frank):
    from annotations.models import Ruling

    waits = []
    for ruling in Ruling.objects.filter(status__in=[Status.PUBLISHED, Status.RETRACTED]):
        submitted = (
            Ruling.history.filter(id=ruling.pk, status=Status.IN_REVIEW)
            .order_by("-history_date")
            .first()
            .history_date
        )
        waits.append(ruling.published_at - submitted)
    waits.sort()
    expected = (waits[0] + waits[1]) / 2
    assert abs(selectors.dashboard().median_to_publication - expected) < timedelta(milliseconds=1)


def test_queries_stay_fixed_whatever_the_data(
    world, alice, erin, frank, claim, django_assert_num_queries
):
    client = Client()
    client.force_login(erin)
    client.get("/admin/")  # warm: the session and content types

    def measure():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            assert client.get("/admin/").status_code == 200
        return len(captured)

    before = measure()
    assert before <= 17  # session, user, groups, the six queues, the four figures, the app list
    for i in range(12):
        ruling = services.ruling_create(
            **CLAIMED, author=alice, statement=f"More {i}", rating="false", annotations=[claim]
        )
        drive(ruling, [Status.DRAFT, Status.IN_REVIEW, Status.PUBLISHED][i % 3], approvers=[frank])
    assert measure() == before


def test_hostile_text_in_queues_is_text(world, alice, erin, claim):
    ruling = services.ruling_create(
        **CLAIMED,
        author=alice,
        statement='<img src=x onerror="alert(1)">',
        rating="false",
        annotations=[claim],
    )
    drive(ruling, Status.IN_REVIEW)
    page = home(erin).content.decode()
    assert "<img src=x" not in page and "&lt;img src=x onerror=" in page


@pytest.mark.parametrize(
    "seconds, words",
    [
        (5, "under a minute"),
        (60, "1 min"),
        (3 * 3600, "3 h"),
        (3 * 3600 + 20 * 60, "3 h 20 min"),
        (86400, "1 day"),
        (2 * 86400 + 4 * 3600 + 59, "2 days 4 h"),
    ],
)
def test_waits_read_as_people_say_them(seconds, words):
    from annotations.charts import duration_words

    assert duration_words(timedelta(seconds=seconds)) == words
