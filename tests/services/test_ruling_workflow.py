"""The verdict workflow of SPEC.md: every allowed and every forbidden transition, by role and state.

draft --submit--> in_review --approve (enough approvals)--> published --retract--> retracted
                     |--request_changes (comment required)--> draft

Every refusal is checked with `refused(...)`, which also re-reads the ruling from the database
and asserts that nothing about it (status, version, content, links, reviews) changed.
"""

from contextlib import contextmanager

import pytest
from django.utils import timezone

from annotations import selectors, services
from annotations.errors import Conflict, InvalidInput, PermissionDenied
from annotations.models import Annotation, AnnotationRuling, Decision, Review, Ruling, Status

from ..helpers import CLAIMED, EVIDENCE, approve, reload

pytestmark = pytest.mark.django_db


def _snapshot(ruling):
    fresh = Ruling.objects.get(pk=ruling.pk)
    return {
        "status": fresh.status,
        "version": fresh.version,
        "statement": fresh.statement,
        "rating": fresh.rating,
        "summary": fresh.summary,
        "published_at": fresh.published_at,
        "retraction_reason": fresh.retraction_reason,
        "supersedes": fresh.supersedes_id,
        "links": sorted(fresh.links.values_list("annotation_id", flat=True)),
        "reviews": fresh.reviews.count(),
    }


@contextmanager
def refused(error, ruling, *, field=None):
    """The call inside raises `error` (naming `field`, if given) and leaves `ruling` unchanged."""
    before = _snapshot(ruling)
    with pytest.raises(error) as info:
        yield info
    assert type(info.value) is error
    assert info.value.message
    if field is not None:
        assert info.value.field == field
    assert _snapshot(ruling) == before


@pytest.fixture
def evidence(article, alice):
    return services.span_create(article=article, kind="evidence", author=alice, quote=EVIDENCE)


@pytest.fixture
def users(alice, bob, erin, frank):
    return {"alice": alice, "bob": bob, "erin": erin, "frank": frank}


# --- Submit: draft -> in_review ------------------------------------------------------------------


@pytest.mark.parametrize("who", ["alice", "erin"])
def test_the_author_or_an_editor_submits_a_draft(make_ruling, users, who):
    ruling = make_ruling()
    services.ruling_submit(ruling=ruling, user=users[who])
    fresh = reload(ruling)
    assert fresh.status == Status.IN_REVIEW
    assert fresh.version == ruling.version
    assert fresh.published_at is None


def test_another_annotator_cannot_submit(make_ruling, bob):
    ruling = make_ruling()
    with refused(PermissionDenied, ruling):
        services.ruling_submit(ruling=ruling, user=bob)


@pytest.mark.parametrize("linked", ["nothing", "evidence only"])
def test_it_will_not_submit_without_a_claim_span(make_ruling, evidence, alice, linked):
    ruling = make_ruling(spans=[] if linked == "nothing" else [evidence])
    with refused(Conflict, ruling) as info:
        services.ruling_submit(ruling=ruling, user=alice)
    assert "claim" in info.value.message


@pytest.mark.parametrize("who", ["alice", "erin"])
@pytest.mark.parametrize("status", [Status.IN_REVIEW, Status.PUBLISHED, Status.RETRACTED])
def test_only_drafts_can_be_submitted(make_ruling, users, status, who):
    ruling = make_ruling(status)
    with refused(Conflict, ruling):
        services.ruling_submit(ruling=ruling, user=users[who])


# --- Approve: in_review -> published -------------------------------------------------------------


def test_an_editors_approval_publishes_it(make_ruling, erin):
    ruling = make_ruling(Status.IN_REVIEW)
    before = timezone.now()
    review = approve(ruling, erin)
    fresh = reload(ruling)
    assert fresh.status == Status.PUBLISHED
    assert before <= fresh.published_at <= timezone.now()
    assert (review.reviewer, review.decision, review.ruling_version) == (
        erin,
        Decision.APPROVE,
        fresh.version,
    )
    assert services.approvals_of_current_version(fresh) == 1


def test_an_approval_naming_the_current_version_counts(make_ruling, erin):
    ruling = make_ruling(Status.IN_REVIEW)
    approve(ruling, erin, ruling_version=ruling.version)
    assert reload(ruling).status == Status.PUBLISHED


@pytest.mark.parametrize("decision", [Decision.APPROVE, Decision.REQUEST_CHANGES])
def test_an_editor_cannot_review_their_own_ruling(make_ruling, erin, decision):
    ruling = make_ruling(Status.IN_REVIEW, author=erin)
    with refused(PermissionDenied, ruling):
        services.review_create(ruling=ruling, reviewer=erin, decision=decision, comment="Fix it.")


@pytest.mark.parametrize("who", ["alice", "bob"])
@pytest.mark.parametrize("decision", [Decision.APPROVE, Decision.REQUEST_CHANGES])
def test_annotators_cannot_review(make_ruling, users, who, decision):
    ruling = make_ruling(Status.IN_REVIEW)
    with refused(PermissionDenied, ruling):
        services.review_create(
            ruling=ruling, reviewer=users[who], decision=decision, comment="Fix it."
        )


@pytest.mark.parametrize("decision", [Decision.APPROVE, Decision.REQUEST_CHANGES])
@pytest.mark.parametrize("status", [Status.DRAFT, Status.PUBLISHED, Status.RETRACTED])
def test_only_rulings_in_review_can_be_reviewed(make_ruling, erin, status, decision):
    ruling = make_ruling(status)
    with refused(Conflict, ruling):
        services.review_create(ruling=ruling, reviewer=erin, decision=decision, comment="Fix it.")


def test_approving_a_stale_version_is_refused(make_ruling, alice, erin):
    ruling = make_ruling(Status.IN_REVIEW)
    old = ruling.version
    services.ruling_update(ruling=ruling, user=alice, summary="A better summary.")
    ruling = reload(ruling)
    assert ruling.version == old + 1
    with refused(Conflict, ruling, field="ruling_version"):
        approve(ruling, erin, ruling_version=old)


def test_an_approval_counts_only_for_the_version_it_reviewed(
    make_ruling, alice, erin, frank, settings
):
    settings.FACTCHECK_REQUIRED_APPROVALS = 2
    ruling = make_ruling(Status.IN_REVIEW)
    v1 = ruling.version
    approve(ruling, erin)
    assert services.approvals_of_current_version(reload(ruling)) == 1

    services.ruling_update(ruling=ruling, user=alice, statement="No evidence of any training")
    ruling = reload(ruling)
    assert ruling.version == v1 + 1
    assert ruling.status == Status.IN_REVIEW
    assert services.approvals_of_current_version(ruling) == 0

    approve(ruling, frank)
    ruling = reload(ruling)
    assert ruling.status == Status.IN_REVIEW
    assert ruling.published_at is None
    assert services.approvals_of_current_version(ruling) == 1

    approve(ruling, erin)
    ruling = reload(ruling)
    assert ruling.status == Status.PUBLISHED
    assert ruling.published_at is not None


def test_two_required_approvals_need_two_distinct_editors(make_ruling, erin, frank, settings):
    settings.FACTCHECK_REQUIRED_APPROVALS = 2
    ruling = make_ruling(Status.IN_REVIEW)
    approve(ruling, erin)
    ruling = reload(ruling)
    assert ruling.status == Status.IN_REVIEW
    assert ruling.published_at is None

    with refused(Conflict, ruling):
        approve(ruling, erin)

    approve(ruling, frank)
    ruling = reload(ruling)
    assert ruling.status == Status.PUBLISHED
    assert ruling.published_at is not None
    assert services.approvals_of_current_version(ruling) == 2


def test_linking_a_span_bumps_the_version_and_voids_earlier_approvals(
    make_ruling, article, alice, erin, frank, settings
):
    settings.FACTCHECK_REQUIRED_APPROVALS = 2
    ruling = make_ruling(Status.IN_REVIEW)
    v1 = ruling.version
    approve(ruling, erin)

    services.span_create(
        article=article, kind="evidence", author=alice, quote=EVIDENCE, rulings=[ruling]
    )
    ruling = reload(ruling)
    assert ruling.version == v1 + 1

    approve(ruling, frank)
    ruling = reload(ruling)
    assert ruling.status == Status.IN_REVIEW
    assert services.approvals_of_current_version(ruling) == 1


def test_changing_links_through_the_ruling_bumps_the_version(make_ruling, claim, evidence, alice):
    ruling = make_ruling(Status.IN_REVIEW)
    v1 = ruling.version
    services.ruling_update(ruling=ruling, user=alice, annotations=[claim, evidence])
    assert reload(ruling).version == v1 + 1
    services.ruling_update(ruling=ruling, user=alice, annotations=[claim])
    assert reload(ruling).version == v1 + 2
    # The same set again is no change.
    services.ruling_update(ruling=ruling, user=alice, annotations=[claim])
    assert reload(ruling).version == v1 + 2


@pytest.mark.parametrize(
    "change",
    [{"kind": "evidence"}, {"quote": "trained abroad"}],
    ids=["kind", "quote"],
)
def test_changing_a_linked_span_bumps_the_version_and_voids_earlier_approvals(
    make_ruling, claim, evidence, erin, frank, settings, change
):
    # The ruling's detail embeds its spans (kind and quote) and its ETag is built from its
    # version: what erin approved is no longer what would be published.
    settings.FACTCHECK_REQUIRED_APPROVALS = 2
    ruling = make_ruling(Status.IN_REVIEW, spans=[claim, evidence])
    v1 = ruling.version
    approve(ruling, erin)

    services.span_update(annotation=claim, user=erin, **change)
    ruling = reload(ruling)
    assert ruling.version == v1 + 1

    approve(ruling, frank)
    ruling = reload(ruling)
    assert ruling.status == Status.IN_REVIEW
    assert services.approvals_of_current_version(ruling) == 1


# --- Four eyes: whoever wrote any of the content does not approve it ----------------------------


def test_an_editor_who_rewrote_the_ruling_cannot_approve_it(make_ruling, erin, frank):
    ruling = make_ruling(Status.IN_REVIEW)
    services.ruling_update(ruling=ruling, user=erin, statement="Erin's own wording")
    with pytest.raises(PermissionDenied, match="Four eyes"):
        approve(reload(ruling), erin)
    assert reload(ruling).status == Status.IN_REVIEW
    approve(reload(ruling), frank)
    assert reload(ruling).status == Status.PUBLISHED


@pytest.mark.parametrize(
    "change", [{"kind": "disputed"}, {"quote": "trained abroad"}], ids=["kind", "quote"]
)
def test_an_editor_who_changed_a_linked_span_cannot_approve_the_ruling(
    make_ruling, claim, evidence, erin, frank, change
):
    ruling = make_ruling(Status.IN_REVIEW, spans=[claim, evidence])
    services.span_update(annotation=evidence, user=erin, **change)
    with pytest.raises(PermissionDenied, match="Four eyes"):
        approve(reload(ruling), erin)
    approve(reload(ruling), frank)
    assert reload(ruling).status == Status.PUBLISHED


def test_an_editor_who_relinked_the_ruling_cannot_approve_it(make_ruling, claim, evidence, erin):
    ruling = make_ruling(Status.IN_REVIEW)
    services.ruling_update(ruling=ruling, user=erin, annotations=[claim, evidence])
    with pytest.raises(PermissionDenied, match="Four eyes"):
        approve(reload(ruling), erin)


def test_a_contributor_may_still_request_changes(make_ruling, erin):
    ruling = make_ruling(Status.IN_REVIEW)
    services.ruling_update(ruling=ruling, user=erin, summary="Erin's reasoning")
    services.review_create(
        ruling=reload(ruling), reviewer=erin, decision=Decision.REQUEST_CHANGES, comment="Source?"
    )
    assert reload(ruling).status == Status.DRAFT


def test_submitting_or_sending_back_is_not_writing_it(make_ruling, alice, erin, frank):
    # Status changes carry no content: the editor who submitted alice's draft, or who sent it
    # back once, may approve it later.
    ruling = make_ruling(Status.DRAFT)
    services.ruling_submit(ruling=ruling, user=erin)
    services.review_create(
        ruling=reload(ruling), reviewer=frank, decision=Decision.REQUEST_CHANGES, comment="Why?"
    )
    services.ruling_submit(ruling=reload(ruling), user=alice)
    approve(reload(ruling), frank)
    assert reload(ruling).status == Status.PUBLISHED


def test_rulings_awaiting_review_leave_out_those_the_editor_wrote_part_of(make_ruling, erin, frank):
    mine, other = make_ruling(Status.IN_REVIEW), make_ruling(Status.IN_REVIEW)
    services.ruling_update(ruling=mine, user=erin, summary="Erin's reasoning")
    assert set(selectors.rulings_awaiting_review(erin)) == {other}
    assert set(selectors.rulings_awaiting_review(frank)) == {reload(mine), other}
    assert selectors.is_contributor(erin, reload(mine))
    assert not selectors.is_contributor(frank, reload(mine))


# --- Request changes: in_review -> draft ---------------------------------------------------------


@pytest.mark.parametrize("comment", ["", "   \n", None])
def test_requesting_changes_needs_a_comment(make_ruling, erin, comment):
    ruling = make_ruling(Status.IN_REVIEW)
    with refused(InvalidInput, ruling, field="comment"):
        services.review_create(
            ruling=ruling, reviewer=erin, decision=Decision.REQUEST_CHANGES, comment=comment
        )


def test_requesting_changes_returns_it_to_draft_and_it_can_be_resubmitted(make_ruling, alice, erin):
    ruling = make_ruling(Status.IN_REVIEW)
    review = services.review_create(
        ruling=ruling, reviewer=erin, decision=Decision.REQUEST_CHANGES, comment=" Cite a source. "
    )
    assert review.comment == "Cite a source."
    ruling = reload(ruling)
    assert ruling.status == Status.DRAFT
    assert ruling.published_at is None

    services.ruling_update(ruling=ruling, user=alice, summary="The source is cited now.")
    services.ruling_submit(ruling=ruling, user=alice)
    assert reload(ruling).status == Status.IN_REVIEW

    approve(ruling, erin)
    assert reload(ruling).status == Status.PUBLISHED


@pytest.mark.parametrize("decision", ["reject", "", None, "APPROVE"])
def test_an_unknown_decision_is_refused(make_ruling, erin, decision):
    ruling = make_ruling(Status.IN_REVIEW)
    with refused(InvalidInput, ruling, field="decision"):
        services.review_create(ruling=ruling, reviewer=erin, decision=decision, comment="x")


# --- Published (and retracted) rulings are immutable ---------------------------------------------


@pytest.mark.parametrize("who", ["alice", "erin"])
@pytest.mark.parametrize("status", [Status.PUBLISHED, Status.RETRACTED])
def test_a_public_ruling_cannot_be_edited(make_ruling, users, status, who):
    ruling = make_ruling(status)
    with refused(Conflict, ruling):
        services.ruling_update(ruling=ruling, user=users[who], summary="Quietly changed.")
    with refused(Conflict, ruling):
        services.ruling_update(ruling=ruling, user=users[who], rating="false")


@pytest.mark.parametrize("who", ["alice", "erin"])
@pytest.mark.parametrize("status", [Status.PUBLISHED, Status.RETRACTED])
def test_a_public_ruling_cannot_be_deleted(make_ruling, users, status, who):
    ruling = make_ruling(status)
    with refused(Conflict, ruling):
        services.ruling_delete(ruling=ruling, user=users[who])


@pytest.mark.parametrize("status", [Status.PUBLISHED, Status.RETRACTED])
def test_no_span_can_be_linked_to_a_public_ruling(make_ruling, article, evidence, erin, status):
    ruling = make_ruling(status)
    with refused(Conflict, ruling):
        services.span_create(
            article=article, kind="disputed", author=erin, quote="Protests", rulings=[ruling]
        )
    assert not Annotation.objects.filter(quote="Protests").exists()
    with refused(Conflict, ruling):
        services.span_update(annotation=evidence, user=erin, rulings=[ruling])
    with refused(Conflict, ruling):
        services.ruling_update(
            ruling=ruling, user=erin, annotations=[*ruling.annotations.all(), evidence]
        )
    assert not evidence.links.exists()


@pytest.mark.parametrize("status", [Status.PUBLISHED, Status.RETRACTED])
def test_no_span_can_be_unlinked_from_a_public_ruling(make_ruling, claim, erin, status):
    ruling = make_ruling(status)
    with refused(Conflict, ruling):
        services.span_update(annotation=claim, user=erin, rulings=[])
    with refused(Conflict, ruling):
        services.ruling_update(ruling=ruling, user=erin, annotations=[])
    assert AnnotationRuling.objects.filter(annotation=claim, ruling=ruling).exists()


@pytest.mark.parametrize(
    "change",
    [
        {"kind": "evidence"},
        {"quote": "trained abroad"},
        {"start": 0, "end": 8},
    ],
    ids=["kind", "quote", "offsets"],
)
def test_a_span_linked_to_a_published_ruling_keeps_its_kind_and_text(
    make_ruling, claim, erin, change
):
    ruling = make_ruling(Status.PUBLISHED)
    before = Annotation.objects.get(pk=claim.pk)
    with refused(Conflict, ruling):
        services.span_update(annotation=claim, user=erin, **change)
    fresh = Annotation.objects.get(pk=claim.pk)
    assert (fresh.kind, fresh.start, fresh.end, fresh.quote, fresh.version) == (
        before.kind,
        before.start,
        before.end,
        before.quote,
        before.version,
    )


def test_a_note_on_a_span_linked_to_a_published_ruling_can_change(make_ruling, claim, alice):
    ruling = make_ruling(Status.PUBLISHED)
    before = _snapshot(ruling)
    services.span_update(annotation=claim, user=alice, note="Repeated in two outlets.")
    assert Annotation.objects.get(pk=claim.pk).note == "Repeated in two outlets."
    assert _snapshot(ruling) == before


@pytest.mark.parametrize("who", ["alice", "erin"])
@pytest.mark.parametrize("status", [Status.PUBLISHED, Status.RETRACTED])
def test_a_span_linked_to_a_public_ruling_cannot_be_deleted(make_ruling, claim, users, status, who):
    ruling = make_ruling(status)
    with refused(Conflict, ruling):
        services.span_delete(annotation=claim, user=users[who])
    assert Annotation.objects.filter(pk=claim.pk).exists()
    assert AnnotationRuling.objects.filter(annotation=claim, ruling=ruling).exists()


@pytest.mark.parametrize("status", [Status.DRAFT, Status.IN_REVIEW])
def test_a_span_linked_only_to_unpublished_rulings_can_be_deleted(
    make_ruling, claim, alice, status
):
    ruling = make_ruling(status)
    version = ruling.version
    services.span_delete(annotation=claim, user=alice)
    assert not Annotation.objects.filter(pk=claim.pk).exists()
    ruling = reload(ruling)
    assert ruling.status == status
    assert ruling.version == version + 1


# --- Retract: published -> retracted -------------------------------------------------------------


def test_an_editor_retracts_a_published_ruling_with_a_reason(make_ruling, erin):
    ruling = make_ruling(Status.PUBLISHED)
    services.ruling_retract(ruling=ruling, user=erin, reason="  The figures were revised.  ")
    fresh = reload(ruling)
    assert fresh.status == Status.RETRACTED
    assert fresh.retraction_reason == "The figures were revised."
    assert fresh.published_at == ruling.published_at
    assert fresh.version == ruling.version


@pytest.mark.parametrize("reason", [None, "", "  \n\t"])
def test_a_retraction_needs_a_reason(make_ruling, erin, reason):
    ruling = make_ruling(Status.PUBLISHED)
    with refused(InvalidInput, ruling, field="reason"):
        services.ruling_retract(ruling=ruling, user=erin, reason=reason)


@pytest.mark.parametrize("who", ["alice", "bob"])
def test_annotators_cannot_retract(make_ruling, users, who):
    ruling = make_ruling(Status.PUBLISHED)
    with refused(PermissionDenied, ruling):
        services.ruling_retract(ruling=ruling, user=users[who], reason="I changed my mind.")


@pytest.mark.parametrize("status", [Status.DRAFT, Status.IN_REVIEW, Status.RETRACTED])
def test_only_published_rulings_can_be_retracted(make_ruling, erin, status):
    ruling = make_ruling(status)
    with refused(Conflict, ruling):
        services.ruling_retract(ruling=ruling, user=erin, reason="Wrong.")


# --- Supersedes ----------------------------------------------------------------------------------


def test_an_editor_drafts_a_ruling_that_supersedes_a_retracted_one(make_ruling, erin):
    old = make_ruling(Status.RETRACTED)
    new = services.ruling_create(
        **CLAIMED, author=erin, statement="Revised verdict", rating="misleading", supersedes=old
    )
    new = reload(new)
    assert new.status == Status.DRAFT
    assert new.supersedes == old
    assert reload(old).superseded_by == new


def test_an_editor_sets_supersedes_on_a_draft(make_ruling, erin):
    old = make_ruling(Status.RETRACTED)
    draft = make_ruling(author=erin)
    services.ruling_update(ruling=draft, user=erin, supersedes=old)
    fresh = reload(draft)
    assert fresh.supersedes == old
    assert fresh.version == draft.version + 1


@pytest.mark.parametrize("status", [Status.DRAFT, Status.IN_REVIEW, Status.PUBLISHED])
def test_only_a_retracted_ruling_can_be_superseded(make_ruling, erin, status):
    target = make_ruling(status)
    with refused(Conflict, target, field="supersedes"):
        services.ruling_create(
            **CLAIMED, author=erin, statement="New", rating="false", supersedes=target
        )
    assert not Ruling.objects.filter(statement="New").exists()
    draft = make_ruling(author=erin)
    with refused(Conflict, draft, field="supersedes"):
        services.ruling_update(ruling=draft, user=erin, supersedes=target)


def test_annotators_cannot_set_supersedes(make_ruling, alice):
    old = make_ruling(Status.RETRACTED)
    with refused(PermissionDenied, old):
        services.ruling_create(
            **CLAIMED, author=alice, statement="New", rating="false", supersedes=old
        )
    assert not Ruling.objects.filter(statement="New").exists()
    draft = make_ruling()
    with refused(PermissionDenied, draft):
        services.ruling_update(ruling=draft, user=alice, supersedes=old)


def test_a_ruling_is_superseded_only_once(make_ruling, erin):
    old = make_ruling(Status.RETRACTED)
    first = services.ruling_create(
        **CLAIMED, author=erin, statement="First replacement", rating="false", supersedes=old
    )
    with refused(Conflict, old, field="supersedes"):
        services.ruling_create(
            **CLAIMED, author=erin, statement="Second replacement", rating="false", supersedes=old
        )
    draft = make_ruling(author=erin)
    with refused(Conflict, draft, field="supersedes"):
        services.ruling_update(ruling=draft, user=erin, supersedes=old)
    assert reload(old).superseded_by == first
    # Saving the first replacement again with the same target is not a second superseder.
    services.ruling_update(ruling=first, user=erin, supersedes=old, summary="Reasons.")
    assert reload(first).supersedes == old


# --- Edit and delete drafts ----------------------------------------------------------------------


@pytest.mark.parametrize("who", ["alice", "erin"])
def test_the_author_or_an_editor_deletes_a_draft(make_ruling, claim, users, who):
    ruling = make_ruling()
    services.ruling_delete(ruling=ruling, user=users[who])
    assert not Ruling.objects.filter(pk=ruling.pk).exists()
    assert not AnnotationRuling.objects.filter(ruling_id=ruling.pk).exists()
    # The span itself stays.
    assert Annotation.objects.filter(pk=claim.pk).exists()


def test_another_annotator_cannot_delete_or_edit_a_draft(make_ruling, bob):
    ruling = make_ruling()
    with refused(PermissionDenied, ruling):
        services.ruling_delete(ruling=ruling, user=bob)
    with refused(PermissionDenied, ruling):
        services.ruling_update(ruling=ruling, user=bob, summary="Mine now.")


@pytest.mark.parametrize("who", ["alice", "erin"])
def test_a_ruling_in_review_cannot_be_deleted(make_ruling, users, who):
    ruling = make_ruling(Status.IN_REVIEW)
    with refused(Conflict, ruling):
        services.ruling_delete(ruling=ruling, user=users[who])


@pytest.mark.parametrize("who", ["alice", "erin"])
def test_a_draft_edit_bumps_the_version(make_ruling, users, who):
    ruling = make_ruling()
    services.ruling_update(ruling=ruling, user=users[who], rating="false", summary="New reasons.")
    fresh = reload(ruling)
    assert (fresh.rating, fresh.summary, fresh.version) == (
        "false",
        "New reasons.",
        ruling.version + 1,
    )


def test_reviews_are_kept_for_each_decision(make_ruling, alice, erin, frank):
    ruling = make_ruling(Status.IN_REVIEW)
    services.review_create(
        ruling=ruling, reviewer=frank, decision=Decision.REQUEST_CHANGES, comment="Source?"
    )
    services.ruling_update(ruling=ruling, user=alice, summary="Sourced.")
    services.ruling_submit(ruling=ruling, user=alice)
    approve(ruling, erin)
    ruling = reload(ruling)
    assert list(
        Review.objects.filter(ruling=ruling).values_list("reviewer__username", "ruling_version")
    ) == [("frank", ruling.version - 1), ("erin", ruling.version)]


def test_approvals_given_before_a_request_for_changes_no_longer_count(
    make_ruling, alice, erin, frank, root, settings
):
    # erin approves, frank objects; alice resubmits the same version unchanged. frank's
    # objection must not be outvoted by erin's earlier approval plus one new one.
    settings.FACTCHECK_REQUIRED_APPROVALS = 2
    ruling = make_ruling(Status.IN_REVIEW)
    approve(ruling, erin)
    services.review_create(
        ruling=ruling, reviewer=frank, decision=Decision.REQUEST_CHANGES, comment="Source?"
    )
    services.ruling_submit(ruling=reload(ruling), user=alice)
    approve(reload(ruling), root)
    ruling = reload(ruling)
    assert ruling.status == Status.IN_REVIEW
    assert services.approvals_of_current_version(ruling) == 1
    approve(ruling, erin)
    assert reload(ruling).status == Status.PUBLISHED


def test_another_annotator_cannot_link_spans_to_a_draft_that_is_not_theirs(
    make_ruling, article, bob, erin
):
    ruling = make_ruling(Status.DRAFT)
    with refused(PermissionDenied, ruling):
        services.span_create(
            article=article, kind="evidence", author=bob, quote="fuel prices", rulings=[ruling]
        )
    assert not Annotation.objects.filter(author=bob).exists()
    own = services.span_create(article=article, kind="evidence", author=bob, quote="Protests")
    with refused(PermissionDenied, ruling):
        services.span_update(annotation=own, user=bob, rulings=[ruling])
    # An editor may link anyone's span to anyone's draft.
    services.span_update(annotation=own, user=erin, rulings=[ruling])
    assert reload(ruling).annotations.filter(pk=own.pk).exists()
