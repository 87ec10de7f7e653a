"""Reviews, and what the four-eyes rule reads from them and from a ruling's history."""

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import Exists, OuterRef, Subquery
from django.db.models.functions import Coalesce

from .. import roles
from ..models import Decision, Review, Ruling, Status


def reviews_of(ruling):
    return ruling.reviews.select_related("reviewer").order_by("created_at", "id")


def _last_objection(ruling_ref):
    """Id of the ruling's latest request for changes (0 if none): approvals before it lapse."""
    latest = (
        Review.objects.filter(ruling=ruling_ref, decision=Decision.REQUEST_CHANGES)
        .order_by("-id")
        .values("id")[:1]
    )
    return Coalesce(Subquery(latest), 0)


def live_approvals(ruling):
    """Approvals that still count: of the current version, by someone other than the author, and
    given after the last request for changes (a ruling sent back and resubmitted unchanged must
    not publish on approvals given before an editor objected)."""
    return (
        ruling.reviews.filter(decision=Decision.APPROVE, ruling_version=ruling.version)
        .filter(id__gt=_last_objection(ruling.pk))
        .exclude(reviewer_id=ruling.author_id)
    )


def _live_approvals_of_outer_ruling():
    # live_approvals for the outer query's ruling row (nested one level deeper, "ruling" is
    # the approval's own ruling column).
    return Review.objects.filter(
        ruling=OuterRef("pk"),
        decision=Decision.APPROVE,
        ruling_version=OuterRef("version"),
        id__gt=_last_objection(OuterRef("ruling")),
    )


def _versions_made(ruling_ref):
    """History rows of the ruling that made one of its versions: created it, or changed its
    text, rating, links or a linked span (each of which starts a new version). Status changes
    (submit, review, retract) keep the version and are not contributions.

    The first history row that carries a version number is the change that made it."""
    rows = Ruling.history.model.objects
    earlier_of_same_version = rows.filter(
        id=OuterRef("id"), version=OuterRef("version"), history_id__lt=OuterRef("history_id")
    )
    return rows.filter(id=ruling_ref).filter(~Exists(earlier_of_same_version))


def contributions(user, ruling_ref):
    """History rows in which `user` made a version of the ruling."""
    return _versions_made(ruling_ref).filter(history_user=user)


def is_contributor(user, ruling) -> bool:
    """Four eyes: whoever wrote any of a ruling's content may not approve it."""
    if user is None or user.pk is None:
        return False
    return user.pk == ruling.author_id or contributions(user, ruling.pk).exists()


def with_review_state(qs):
    """Each ruling with what its permissions rest on, in its own row: the ids of everyone who
    made a version of it (`contributor_ids`), of the editors whose approval of the current
    version stands (`approver_ids`), and whether it has any review (`reviewed`)."""
    return qs.annotate(
        contributor_ids=ArraySubquery(
            _versions_made(OuterRef("pk")).order_by().values("history_user_id").distinct()
        ),
        approver_ids=ArraySubquery(_live_approvals_of_outer_ruling().values("reviewer_id")),
        reviewed=Exists(Review.objects.filter(ruling=OuterRef("pk"))),
    )


def rulings_awaiting_review(user, rulings=None):
    """Rulings in review that `user` may approve (they wrote none of it) and whose current
    approval by them does not stand (never given, of an earlier version, or before a later
    request for changes). Non-editors review nothing."""
    rulings = Ruling.objects.all() if rulings is None else rulings
    if not roles.is_editor(user):
        return rulings.none()
    approved = _live_approvals_of_outer_ruling().filter(reviewer=user)
    return (
        rulings.filter(status=Status.IN_REVIEW)
        .exclude(author=user)
        .filter(~Exists(approved), ~Exists(contributions(user, OuterRef("pk"))))
    )
