"""The ruling admin's workflow buttons (SPEC.md, "Web admin"): they call the same services as the
API, are offered only to whoever may use them, and a forged POST changes nothing.
"""

import re
from html import escape
from html.parser import HTMLParser

import pytest
from django.contrib.messages import get_messages
from django.test import Client

from annotations import roles, services
from annotations.admin.rulings import offered_actions
from annotations.models import Decision, Review, Status

from ..factories import ArticleFactory
from ..helpers import CLAIMED, HOSTILE_IMG, HOSTILE_SCRIPT, reload, section

pytestmark = pytest.mark.django_db

HOSTILE = [HOSTILE_SCRIPT, HOSTILE_IMG]


def change_url(ruling):
    return f"/admin/annotations/ruling/{ruling.pk}/change/"


def action_url(ruling, action):
    return f"/admin/annotations/ruling/{ruling.pk}/{action}/"


def snapshot(ruling):
    fresh = reload(ruling)
    return {
        "status": fresh.status,
        "version": fresh.version,
        "published_at": fresh.published_at,
        "retraction_reason": fresh.retraction_reason,
        "reviews": list(fresh.reviews.values_list("reviewer__username", "decision")),
    }


def messages_of(response):
    return [(m.level_tag, m.message) for m in get_messages(response.wsgi_request)]


def post(client, ruling, action, **data):
    """POSTs a workflow button; it always answers by going back to the change page."""
    response = client.post(action_url(ruling, action), data)
    assert response.status_code == 302
    assert response["Location"] == change_url(ruling)
    return messages_of(response)


class Forms(HTMLParser):
    """Each <form>'s action and its named inputs' values, as a browser would submit them."""

    def __init__(self, html):
        super().__init__()
        self.forms = {}
        self._current = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._current = {"action": attrs.get("action"), "fields": {}}
            self.forms[attrs.get("id")] = self._current
        elif tag in ("input", "textarea") and self._current is not None and attrs.get("name"):
            self._current["fields"][attrs["name"]] = attrs.get("value", "")

    def handle_endtag(self, tag):
        if tag == "form":
            self._current = None


# --- Approve -------------------------------------------------------------------------------------


def test_an_editor_approves_from_the_admin_and_it_is_published(client, make_ruling, erin):
    ruling = make_ruling(Status.IN_REVIEW)
    client.force_login(erin)
    assert action_url(ruling, "approve") in client.get(change_url(ruling)).content.decode()

    messages = post(client, ruling, "approve", ruling_version=ruling.version)

    assert messages == [("success", f"Approved version {ruling.version}: the ruling is published.")]
    fresh = reload(ruling)
    assert fresh.status == Status.PUBLISHED
    assert fresh.published_at is not None
    review = Review.objects.get(ruling=ruling)
    assert (review.reviewer, review.decision, review.ruling_version) == (
        erin,
        Decision.APPROVE,
        ruling.version,
    )
    # The ruling's history names the editor, as for the API.
    assert fresh.history.latest().history_user == erin


def test_the_buttons_form_works_as_rendered_with_csrf_checks_on(make_ruling, erin):
    ruling = make_ruling(Status.IN_REVIEW)
    client = Client(enforce_csrf_checks=True)
    client.force_login(erin)

    refused = client.post(action_url(ruling, "approve"), {"ruling_version": ruling.version})
    assert refused.status_code == 403
    assert reload(ruling).status == Status.IN_REVIEW

    form = Forms(client.get(change_url(ruling)).content.decode()).forms["workflow-approve"]
    assert form["action"] == action_url(ruling, "approve")
    assert form["fields"]["ruling_version"] == str(ruling.version)
    assert form["fields"]["csrfmiddlewaretoken"]
    response = client.post(form["action"], form["fields"])
    assert response.status_code == 302
    assert reload(ruling).status == Status.PUBLISHED


def test_approval_short_of_the_quorum_says_how_many_are_needed(
    client, make_ruling, erin, frank, settings
):
    settings.FACTCHECK_REQUIRED_APPROVALS = 2
    ruling = make_ruling(Status.IN_REVIEW)
    client.force_login(erin)
    messages = post(client, ruling, "approve", ruling_version=ruling.version)
    assert messages == [
        ("success", f"Approved version {ruling.version}: 1 of 2 approvals needed to publish.")
    ]
    assert reload(ruling).status == Status.IN_REVIEW
    # Having approved this version, erin is not offered approve again; frank still is.
    assert action_url(ruling, "approve") not in client.get(change_url(ruling)).content.decode()
    client.force_login(frank)
    assert action_url(ruling, "approve") in client.get(change_url(ruling)).content.decode()


@pytest.mark.parametrize(
    ("author", "message"),
    [
        ("alice", "Only editors may review rulings."),
        ("erin", "Four eyes: you cannot review your own ruling."),
    ],
)
def test_the_author_is_not_offered_approval_and_a_forged_one_changes_nothing(
    client, make_ruling, alice, erin, author, message
):
    user = {"alice": alice, "erin": erin}[author]
    ruling = make_ruling(Status.IN_REVIEW, author=user)
    client.force_login(user)
    html = client.get(change_url(ruling)).content.decode()
    assert action_url(ruling, "approve") not in html
    assert action_url(ruling, "request-changes") not in html
    assert action_url(ruling, "submit") not in html

    before = snapshot(ruling)
    messages = post(client, ruling, "approve", ruling_version=ruling.version)
    assert messages == [("error", message)]
    assert snapshot(ruling) == before
    # The refusal is shown on the page the browser is sent back to.
    page = client.get(change_url(ruling)).content.decode()
    assert f'<li class="error">{escape(message)}</li>' in page


def test_an_approval_of_a_version_older_than_the_one_shown_is_refused(
    client, make_ruling, alice, erin
):
    ruling = make_ruling(Status.IN_REVIEW)
    client.force_login(erin)
    shown = Forms(client.get(change_url(ruling)).content.decode()).forms["workflow-approve"]
    # The author changes the ruling while erin reads the page.
    services.ruling_update(ruling=ruling, user=alice, summary="A late change.")
    before = snapshot(ruling)

    response = client.post(shown["action"], shown["fields"])
    assert response.status_code == 302
    ((level, message),) = messages_of(response)
    assert level == "error"
    assert f"You reviewed version {ruling.version}" in message
    assert snapshot(ruling) == before


def test_an_approval_without_a_version_is_refused(client, make_ruling, erin):
    ruling = make_ruling(Status.IN_REVIEW)
    client.force_login(erin)
    before = snapshot(ruling)
    ((level, message),) = post(client, ruling, "approve")
    assert level == "error"
    assert "which version" in message
    assert snapshot(ruling) == before


def test_workflow_urls_answer_only_posts(client, make_ruling, erin):
    ruling = make_ruling(Status.IN_REVIEW)
    client.force_login(erin)
    for action in ("submit", "approve", "request-changes", "retract"):
        assert client.get(action_url(ruling, action)).status_code == 405
    assert reload(ruling).status == Status.IN_REVIEW


def test_a_workflow_url_of_an_unknown_ruling_is_404(client, make_ruling, erin):
    ruling = make_ruling(Status.IN_REVIEW)
    client.force_login(erin)
    response = client.post(f"/admin/annotations/ruling/{ruling.pk + 1000}/approve/")
    assert response.status_code == 404


# --- Request changes -----------------------------------------------------------------------------


@pytest.mark.parametrize("comment", [None, "", "   \n"])
def test_requesting_changes_without_a_comment_is_refused(client, make_ruling, erin, comment):
    ruling = make_ruling(Status.IN_REVIEW)
    client.force_login(erin)
    data = {"ruling_version": ruling.version}
    if comment is not None:
        data["comment"] = comment
    before = snapshot(ruling)
    assert post(client, ruling, "request-changes", **data) == [
        ("error", "A comment is required to request changes.")
    ]
    assert snapshot(ruling) == before


def test_requesting_changes_returns_it_to_draft_and_lists_the_review(client, make_ruling, erin):
    ruling = make_ruling(Status.IN_REVIEW)
    client.force_login(erin)
    messages = post(
        client, ruling, "request-changes", ruling_version=ruling.version, comment="Cite a source."
    )
    assert messages == [("success", "Changes requested: the ruling is back in draft.")]
    assert reload(ruling).status == Status.DRAFT
    review = Review.objects.get(ruling=ruling)
    assert (review.reviewer, review.decision, review.comment) == (
        erin,
        Decision.REQUEST_CHANGES,
        "Cite a source.",
    )

    reviews = section(client.get(change_url(ruling)).content.decode(), "reviews")
    assert "<td>erin</td>" in reviews
    assert "<td>Request changes</td>" in reviews
    assert f"<td>{ruling.version} (current)</td>" in reviews
    assert '<td class="comment">Cite a source.</td>' in reviews


# --- Submit --------------------------------------------------------------------------------------


def test_the_author_submits_her_draft_from_the_admin(client, make_ruling, alice):
    ruling = make_ruling(Status.DRAFT)
    client.force_login(alice)
    assert action_url(ruling, "submit") in client.get(change_url(ruling)).content.decode()
    assert post(client, ruling, "submit") == [("success", "Submitted for review.")]
    fresh = reload(ruling)
    assert fresh.status == Status.IN_REVIEW
    assert fresh.history.latest().history_user == alice


def test_another_annotator_is_not_offered_submit_and_cannot_forge_it(client, make_ruling, bob):
    ruling = make_ruling(Status.DRAFT)
    client.force_login(bob)
    assert action_url(ruling, "submit") not in client.get(change_url(ruling)).content.decode()
    before = snapshot(ruling)
    assert post(client, ruling, "submit") == [
        ("error", "Only the ruling's author or an editor may submit it for review.")
    ]
    assert snapshot(ruling) == before


def test_a_draft_without_a_claim_is_offered_submit_but_the_service_refuses_it(
    client, make_ruling, alice
):
    ruling = make_ruling(Status.DRAFT)
    services.ruling_update(ruling=ruling, user=alice, annotations=[])
    client.force_login(alice)
    before = snapshot(ruling)
    assert post(client, ruling, "submit") == [
        ("error", "A ruling must link at least one claim span before it is submitted.")
    ]
    assert snapshot(ruling) == before


# --- Retract -------------------------------------------------------------------------------------


@pytest.mark.parametrize("reason", [None, "", "  \t"])
def test_retracting_needs_a_reason(client, make_ruling, erin, reason):
    ruling = make_ruling(Status.PUBLISHED)
    client.force_login(erin)
    before = snapshot(ruling)
    data = {} if reason is None else {"reason": reason}
    assert post(client, ruling, "retract", **data) == [
        ("error", "A reason is required to retract a ruling.")
    ]
    assert snapshot(ruling) == before


def test_an_editor_retracts_with_a_reason(client, make_ruling, erin):
    ruling = make_ruling(Status.PUBLISHED)
    client.force_login(erin)
    assert action_url(ruling, "retract") in client.get(change_url(ruling)).content.decode()
    assert post(client, ruling, "retract", reason="The figures were revised.") == [
        ("success", "Retracted. It stays public with its reason.")
    ]
    fresh = reload(ruling)
    assert (fresh.status, fresh.retraction_reason) == (
        Status.RETRACTED,
        "The figures were revised.",
    )
    html = client.get(change_url(ruling)).content.decode()
    assert "Retraction reason: The figures were revised." in html
    assert "No workflow step is open to you on this ruling now." in html


def test_an_annotator_is_not_offered_retraction_and_cannot_forge_it(client, make_ruling, alice):
    ruling = make_ruling(Status.PUBLISHED)
    client.force_login(alice)
    assert action_url(ruling, "retract") not in client.get(change_url(ruling)).content.decode()
    before = snapshot(ruling)
    assert post(client, ruling, "retract", reason="I changed my mind.") == [
        ("error", "Only editors may retract rulings.")
    ]
    assert snapshot(ruling) == before


# --- Which buttons are offered -------------------------------------------------------------------


def allowed_actions(user, ruling, *, approved_current_version=False, contributor=False):
    """The workflow buttons the admin offers, from the server's one decision (roles)."""
    permissions = roles.ruling_permissions(
        user,
        author_id=ruling.author_id,
        status=ruling.status,
        contributor=contributor,
        approved=approved_current_version,
        reviewed=False,
    )
    return offered_actions(permissions)


@pytest.mark.parametrize(
    ("who", "status", "expected"),
    [
        ("alice", Status.DRAFT, ["submit"]),
        ("bob", Status.DRAFT, []),
        ("erin", Status.DRAFT, ["submit"]),
        ("alice", Status.IN_REVIEW, []),
        ("bob", Status.IN_REVIEW, []),
        ("erin", Status.IN_REVIEW, ["approve", "request_changes"]),
        ("root", Status.IN_REVIEW, ["approve", "request_changes"]),
        ("alice", Status.PUBLISHED, []),
        ("erin", Status.PUBLISHED, ["retract"]),
        ("erin", Status.RETRACTED, []),
        ("root", Status.RETRACTED, []),
    ],
)
def test_allowed_actions_follow_role_status_and_author(
    make_ruling, alice, bob, erin, root, who, status, expected
):
    user = {"alice": alice, "bob": bob, "erin": erin, "root": root}[who]
    ruling = make_ruling(status)
    assert allowed_actions(user, ruling) == expected


def test_an_editor_is_not_offered_approval_of_a_version_already_approved(make_ruling, erin):
    ruling = make_ruling(Status.IN_REVIEW)
    assert allowed_actions(erin, ruling, approved_current_version=True) == ["request_changes"]


def test_an_editor_who_changed_the_ruling_may_request_changes_but_not_approve(
    client, make_ruling, erin, frank
):
    ruling = make_ruling(Status.IN_REVIEW)
    services.ruling_update(ruling=ruling, user=erin, summary="Erin's sharper reasoning.")
    ruling = reload(ruling)
    assert allowed_actions(erin, ruling, contributor=True) == ["request_changes"]

    client.force_login(erin)
    html = client.get(change_url(ruling)).content.decode()
    assert action_url(ruling, "approve") not in html
    assert action_url(ruling, "request-changes") in html
    assert "another editor must approve it" in section(html, "workflow")
    before = snapshot(ruling)
    ((level, message),) = post(client, ruling, "approve", ruling_version=ruling.version)
    assert (level, message.startswith("Four eyes")) == ("error", True)
    assert snapshot(ruling) == before

    # frank wrote none of it: he is offered approval of the version shown, and it publishes.
    client.force_login(frank)
    form = Forms(client.get(change_url(ruling)).content.decode()).forms["workflow-approve"]
    assert form["fields"]["ruling_version"] == str(ruling.version)
    response = client.post(form["action"], form["fields"])
    assert response.status_code == 302
    assert reload(ruling).status == Status.PUBLISHED


def test_an_editor_who_authored_the_ruling_is_offered_only_what_the_author_may_do(
    make_ruling, erin
):
    assert allowed_actions(erin, make_ruling(Status.DRAFT, author=erin)) == ["submit"]
    assert (
        allowed_actions(erin, make_ruling(Status.IN_REVIEW, author=erin, statement="Another")) == []
    )


# --- The "awaiting my review" filter -------------------------------------------------------------


def test_the_awaiting_my_review_filter(client, make_ruling, alice, erin, frank, settings):
    settings.FACTCHECK_REQUIRED_APPROVALS = 2
    fresh = make_ruling(Status.IN_REVIEW, statement="Fresh")
    own = make_ruling(Status.IN_REVIEW, author=erin, statement="Erin's own")
    approved = make_ruling(Status.IN_REVIEW, statement="Approved by erin")
    services.review_create(ruling=approved, reviewer=erin, decision=Decision.APPROVE)
    changed = make_ruling(Status.IN_REVIEW, statement="Changed since erin approved")
    services.review_create(ruling=changed, reviewer=erin, decision=Decision.APPROVE)
    services.ruling_update(ruling=changed, user=alice, summary="New reasoning.")
    resubmitted = make_ruling(Status.IN_REVIEW, statement="Resubmitted")
    services.review_create(
        ruling=resubmitted, reviewer=erin, decision=Decision.REQUEST_CHANGES, comment="Source?"
    )
    services.ruling_submit(ruling=resubmitted, user=alice)
    draft = make_ruling(Status.DRAFT, statement="Draft")
    published = make_ruling(Status.PUBLISHED, statement="Published")

    def listed(user, query="?awaiting=me"):
        client.force_login(user)
        response = client.get(f"/admin/annotations/ruling/{query}")
        assert response.status_code == 200
        return {ruling.statement for ruling in response.context["cl"].result_list}

    assert listed(erin) == {fresh.statement, changed.statement, resubmitted.statement}
    assert listed(frank) == {
        fresh.statement,
        own.statement,
        approved.statement,
        changed.statement,
        resubmitted.statement,
    }
    # Annotators review nothing.
    assert listed(alice) == set()
    everything = {r.statement for r in (fresh, own, approved, changed, resubmitted, draft)}
    assert listed(erin, query="") == everything | {published.statement}
    client.force_login(erin)
    assert "?awaiting=me" in client.get("/admin/annotations/ruling/").content.decode()


# --- The changelist's span counts ---------------------------------------------------------------


class Cells(HTMLParser):
    """The changelist's cells, row by row: {statement: {column class: text}}."""

    def __init__(self, html):
        super().__init__()
        self.rows = []
        self._cell = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "tr":
            self.rows.append({})
        elif tag in ("td", "th") and self.rows:
            classes = (attrs.get("class") or "").split()
            self._cell = next((c[len("field-") :] for c in classes if c.startswith("field-")), None)
            if self._cell:
                self.rows[-1][self._cell] = ""

    def handle_data(self, data):
        if self._cell:
            self.rows[-1][self._cell] += data

    def handle_endtag(self, tag):
        if tag in ("td", "th"):
            self._cell = None

    def by(self, column):
        return {row[column].strip(): row for row in self.rows if column in row}


def test_the_changelist_counts_each_rulings_spans_by_kind(client, article, alice, erin):
    ruling = services.ruling_create(**CLAIMED, author=alice, statement="Counted", rating="false")
    for kind, quote in [
        ("claim", "terrorists trained abroad"),
        ("claim", "Officials blamed"),
        ("evidence", "fuel prices"),
    ]:
        services.span_create(
            article=article, kind=kind, author=alice, quote=quote, rulings=[ruling]
        )
    # A span of another ruling, and a ruling with none: neither changes the counts above.
    other = services.ruling_create(**CLAIMED, author=alice, statement="Other", rating="true")
    services.span_create(
        article=article, kind="disputed", author=alice, quote="Protests began", rulings=[other]
    )
    services.ruling_create(**CLAIMED, author=alice, statement="Empty", rating="mixed")

    client.force_login(erin)
    response = client.get("/admin/annotations/ruling/")
    assert response.status_code == 200
    rows = Cells(response.content.decode()).by("statement")
    counts = {
        statement: tuple(rows[statement][c].strip() for c in ("claims", "evidence", "disputed"))
        for statement in ("Counted", "Other", "Empty")
    }
    assert counts == {
        "Counted": ("2", "1", "0"),
        "Other": ("0", "0", "1"),
        "Empty": ("0", "0", "0"),
    }
    # The column headers name the kinds.
    html = response.content.decode()
    for header in ("Claims", "Evidence", "Disputed"):
        assert re.search(rf"<a [^>]*>{header}</a>", html), header


# --- The change page shows spans in context and escapes text ----------------------------------


def test_the_change_page_shows_each_linked_span_in_context(client, make_ruling, article, erin):
    ruling = make_ruling(Status.IN_REVIEW)
    evidence = services.span_create(
        article=article, kind="evidence", author=erin, quote="fuel prices", rulings=[ruling]
    )
    ruling = reload(ruling)
    claim = ruling.annotations.get(kind="claim")
    client.force_login(erin)
    spans = section(client.get(change_url(ruling)).content.decode(), "linked-spans")

    for span in (claim, evidence):
        assert span.prefix and span.suffix
        # The context is cut to whole words: the stored prefix's first, partial word is gone.
        before = span.prefix.split(" ", 1)[1]
        assert f'{before}<mark class="{span.kind}">{span.quote}</mark>' in spans
        assert f'href="/admin/annotations/annotation/{span.pk}/change/"' in spans
    assert "<h3>Claims (1)</h3>" in spans
    assert "<h3>Evidence (1)</h3>" in spans
    assert "<h3>Disputed (0)</h3>" in spans
    assert article.title in spans


def test_the_change_page_escapes_hostile_text(client, alice, erin):
    hostile = " ".join(HOSTILE)
    article = ArticleFactory(
        title=f"Title {hostile}",
        publisher=f"Publisher {hostile}",
        body=f"Officials said {hostile} and blamed terrorists trained abroad.",
    )
    ruling = services.ruling_create(
        **CLAIMED, author=alice, statement=f"Statement {hostile}", rating="false", summary=hostile
    )
    services.span_create(
        article=article, kind="claim", author=alice, quote=hostile, rulings=[ruling]
    )
    services.ruling_submit(ruling=ruling, user=alice)
    services.review_create(
        ruling=reload(ruling), reviewer=erin, decision=Decision.REQUEST_CHANGES, comment=hostile
    )
    client.force_login(erin)
    response = client.get(change_url(ruling))
    assert response.status_code == 200
    html = response.content.decode()

    for text in HOSTILE:
        assert text not in html
    spans = section(html, "linked-spans")
    assert f'<mark class="claim">{escape(hostile, quote=False)}</mark>' in spans
    assert f"in Title {escape(hostile, quote=False)}, Publisher" in spans
    reviews = section(html, "reviews")
    assert f'<td class="comment">{escape(hostile, quote=False)}</td>' in reviews


def test_an_approval_given_before_a_request_for_changes_awaits_the_editor_again(
    client, make_ruling, alice, erin, frank, settings
):
    settings.FACTCHECK_REQUIRED_APPROVALS = 2
    ruling = make_ruling(Status.IN_REVIEW, statement="Objected to")
    services.review_create(ruling=ruling, reviewer=erin, decision=Decision.APPROVE)
    services.review_create(
        ruling=ruling, reviewer=frank, decision=Decision.REQUEST_CHANGES, comment="Source?"
    )
    services.ruling_submit(ruling=reload(ruling), user=alice)
    client.force_login(erin)
    response = client.get("/admin/annotations/ruling/?awaiting=me")
    assert [r.statement for r in response.context["cl"].result_list] == ["Objected to"]
    page = client.get(change_url(ruling)).content.decode()
    # Her old approval lapsed with frank's objection, so approving is offered again.
    assert action_url(ruling, "approve") in page
