"""The review view (issue 16): the version under review against the one this editor last
reviewed, word by word, with rating and link changes; approve sends the version shown."""

import re

import pytest
from django.contrib.messages import get_messages

from annotations import services
from annotations.models import Decision, Status

from ..helpers import HOSTILE_SCRIPT, reload

pytestmark = pytest.mark.django_db


def review_url(ruling):
    return f"/admin/annotations/ruling/{ruling.pk}/review/"


def change_url(ruling):
    return f"/admin/annotations/ruling/{ruling.pk}/change/"


def diff_of(html, element_id):
    match = re.search(rf'<div class="diff" id="{element_id}">(.*?)</div>', html, re.DOTALL)
    assert match, element_id
    return match[1]


def deleted(html):
    return re.findall(r"\[deleted: </span>(.*?)<span", html, re.DOTALL)


def inserted(html):
    return re.findall(r"\[inserted: </span>(.*?)<span", html, re.DOTALL)


@pytest.fixture
def resubmitted(make_ruling, article, alice, erin):
    """alice's ruling: submitted, erin requests changes, alice changes the summary, the rating,
    a source and the links, and submits again."""
    ruling = make_ruling(Status.IN_REVIEW)
    services.ruling_update(ruling=reload(ruling), user=alice, summary="placeholder")
    ruling = reload(ruling)
    services.ruling_update(ruling=ruling, user=alice, summary="The texts show no training")
    services.review_create(
        ruling=reload(ruling),
        reviewer=erin,
        decision=Decision.REQUEST_CHANGES,
        comment="Say which texts.",
        ruling_version=reload(ruling).version,
    )
    reviewed = reload(ruling).version
    (old_span,) = reload(ruling).annotations.all()
    new_span = services.span_create(
        article=article, kind="claim", author=alice, quote="Protests began"
    )
    services.ruling_update(
        ruling=reload(ruling),
        user=alice,
        summary="The five texts show no training abroad",
        rating="false",
        sources=[{"url": "https://example.org/report", "title": "Report"}],
        annotations=[new_span],
    )
    services.ruling_submit(ruling=reload(ruling), user=alice)
    return reload(ruling), reviewed, old_span, new_span


def test_the_editor_sees_exactly_what_changed_since_their_review_and_approves_it(
    client, resubmitted, erin
):
    ruling, reviewed, old_span, new_span = resubmitted
    client.force_login(erin)
    assert f'href="{review_url(ruling)}"' in client.get(change_url(ruling)).content.decode()
    html = client.get(review_url(ruling)).content.decode()
    assert f"Version {ruling.version}, under review, compared with version {reviewed}" in html

    summary = diff_of(html, "diff-4")
    # "The texts show no training" → "The five texts show no training abroad": two insertions.
    assert deleted(summary) == []
    assert inserted(summary) == [" five", " abroad"]
    # Unchanged texts show no change.
    for unchanged in ("diff-1", "diff-2", "diff-3"):
        assert deleted(diff_of(html, unchanged)) == inserted(diff_of(html, unchanged)) == []
    assert (
        "Changed from <strong>Unsupported: no credible evidence</strong> to <strong>False</strong>"
        in html
    )
    assert inserted(diff_of(html, "diff-sources")) == ["https://example.org/report · Report"]
    linked = re.search(r'<ul id="review-linked">(.*?)</ul>', html, re.DOTALL)[1]
    unlinked = re.search(r'<ul id="review-unlinked">(.*?)</ul>', html, re.DOTALL)[1]
    assert f"#{new_span.pk}" in linked and "Protests began" in linked
    assert f"#{old_span.pk}" in unlinked and old_span.quote in unlinked
    thread = re.search(r'<ol class="thread" id="review-thread">(.*?)</ol>', html, re.DOTALL)[1]
    assert f"<strong>erin</strong> requested changes to version {reviewed}," in thread
    assert "Say which texts." in thread

    # Approve sends the version shown.
    form = re.search(r'<form method="post" action="([^"]+)" id="review-approve">', html)
    assert f'name="ruling_version" value="{ruling.version}"' in html
    response = client.post(form[1], {"ruling_version": ruling.version})
    assert response.status_code == 302
    assert reload(ruling).status == Status.PUBLISHED


def test_an_approval_of_a_version_not_shown_is_refused(client, resubmitted, erin, alice):
    ruling, *_ = resubmitted
    client.force_login(erin)
    shown = ruling.version
    client.get(review_url(ruling))
    # alice changes the ruling while erin reads.
    services.ruling_update(ruling=ruling, user=alice, claim="A newer claim")
    response = client.post(
        f"/admin/annotations/ruling/{ruling.pk}/approve/", {"ruling_version": shown}
    )
    assert response.status_code == 302
    assert reload(ruling).status == Status.IN_REVIEW
    assert any(m.level_tag == "error" for m in get_messages(response.wsgi_request))


def test_a_first_review_shows_everything_as_new(client, make_ruling, erin):
    ruling = make_ruling(Status.IN_REVIEW)
    client.force_login(erin)
    html = client.get(review_url(ruling)).content.decode()
    assert "its first submission, so all of it is new to you" in html
    assert inserted(diff_of(html, "diff-2")) == [ruling.statement]


def test_only_editors_who_may_review_get_the_view(client, make_ruling, alice, bob):
    ruling = make_ruling(Status.IN_REVIEW)
    for user in (alice, bob):  # the author, another annotator
        client.force_login(user)
        response = client.get(review_url(ruling))
        assert response.status_code == 302
        assert response["Location"] == change_url(ruling)
        assert 'id="workflow-review"' not in client.get(change_url(ruling)).content.decode()
    client.logout()
    assert client.get(review_url(ruling))["Location"].startswith("/admin/login/")


def test_hostile_text_in_the_diff_is_shown_as_text(client, make_ruling, alice, erin):
    ruling = make_ruling()
    services.ruling_update(
        ruling=ruling,
        user=alice,
        summary=f"Before {HOSTILE_SCRIPT}",
        sources=[{"url": "https://example.org/a", "title": HOSTILE_SCRIPT}],
    )
    services.ruling_submit(ruling=reload(ruling), user=alice)
    services.review_create(
        ruling=reload(ruling),
        reviewer=erin,
        decision=Decision.REQUEST_CHANGES,
        comment=HOSTILE_SCRIPT,
        ruling_version=reload(ruling).version,
    )
    services.ruling_update(ruling=reload(ruling), user=alice, summary=f"After {HOSTILE_SCRIPT}!")
    services.ruling_submit(ruling=reload(ruling), user=alice)
    client.force_login(erin)
    html = client.get(review_url(ruling)).content.decode()
    assert HOSTILE_SCRIPT not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
