"""Who may do what (SPEC.md, "Who uses it", "Verdict workflow"). The one place that decides.

Services ask these before every write (and add their own wording to a refusal); the API hands
the same answers to clients as each object's `permissions`, and the admin and the Annotate
script read those instead of deciding for themselves. Rules that depend on the state of an
object as well as on the person (a published ruling is fixed for everyone) are here too, so a
permission and the service's refusal can never disagree.
"""

from .models import PUBLIC_STATUSES, Status

ANNOTATORS = "annotators"
EDITORS = "editors"


def _groups(user):
    # Cached on the user object: one query per request however many checks run.
    if not hasattr(user, "_factcheck_groups"):
        user._factcheck_groups = frozenset(user.groups.values_list("name", flat=True))
    return user._factcheck_groups


def is_editor(user):
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or EDITORS in _groups(user)


def is_admin(user):
    """Administrators run the installation: accounts, and where its webhooks go."""
    return user is not None and user.is_authenticated and user.is_active and user.is_superuser


def is_annotator(user):
    """Editors may do all an annotator may do."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return is_editor(user) or ANNOTATORS in _groups(user)


def can_edit_owned(user, owner_id):
    """Annotators change their own spans and drafts; editors anyone's."""
    return is_editor(user) or (is_annotator(user) and user.pk == owner_id)


# --- What an object's state allows, whoever asks ------------------------------------------------


def ruling_is_open(status) -> bool:
    """Drafts and rulings in review may change; a published or retracted ruling is fixed (an
    editor retracts it and drafts a successor instead)."""
    return status not in PUBLIC_STATUSES


def may_review(user, author_id) -> bool:
    """Four eyes, first half: editors review, never their own ruling."""
    return is_editor(user) and user.pk != author_id


def may_approve(user, author_id, *, contributor: bool, approved: bool) -> bool:
    """Four eyes, second half: whoever wrote any version of a ruling (`contributor`) may still
    request changes but not approve; an approval that stands is not given twice."""
    return may_review(user, author_id) and not contributor and not approved


# --- Permissions as clients read them ------------------------------------------------------------

SPAN_PERMISSIONS = ("change", "change_kind", "delete")
RULING_PERMISSIONS = (
    "change", "relink", "delete", "submit", "approve", "request_changes", "retract",
)  # fmt: skip


def span_permissions(user, *, author_id, linked_to_public: bool) -> dict:
    """`change`: note and links; `change_kind`: its kind and its place in the text, which a
    published or retracted ruling relying on the span fixes; `delete`: likewise."""
    change = can_edit_owned(user, author_id)
    fixed = change and not linked_to_public
    return {"change": change, "change_kind": fixed, "delete": fixed}


def ruling_permissions(
    user, *, author_id, status, contributor: bool, approved: bool, reviewed: bool
) -> dict:
    """What `user` may do with a ruling in `status`. `contributor`: they wrote a version of it;
    `approved`: their approval of the current version stands; `reviewed`: it has reviews on
    record (a draft with reviews is kept, not deleted)."""
    owner = can_edit_owned(user, author_id)
    in_review = status == Status.IN_REVIEW
    return {
        "change": owner and ruling_is_open(status),
        # Linking a span to a ruling or unlinking it edits the ruling's evidence.
        "relink": owner and ruling_is_open(status),
        "delete": owner and status == Status.DRAFT and not reviewed,
        "submit": owner and status == Status.DRAFT,
        "approve": in_review
        and may_approve(user, author_id, contributor=contributor, approved=approved),
        "request_changes": in_review and may_review(user, author_id),
        "retract": status == Status.PUBLISHED and is_editor(user),
    }
