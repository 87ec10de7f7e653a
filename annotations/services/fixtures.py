"""What loaders of curated work need beyond single writes: placing a span that an earlier load
may already have made, and walking a ruling forward to a status. Both go through the same
services as every other write, so a fixture obeys every rule a person would."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction

from .. import roles
from ..errors import Conflict, InvalidInput
from ..models import Annotation, Article, Kind, Ruling, Status
from ._guards import check_choice
from .reviews import review_create
from .rulings import ruling_retract, ruling_submit
from .spans import find_duplicate, resolve_span, span_create, span_update

# A ruling only ever moves forward along this path, one service call a step.
STATUS_ORDER = [Status.DRAFT, Status.IN_REVIEW, Status.PUBLISHED, Status.RETRACTED]


@dataclass
class Placed:
    """What span_place_or_find did: "created", "linked" (an existing span gained links) or
    "unchanged"; `closed`: public rulings the file links the span to that it is not linked to
    and, being public, can no longer gain (the caller reports them)."""

    outcome: str
    span: Annotation
    links_added: int = 0
    closed: list[Ruling] = field(default_factory=list)


@transaction.atomic
def span_place_or_find(
    *,
    article: Article,
    kind: str,
    author,
    quote: str,
    prefix: str = "",
    suffix: str = "",
    near: int | None = None,
    note: str = "",
    speaker: str = "",
    rulings=(),
) -> Placed:
    """Creates the span by its quote, or adds missing links to the same span (article, kind,
    offsets) made by an earlier load: loading a file twice changes nothing."""
    check_choice("kind", kind, Kind)
    rulings = list(rulings)
    start, end = resolve_span(
        article, start=None, end=None, quote=quote, prefix=prefix, suffix=suffix, near=near,
        unit="codepoint",
    )  # fmt: skip
    existing_id = find_duplicate(article, kind, start, end)
    if existing_id is None:
        span = span_create(
            article=article, kind=kind, author=author, start=start, end=end, note=note,
            speaker=speaker, rulings=rulings,
        )  # fmt: skip
        return Placed("created", span, links_added=len(rulings))
    existing = Annotation.objects.get(pk=existing_id)
    current = list(existing.rulings.all())
    missing = [r for r in rulings if r not in current]
    # Links to a published or retracted ruling can no longer be added; on a reload they are the
    # ones the first load made, so they are not missing.
    closed = [r for r in missing if not roles.ruling_is_open(r.status)]
    missing = [r for r in missing if r not in closed]
    if not missing:
        return Placed("unchanged", existing, closed=closed)
    span_update(
        annotation=existing,
        # Another annotator's span gains its links in its owner's name.
        user=author if roles.can_edit_owned(author, existing.author_id) else existing.author,
        rulings=[*current, *missing],
    )
    return Placed("linked", existing, links_added=len(missing), closed=closed)


@transaction.atomic
def ruling_advance(
    *, ruling: Ruling, status: str, reviewer=None, reviewers=(), reason: str = ""
) -> Ruling:
    """Walks `ruling` forward to `status`: submitted by its author, approved by each of
    `reviewers` (or the one `reviewer`) who did not write it until it is published, retracted by
    the first of them with `reason`. A ruling already there is returned as it is; one past it
    is refused (rulings never move back)."""
    check_choice("status", status, Status)
    reviewers = [r for r in ([reviewer] if reviewer is not None else []) + list(reviewers)]
    ruling = Ruling.objects.select_related("author").get(pk=ruling.pk)
    position, wanted = STATUS_ORDER.index(ruling.status), STATUS_ORDER.index(status)
    if position > wanted:
        raise Conflict(
            f"Ruling {ruling.slug!r} is already {ruling.status_words}, "
            f"past {Status(status).label.lower()}.",
            field="status",
        )
    if wanted >= STATUS_ORDER.index(Status.PUBLISHED) and not reviewers:
        raise InvalidInput(
            f"a {status} ruling needs a reviewer (an editor other than its author).",
            field="reviewer",
        )
    while ruling.status != status:
        if ruling.status == Status.DRAFT:
            ruling = ruling_submit(ruling=ruling, user=ruling.author)
        elif ruling.status == Status.IN_REVIEW:
            for editor in reviewers:
                if editor.pk != ruling.author_id and ruling.status == Status.IN_REVIEW:
                    review_create(ruling=ruling, reviewer=editor, decision="approve")
                    ruling.refresh_from_db()
            if ruling.status == Status.IN_REVIEW:
                names = ", ".join(repr(r.username) for r in reviewers)
                raise Conflict(
                    f"approval by {names} did not publish it: this site requires more "
                    "(FACTCHECK_REQUIRED_APPROVALS)."
                )
        elif ruling.status == Status.PUBLISHED:
            ruling = ruling_retract(ruling=ruling, user=reviewers[0], reason=reason)
    return ruling
