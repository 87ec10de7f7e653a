"""Who may do what (SPEC.md, "Who uses it"). Services call these; nothing else decides."""

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


def is_annotator(user):
    """Editors may do all an annotator may do."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return is_editor(user) or ANNOTATORS in _groups(user)


def can_edit_owned(user, owner_id):
    """Annotators change their own spans and drafts; editors anyone's."""
    return is_editor(user) or (is_annotator(user) and user.pk == owner_id)
