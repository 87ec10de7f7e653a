"""Links between spans and rulings, changed from either side. A link is part of the ruling's
evidence and of the span as clients read it, so each change gives a new version to both."""

from __future__ import annotations

from django.db.models import F
from django.utils import timezone

from .. import roles
from ..models import Annotation, AnnotationRuling, Ruling
from ._guards import check_linkable, check_open, require, ruling_bump


def _write(*, removed, added, user):
    """Deletes the `removed` links and creates (span id, ruling id) `added`: each a history row
    of its own, in the given order."""
    for link in removed:
        link._history_user = user
        link.delete()
    for annotation_id, ruling_id in added:
        link = AnnotationRuling(annotation_id=annotation_id, ruling_id=ruling_id)
        link._history_user = user
        link.save()


def span_set_rulings(annotation: Annotation, rulings: list[Ruling], user) -> None:
    """Makes `rulings` the span's rulings. Each ruling gaining or losing the span is edited: its
    author or an editor only, never a public one, and it gets a new version."""
    current = {link.ruling_id: link for link in annotation.links.select_related("ruling")}
    wanted = {r.pk: r for r in rulings}
    removed = [link for rid, link in current.items() if rid not in wanted]
    added = [r for rid, r in wanted.items() if rid not in current]
    affected = [link.ruling for link in removed] + added
    check_linkable(affected)
    for ruling in affected:
        require(
            roles.can_edit_owned(user, ruling.author_id),
            f"Ruling {ruling.slug!r} is another annotator's draft: only its author or an editor "
            "may link spans to it or unlink them.",
        )
    _write(removed=removed, added=[(annotation.pk, r.pk) for r in added], user=user)
    # Rulings are locked in id order, after the span (see _guards.lock_spans).
    for ruling in sorted(affected, key=lambda r: r.pk):
        ruling_bump(ruling, user, "linked spans changed")


def spans_affected(ruling: Ruling, annotations) -> set[int]:
    """Ids of the spans whose links a relink of `ruling` to `annotations` would change."""
    current = set(ruling.links.values_list("annotation_id", flat=True))
    return current ^ {a.pk for a in annotations}


def ruling_set_spans(ruling: Ruling, user, annotations) -> bool:
    """Makes `annotations` the ruling's linked spans; True when that changed anything. The
    caller has checked who may edit the ruling and gives it its new version."""
    wanted = [a.pk for a in annotations]
    current = {link.annotation_id: link for link in ruling.links.all()}
    if set(wanted) == set(current):
        return False
    check_open(ruling)
    # A span's rulings are part of the span as clients read it: each span linked or unlinked
    # gets a new version (and ETag), so a client still holding the old one cannot overwrite
    # the new link with a stale list (412 instead of a lost update).
    Annotation.objects.filter(pk__in=set(wanted) ^ set(current)).update(
        version=F("version") + 1, updated_at=timezone.now()
    )
    _write(
        removed=[link for pk, link in current.items() if pk not in set(wanted)],
        added=[(pk, ruling.pk) for pk in dict.fromkeys(wanted) if pk not in current],
        user=user,
    )
    return True
