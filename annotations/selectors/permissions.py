"""Each span's and ruling's `permissions` for one user, from `roles` (which decides) and the
state the reads above carry in each row. The API hands these to clients; the admin's pages and
the Annotate script show only what they allow."""

from .. import roles
from ..models import PUBLIC_STATUSES
from .reviews import contributions, live_approvals
from .visibility import is_desk

NO_SPAN_PERMISSIONS = dict.fromkeys(roles.SPAN_PERMISSIONS, False)
NO_RULING_PERMISSIONS = dict.fromkeys(roles.RULING_PERMISSIONS, False)


def span_permissions(user, span) -> dict:
    """`span` from span_list or span_rows (which carry `linked_public` for the desk), or any
    span instance (then one query)."""
    if not is_desk(user):
        return NO_SPAN_PERMISSIONS
    linked_public = getattr(span, "linked_public", None)
    if linked_public is None:
        linked_public = span.rulings.filter(status__in=PUBLIC_STATUSES).exists()
    return roles.span_permissions(user, author_id=span.author_id, linked_to_public=linked_public)


def ruling_permissions(user, ruling) -> dict:
    """`ruling` from ruling_list or ruling_rows (which carry their review state for the desk),
    or any ruling instance (then three queries)."""
    if not is_desk(user):
        return NO_RULING_PERMISSIONS
    contributor_ids = getattr(ruling, "contributor_ids", None)
    if contributor_ids is None:
        contributor = contributions(user, ruling.pk).exists()
        approved = live_approvals(ruling).filter(reviewer_id=user.pk).exists()
        reviewed = ruling.reviews.exists()
    else:
        contributor = user.pk in contributor_ids
        approved = user.pk in ruling.approver_ids
        reviewed = ruling.reviewed
    return roles.ruling_permissions(
        user,
        author_id=ruling.author_id,
        status=ruling.status,
        contributor=contributor,
        approved=approved,
        reviewed=reviewed,
    )
