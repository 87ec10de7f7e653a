"""Reviews: an editor's decision on one version of a ruling; enough approvals publish it."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .. import roles, selectors
from ..errors import Conflict, InvalidInput, PermissionDenied
from ..models import Decision, Review, Ruling, Status, WebhookEvent
from . import webhooks
from ._guards import check_choice, lock_ruling, require


def approvals_of_current_version(ruling: Ruling) -> int:
    """Distinct editors (other than the author) whose approval of this version still counts."""
    return selectors.live_approvals(ruling).values("reviewer_id").distinct().count()


@transaction.atomic
def review_create(
    *,
    ruling: Ruling,
    reviewer,
    decision,
    comment="",
    ruling_version: int | None = None,
    version_required: bool = False,
) -> Review:
    """An editor's decision on the version they read, `ruling_version`. The API and the admin
    name it (what their user was shown; `version_required` refuses an approval that does not);
    None means the current version, for callers that decide on what they see in the same
    breath (the fixture loader, tests)."""
    # The row lock serialises concurrent reviews: two approvals cannot both see "one short" and
    # publish twice, nor both miss the count.
    ruling = lock_ruling(ruling)
    check_choice("decision", decision, Decision)
    require(roles.is_editor(reviewer), "Only editors may review rulings.")
    require(
        roles.may_review(reviewer, ruling.author_id),
        "Four eyes: you cannot review your own ruling.",
    )
    if ruling.status != Status.IN_REVIEW:
        raise Conflict(
            f"Only rulings in review can be reviewed; this ruling is {ruling.status_words}."
        )
    approving = decision == Decision.APPROVE
    if approving and selectors.contributions(reviewer, ruling.pk).exists():
        raise PermissionDenied(
            "Four eyes: you changed this ruling's content, so another editor must approve it. "
            "You may still request changes."
        )
    if ruling_version is None and version_required and approving:
        raise InvalidInput(
            "Name the version you approve: `ruling_version`, or If-Match with the ruling's "
            "ETag. An approval counts only for the version it judged.",
            field="ruling_version",
            code="required",
        )
    if ruling_version is not None and ruling_version != ruling.version:
        raise Conflict(
            f"You reviewed version {ruling_version}, but the ruling is now version "
            f"{ruling.version}. Read it again before you decide.",
            field="ruling_version",
        )
    comment = (comment or "").strip()
    if decision == Decision.REQUEST_CHANGES and not comment:
        raise InvalidInput(
            "A comment is required to request changes.", field="comment", code="blank"
        )
    if approving and selectors.live_approvals(ruling).filter(reviewer=reviewer).exists():
        raise Conflict("You have already approved this version.")
    review = Review(
        ruling=ruling,
        reviewer=reviewer,
        decision=decision,
        comment=comment,
        ruling_version=ruling.version,
    )
    review._history_user = reviewer
    review.save()
    if decision == Decision.REQUEST_CHANGES:
        ruling.status = Status.DRAFT
        ruling._change_reason = "changes requested"
    elif approvals_of_current_version(ruling) >= settings.FACTCHECK_REQUIRED_APPROVALS:
        ruling.status = Status.PUBLISHED
        ruling.published_at = timezone.now()
        ruling._change_reason = "published"
    else:
        return review
    ruling._history_user = reviewer
    ruling.save(update_fields=["status", "published_at", "updated_at"])
    if ruling.status == Status.PUBLISHED:
        webhooks.emit(WebhookEvent.PUBLISHED, ruling)
        if ruling.supersedes_id:
            # The retracted ruling it replaces is superseded from this moment (the public
            # pages link the two from now on).
            webhooks.emit(WebhookEvent.SUPERSEDED, ruling.supersedes)
    return review
