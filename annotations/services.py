"""Every write and state change. Views, the admin and commands call these and nothing else.

Functions are keyword-only and named `<entity>_<action>`. `user=None` means the system itself
(a management command run by an operator), which may do anything an admin may.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify
from simple_history.utils import bulk_update_with_history

from . import anchoring, roles, selectors
from .anchoring import OffsetMap, OffsetUnit, Outcome, SpanError
from .errors import Conflict, InvalidInput, PermissionDenied, PreconditionFailed
from .models import (
    PUBLIC_STATUSES,
    AnchorState,
    Annotation,
    AnnotationRuling,
    Article,
    Decision,
    Kind,
    Rating,
    Review,
    Ruling,
    Status,
)

ARTICLE_FIELDS = ("title", "publisher", "author", "published_on", "url", "language")


def _require(condition, message):
    if not condition:
        raise PermissionDenied(message)


def _check_version(obj, expected_version):
    if expected_version is not None and expected_version != obj.version:
        raise PreconditionFailed(
            f"This {obj._meta.verbose_name} was changed by someone else (now version "
            f"{obj.version}, you had version {expected_version}). Reload it and try again."
        )


def _full_clean(obj, exclude=None):
    """Model validation as a 400 naming the first field at fault."""
    try:
        obj.full_clean(exclude=exclude)
    except ValidationError as exc:
        name, messages = next(iter(exc.message_dict.items()))
        name = None if name == "__all__" else name
        raise InvalidInput(" ".join(messages), field=name) from None


def _span_error(exc: SpanError):
    return InvalidInput(exc.message, field=exc.field, code=exc.code)


# --- Articles ----------------------------------------------------------------------------------


def _may_edit_articles(user):
    return user is None or roles.is_editor(user)


@transaction.atomic
def article_create(*, user=None, slug, body, **metadata) -> Article:
    _require(_may_edit_articles(user), "Only editors may add articles.")
    unknown = set(metadata) - set(ARTICLE_FIELDS)
    if unknown:
        raise InvalidInput(f"Unknown field {sorted(unknown)[0]!r}.", field=sorted(unknown)[0])
    body = anchoring.normalize_body(body or "")
    if not body:
        raise InvalidInput("body must not be empty.", field="body", code="blank")
    if Article.objects.filter(slug=slug).exists():
        raise Conflict(
            f"An article with slug {slug!r} already exists.", field="slug", code="unique"
        )
    article = Article(slug=slug, body=body, body_sha256=anchoring.body_sha256(body), **metadata)
    article._history_user = user
    _full_clean(article)
    article.save()
    return article


@dataclass
class BodyEditReport:
    """What re-anchoring did to each span after a body edit."""

    counts: Counter = field(default_factory=Counter)
    # (annotation id, outcome, old (start, end, quote), new (start, end, quote))
    details: list[tuple] = field(default_factory=list)

    @property
    def total(self):
        return sum(self.counts.values())


def _reanchor_reason(outcome, before, after, score):
    if outcome == Outcome.MOVED:
        return f"re-anchored: moved {before.start}-{before.end} -> {after.start}-{after.end}"
    if outcome == Outcome.CHANGED:
        return (
            f"re-anchored: text changed {before.quote!r} -> {after.quote!r} "
            f"at {after.start}-{after.end} (score {score:.2f})"
        )
    if outcome == Outcome.ORPHANED:
        return f"re-anchoring found no match above the threshold (best score {score:.2f}): orphaned"
    return "re-anchored"


@transaction.atomic
def article_update(
    *, article: Article, user=None, body=None, expected_version: int | None = None, **metadata
) -> BodyEditReport | None:
    """Changes an article's metadata and, when `body` is given, its body (re-anchoring spans)."""
    _require(_may_edit_articles(user), "Only editors may edit articles.")
    article = Article.objects.select_for_update().get(pk=article.pk)
    _check_version(article, expected_version)
    unknown = set(metadata) - set(ARTICLE_FIELDS)
    if unknown:
        raise InvalidInput(f"Unknown field {sorted(unknown)[0]!r}.", field=sorted(unknown)[0])
    changed = False
    for name, value in metadata.items():
        if getattr(article, name) != value:
            setattr(article, name, value)
            changed = True
    report = None
    if body is not None:
        report = _article_set_body(article, body, user)
        changed = changed or report is not None
    if changed and report is None:
        article.version += 1
        article._history_user = user
        _full_clean(article)
        article.save()
    return report


def article_update_body(*, article: Article, body: str, user=None) -> BodyEditReport | None:
    """Replaces the body and re-anchors every span in the same transaction (SPEC.md).

    Returns None when the normalised body is unchanged. The old body stays in the article's
    history; each span that moved, changed or was orphaned gets its own history row saying so.
    """
    return article_update(article=article, body=body, user=user)


def _article_set_body(article: Article, body: str, user) -> BodyEditReport | None:
    new_body = anchoring.normalize_body(body)
    if not new_body:
        raise InvalidInput("body must not be empty.", field="body", code="blank")
    if new_body == article.body:
        return None
    old_body = article.body
    spans = list(Annotation.objects.select_for_update().filter(article=article).order_by("id"))
    results = anchoring.reanchor(
        old_body,
        new_body,
        [anchoring.Span(a.start, a.end, a.quote, a.prefix, a.suffix) for a in spans],
    )
    report = BodyEditReport()
    occupied = set()
    to_save = []
    leaving = []  # anchored spans that move, change or are orphaned: they leave their offsets
    # Two spans of one kind may land on the same text. The one with the better claim to it takes
    # it: a span whose own text is still there (kept, then moved by the diff: score 1.0) before
    # one placed by the candidate search, the higher score first, then the older span. The other
    # is orphaned rather than merged (their notes and links differ).
    claim_order = sorted(
        range(len(spans)),
        key=lambda i: (-results[i].score, results[i].outcome != Outcome.KEPT, spans[i].pk),
    )
    for i in claim_order:
        annotation, result = spans[i], results[i]
        outcome = result.outcome
        slot = (annotation.kind, result.start, result.end)
        if outcome != Outcome.ORPHANED and slot in occupied:
            outcome = Outcome.ORPHANED
            result = anchoring.Reanchored(
                outcome,
                annotation.start,
                annotation.end,
                annotation.quote,
                annotation.prefix,
                annotation.suffix,
                result.score,
            )
        if outcome != Outcome.ORPHANED:
            occupied.add(slot)
        was_orphan = annotation.state == AnchorState.ORPHANED
        if outcome == Outcome.ORPHANED and was_orphan:
            report.counts["orphaned"] += 1
            continue
        if outcome == Outcome.KEPT and not was_orphan:
            report.counts["kept"] += 1
            if (annotation.prefix, annotation.suffix) != (result.prefix, result.suffix):
                # Offsets and quote hold but the context around them was edited.
                annotation.prefix, annotation.suffix = result.prefix, result.suffix
                # Its prefix and suffix are part of the span as clients read it: a new ETag.
                annotation.version += 1
                annotation._change_reason = "re-anchored: context changed"
                to_save.append(annotation)
            continue
        before = anchoring.Span(annotation.start, annotation.end, annotation.quote)
        if not was_orphan:
            leaving.append(annotation.pk)
        annotation.start, annotation.end = result.start, result.end
        annotation.quote, annotation.prefix, annotation.suffix = (
            result.quote,
            result.prefix,
            result.suffix,
        )
        annotation.state = (
            AnchorState.ORPHANED if outcome == Outcome.ORPHANED else AnchorState.ANCHORED
        )
        annotation.version += 1
        annotation._change_reason = _reanchor_reason(outcome, before, result, result.score)
        label = "recovered" if was_orphan and outcome != Outcome.ORPHANED else outcome.value
        report.counts[label] += 1
        report.details.append(
            (
                annotation.id,
                label,
                (before.start, before.end, before.quote),
                (result.start, result.end, result.quote),
            )
        )
        to_save.append(annotation)

    report.details.sort()
    article.body = new_body
    article.body_sha256 = anchoring.body_sha256(new_body)
    article.version += 1
    article._history_user = user
    article._change_reason = "body edited: " + ", ".join(
        f"{n} {k}" for k, n in sorted(report.counts.items())
    )
    _full_clean(article)
    article.save()
    now = timezone.now()
    for annotation in to_save:
        annotation.updated_at = now
    if to_save:
        # The final offsets are unique, but one UPDATE checks the unique index row by row: a span
        # moving onto offsets that another is about to leave would collide midway. So every span
        # that moves, changes or is orphaned first leaves the index (orphaned spans are not in
        # it), then all take their final places. The first step writes no history: the second
        # records each change once.
        Annotation.objects.filter(pk__in=leaving).update(state=AnchorState.ORPHANED)
        to_save.sort(key=lambda a: a.pk)
        bulk_update_with_history(
            to_save,
            Annotation,
            ["start", "end", "quote", "prefix", "suffix", "state", "version", "updated_at"],
            default_user=user,
        )
    return report


# --- Annotations -------------------------------------------------------------------------------


def _resolve_span(article, *, start, end, quote, prefix, suffix, near, unit):
    """Code-point (start, end) of a span given by offsets, by quote, or both (which must agree)."""
    body = article.body
    offsets = OffsetMap(body)
    try:
        unit = OffsetUnit(unit)
    except ValueError:
        raise InvalidInput(
            f"offset_unit must be 'codepoint' or 'utf-16'; got {unit!r}.", field="offset_unit"
        ) from None
    try:
        if start is not None or end is not None:
            if start is None or end is None:
                missing = "start" if start is None else "end"
                raise SpanError(missing, f"{missing} is required when the other offset is given.")
            for name, value in (("start", start), ("end", end)):
                if isinstance(value, bool) or not isinstance(value, int):
                    raise SpanError(name, f"{name} must be a whole number.")
            if start < 0:
                raise SpanError("start", f"start must be 0 or more; got {start}.")
            length = offsets.length_in(unit)
            if end > length:
                raise SpanError(
                    "end", f"end {end} is beyond the end of the article (length {length})."
                )
            cp_start = offsets.from_unit(start, unit, "start")
            cp_end = offsets.from_unit(end, unit, "end")
            anchoring.validate_offsets(body, cp_start, cp_end, length)
            if quote is not None and anchoring.normalize_fragment(quote) != body[cp_start:cp_end]:
                raise SpanError(
                    "quote",
                    f"quote does not match the article text at start..end "
                    f"({body[cp_start:cp_end][:80]!r}).",
                    code="mismatch",
                )
            return cp_start, cp_end
        if quote is None:
            raise SpanError("start", "Give start and end, or quote, to place the span.", "required")
        cp_near = None
        if near is not None:
            if isinstance(near, bool) or not isinstance(near, int):
                raise SpanError("near", "near must be a whole number.")
            cp_near = offsets.from_unit(min(max(near, 0), offsets.length_in(unit)), unit, "near")
        return anchoring.resolve_quote(body, quote, prefix or "", suffix or "", cp_near)
    except SpanError as exc:
        raise _span_error(exc) from None


def _check_kind(kind):
    if kind not in Kind.values:
        raise InvalidInput(
            f"kind must be one of {', '.join(Kind.values)}; got {kind!r}.",
            field="kind",
            code="invalid_choice",
        )


def _check_linkable(rulings):
    for ruling in rulings:
        if ruling.status in PUBLIC_STATUSES:
            raise Conflict(
                f"Ruling {ruling.slug!r} is {ruling.status}: its spans cannot change. "
                "Draft a new ruling that supersedes it.",
                field="rulings",
                code="ruling_published",
            )


def _duplicate(article, kind, start, end, exclude=None):
    qs = Annotation.objects.filter(
        article=article, kind=kind, start=start, end=end, state=AnchorState.ANCHORED
    )
    if exclude is not None:
        qs = qs.exclude(pk=exclude.pk)
    return qs.values_list("pk", flat=True).first()


def _save_span(annotation):
    """Saves, turning the unique-span race (two requests creating the same span) into a 409."""
    try:
        with transaction.atomic():
            annotation.save()
    except IntegrityError as exc:
        if "annotation_unique_span" in str(exc):
            raise Conflict(
                "A span of this kind already exists at these offsets.", code="duplicate"
            ) from None
        raise


def _set_links(annotation, rulings, user):
    """Makes `rulings` the span's rulings; each link change is a history row of its own."""
    current = {link.ruling_id: link for link in annotation.links.select_related("ruling")}
    wanted = {r.pk: r for r in rulings}
    removed = [link for rid, link in current.items() if rid not in wanted]
    added = [r for rid, r in wanted.items() if rid not in current]
    _check_linkable([link.ruling for link in removed])
    _check_linkable(added)
    for ruling in [link.ruling for link in removed] + added:
        # A link is part of the ruling's evidence: changing it edits the ruling.
        _require(
            roles.can_edit_owned(user, ruling.author_id),
            f"Ruling {ruling.slug!r} is another annotator's draft: only its author or an editor "
            "may link spans to it or unlink them.",
        )
    for link in removed:
        link._history_user = user
        link.delete()
    for rid, ruling in wanted.items():
        if rid not in current:
            link = AnnotationRuling(annotation=annotation, ruling=ruling)
            link._history_user = user
            link.save()
    # Rulings are locked in id order, after the span (see _lock_spans).
    for ruling in sorted([link.ruling for link in removed] + added, key=lambda r: r.pk):
        # The ruling's evidence changed: approvals of its earlier version no longer count.
        _ruling_bump(ruling, user, "linked spans changed")


def _ruling_bump(ruling, user, reason):
    ruling = Ruling.objects.select_for_update().get(pk=ruling.pk)
    ruling.version += 1
    ruling._history_user = user
    ruling._change_reason = reason
    ruling.save(update_fields=["version", "updated_at"])


@transaction.atomic
def annotation_create(
    *,
    article: Article,
    kind: str,
    author,
    start: int | None = None,
    end: int | None = None,
    quote: str | None = None,
    prefix: str | None = None,
    suffix: str | None = None,
    near: int | None = None,
    note: str = "",
    rulings=(),
    offset_unit: str = OffsetUnit.CODEPOINT,
) -> Annotation:
    _require(
        author is not None and roles.is_annotator(author),
        "Only annotators and editors may add spans.",
    )
    _check_kind(kind)
    # The body cannot change under us between resolving the offsets and saving them.
    article = Article.objects.select_for_update().get(pk=article.pk)
    cp_start, cp_end = _resolve_span(
        article,
        start=start,
        end=end,
        quote=quote,
        prefix=prefix,
        suffix=suffix,
        near=near,
        unit=offset_unit,
    )
    rulings = list(rulings)
    _check_linkable(rulings)
    if _duplicate(article, kind, cp_start, cp_end):
        raise Conflict("A span of this kind already exists at these offsets.", code="duplicate")
    span_prefix, span_suffix = anchoring.context(article.body, cp_start, cp_end)
    annotation = Annotation(
        article=article,
        kind=kind,
        start=cp_start,
        end=cp_end,
        quote=article.body[cp_start:cp_end],
        prefix=span_prefix,
        suffix=span_suffix,
        note=note or "",
        author=author,
    )
    annotation._history_user = author
    _save_span(annotation)
    _set_links(annotation, rulings, author)
    return annotation


_UNSET = object()


@transaction.atomic
def annotation_update(
    *,
    annotation: Annotation,
    user,
    expected_version: int | None = None,
    kind=_UNSET,
    note=_UNSET,
    rulings=_UNSET,
    start=None,
    end=None,
    quote=None,
    prefix=None,
    suffix=None,
    near=None,
    offset_unit: str = OffsetUnit.CODEPOINT,
) -> Annotation:
    annotation = (
        Annotation.objects.select_for_update().select_related("article").get(pk=annotation.pk)
    )
    _require(
        roles.can_edit_owned(user, annotation.author_id),
        "Annotators may change only their own spans; editors may change any.",
    )
    _check_version(annotation, expected_version)
    public = list(
        annotation.rulings.filter(status__in=PUBLIC_STATUSES).values_list("slug", flat=True)
    )
    moves = start is not None or end is not None or quote is not None
    if public and (moves or (kind is not _UNSET and kind != annotation.kind)):
        raise Conflict(
            f"This span is linked to published ruling {public[0]!r}: its text and kind are fixed.",
            code="ruling_published",
        )
    before_kind = annotation.kind
    if kind is not _UNSET:
        _check_kind(kind)
        annotation.kind = kind
    if note is not _UNSET:
        annotation.note = note or ""
    if moves:
        article = Article.objects.select_for_update().get(pk=annotation.article_id)
        cp_start, cp_end = _resolve_span(
            article,
            start=start,
            end=end,
            quote=quote,
            prefix=prefix,
            suffix=suffix,
            near=near,
            unit=offset_unit,
        )
        annotation.start, annotation.end = cp_start, cp_end
        annotation.quote = article.body[cp_start:cp_end]
        annotation.prefix, annotation.suffix = anchoring.context(article.body, cp_start, cp_end)
        annotation.state = AnchorState.ANCHORED
    if annotation.state == AnchorState.ANCHORED and _duplicate(
        annotation.article_id, annotation.kind, annotation.start, annotation.end, exclude=annotation
    ):
        raise Conflict("A span of this kind already exists at these offsets.", code="duplicate")
    reshaped = moves or (kind is not _UNSET and kind != before_kind)
    annotation.version += 1
    annotation._history_user = user
    _save_span(annotation)
    if rulings is not _UNSET:
        _set_links(annotation, list(rulings), user)
    if reshaped:
        # A ruling embeds its spans' kind and text: what reviewers approved is no longer what
        # would be published, so approvals of the earlier version must stop counting.
        for ruling in annotation.rulings.exclude(status__in=PUBLIC_STATUSES).order_by("pk"):
            _ruling_bump(ruling, user, "a linked span changed")
    return annotation


@transaction.atomic
def annotation_delete(*, annotation: Annotation, user, expected_version: int | None = None) -> None:
    annotation = Annotation.objects.select_for_update().get(pk=annotation.pk)
    _require(
        roles.can_edit_owned(user, annotation.author_id),
        "Annotators may delete only their own spans; editors may delete any.",
    )
    _check_version(annotation, expected_version)
    public = list(
        annotation.rulings.filter(status__in=PUBLIC_STATUSES).values_list("slug", flat=True)
    )
    if public:
        raise Conflict(
            f"This span is linked to {len(public)} published or retracted ruling(s) "
            f"({', '.join(public)}) and cannot be deleted.",
            code="ruling_published",
        )
    for link in annotation.links.select_related("ruling").order_by("ruling_id"):
        link._history_user = user
        _ruling_bump(link.ruling, user, "linked span deleted")
        link.delete()
    annotation._history_user = user
    annotation.delete()


# --- Rulings and the verdict workflow ------------------------------------------------------------

RULING_FIELDS = ("statement", "rating", "summary")


def _check_rating(rating):
    if rating not in Rating.values:
        raise InvalidInput(
            f"rating must be one of {', '.join(Rating.values)}; got {rating!r}.",
            field="rating",
            code="invalid_choice",
        )


def _unique_ruling_slug(statement):
    base = slugify(statement)[:180] or "ruling"
    slug, n = base, 1
    while Ruling.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def _check_supersedes(old: Ruling, user, ruling: Ruling | None = None):
    _require(roles.is_editor(user), "Only editors may replace a retracted ruling.")
    if old.status != Status.RETRACTED:
        raise Conflict(
            f"Only a retracted ruling can be superseded; {old.slug!r} is {old.status}. "
            "Retract it first, with a reason.",
            field="supersedes",
        )
    taken = Ruling.objects.filter(supersedes=old)
    if ruling is not None:
        taken = taken.exclude(pk=ruling.pk)
    if taken.exists():
        raise Conflict(f"Ruling {old.slug!r} is already superseded.", field="supersedes")


@transaction.atomic
def ruling_create(
    *,
    author,
    statement,
    rating,
    summary="",
    slug=None,
    supersedes: Ruling | None = None,
    annotations=(),
) -> Ruling:
    _require(
        author is not None and roles.is_annotator(author),
        "Only annotators and editors may draft rulings.",
    )
    _check_rating(rating)
    if supersedes is not None:
        _check_supersedes(supersedes, author)
    if slug and Ruling.objects.filter(slug=slug).exists():
        raise Conflict(f"A ruling with slug {slug!r} already exists.", field="slug", code="unique")
    ruling = Ruling(
        slug=slug or _unique_ruling_slug(statement),
        statement=(statement or "").strip(),
        rating=rating,
        summary=summary or "",
        author=author,
        supersedes=supersedes,
    )
    ruling._history_user = author
    _full_clean(ruling)
    ruling.save()
    _relink(ruling, author, annotations)
    return ruling


def _lock_ruling(ruling) -> Ruling:
    return Ruling.objects.select_for_update().get(pk=ruling.pk)


def _check_mutable(ruling):
    if ruling.status in PUBLIC_STATUSES:
        raise Conflict(
            f"Ruling {ruling.slug!r} is {ruling.status} and cannot be edited. An editor retracts "
            "it and drafts a new ruling that supersedes it.",
            code="ruling_published",
        )


@transaction.atomic
def ruling_update(
    *,
    ruling: Ruling,
    user,
    expected_version: int | None = None,
    supersedes=_UNSET,
    annotations=_UNSET,
    **changes,
) -> Ruling:
    if annotations is not _UNSET:
        _lock_spans(_relink_affected(ruling, annotations))
    ruling = _lock_ruling(ruling)
    _require(
        roles.can_edit_owned(user, ruling.author_id),
        "Annotators may change only their own drafts; editors may change any.",
    )
    _check_version(ruling, expected_version)
    _check_mutable(ruling)
    unknown = set(changes) - set(RULING_FIELDS)
    if unknown:
        raise InvalidInput(f"Unknown field {sorted(unknown)[0]!r}.", field=sorted(unknown)[0])
    if "rating" in changes:
        _check_rating(changes["rating"])
    changed = False
    for name, value in changes.items():
        value = (value or "").strip() if name == "statement" else value
        if getattr(ruling, name) != value:
            setattr(ruling, name, value)
            changed = True
    if supersedes is not _UNSET and supersedes != ruling.supersedes:
        if supersedes is not None:
            _check_supersedes(supersedes, user, ruling)
        ruling.supersedes = supersedes
        changed = True
    if annotations is not _UNSET and _relink(ruling, user, annotations):
        changed = True
    if changed:
        # A new version: approvals of the old one no longer count.
        ruling.version += 1
        ruling._history_user = user
        _full_clean(ruling)
        ruling.save()
    return ruling


@transaction.atomic
def ruling_delete(*, ruling: Ruling, user, expected_version: int | None = None) -> None:
    ruling = _lock_ruling(ruling)
    _require(
        roles.can_edit_owned(user, ruling.author_id),
        "Annotators may delete only their own drafts; editors may delete any.",
    )
    _check_version(ruling, expected_version)
    if ruling.status != Status.DRAFT:
        raise Conflict(f"Only drafts can be deleted; this ruling is {ruling.status}.")
    if ruling.reviews.exists():
        raise Conflict("This draft has reviews on record and cannot be deleted; edit it instead.")
    for link in ruling.links.all():
        link._history_user = user
        link.delete()
    ruling._history_user = user
    ruling.delete()


@transaction.atomic
def ruling_submit(*, ruling: Ruling, user) -> Ruling:
    ruling = _lock_ruling(ruling)
    _require(
        roles.can_edit_owned(user, ruling.author_id),
        "Only the ruling's author or an editor may submit it for review.",
    )
    if ruling.status != Status.DRAFT:
        raise Conflict(f"Only drafts can be submitted; this ruling is {ruling.status}.")
    if not ruling.annotations.filter(kind=Kind.CLAIM).exists():
        raise Conflict("A ruling must link at least one claim span before it is submitted.")
    ruling.status = Status.IN_REVIEW
    ruling._history_user = user
    ruling._change_reason = f"submitted for review (version {ruling.version})"
    ruling.save(update_fields=["status", "updated_at"])
    return ruling


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
    ruling = _lock_ruling(ruling)
    if decision not in Decision.values:
        raise InvalidInput(
            f"decision must be one of {', '.join(Decision.values)}; got {decision!r}.",
            field="decision",
            code="invalid_choice",
        )
    _require(roles.is_editor(reviewer), "Only editors may review rulings.")
    _require(reviewer.pk != ruling.author_id, "Four eyes: you cannot review your own ruling.")
    if ruling.status != Status.IN_REVIEW:
        raise Conflict(f"Only rulings in review can be reviewed; this ruling is {ruling.status}.")
    if decision == Decision.APPROVE and selectors.contributions(reviewer, ruling.pk).exists():
        raise PermissionDenied(
            "Four eyes: you changed this ruling's content, so another editor must approve it. "
            "You may still request changes."
        )
    if ruling_version is None and version_required and decision == Decision.APPROVE:
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
    if (
        decision == Decision.APPROVE
        and selectors.live_approvals(ruling).filter(reviewer=reviewer).exists()
    ):
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
    return review


@transaction.atomic
def ruling_retract(*, ruling: Ruling, user, reason) -> Ruling:
    ruling = _lock_ruling(ruling)
    _require(roles.is_editor(user), "Only editors may retract rulings.")
    if ruling.status != Status.PUBLISHED:
        raise Conflict(f"Only published rulings can be retracted; this ruling is {ruling.status}.")
    reason = (reason or "").strip() if isinstance(reason, str) else ""
    if not reason:
        raise InvalidInput(
            "A reason is required to retract a ruling.", field="reason", code="blank"
        )
    ruling.status = Status.RETRACTED
    ruling.retraction_reason = reason
    ruling._history_user = user
    ruling._change_reason = "retracted"
    ruling.save(update_fields=["status", "retraction_reason", "updated_at"])
    return ruling


def _lock_spans(ids):
    """Locks spans before their rulings. Every write that touches both takes the spans first
    (by id), then the rulings (by id): a span edit relinking a ruling and a ruling edit
    relinking the span wait for each other instead of deadlocking."""
    list(Annotation.objects.select_for_update().filter(pk__in=ids).order_by("pk").values("pk"))


def _relink_affected(ruling: Ruling, annotations) -> set[int]:
    """Ids of the spans whose links a relink of `ruling` to `annotations` would change."""
    current = set(ruling.links.values_list("annotation_id", flat=True))
    return current ^ {a.pk for a in annotations}


def _relink(ruling: Ruling, user, annotations) -> bool:
    """Makes `annotations` the ruling's linked spans; True when that changed anything."""
    wanted = {a.pk: a for a in annotations}
    current = {link.annotation_id: link for link in ruling.links.all()}
    if set(wanted) == set(current):
        return False
    _check_mutable(ruling)
    changed = set(wanted) ^ set(current)
    # A span's rulings are part of the span as clients read it: each span linked or unlinked
    # gets a new version (and ETag), so a client still holding the old one cannot overwrite
    # the new link with a stale list (412 instead of a lost update).
    Annotation.objects.filter(pk__in=changed).update(
        version=F("version") + 1, updated_at=timezone.now()
    )
    for annotation_id, link in current.items():
        if annotation_id not in wanted:
            link._history_user = user
            link.delete()
    for annotation_id in wanted:
        if annotation_id not in current:
            link = AnnotationRuling(annotation_id=annotation_id, ruling=ruling)
            link._history_user = user
            link.save()
    return True


@transaction.atomic
def ruling_set_annotations(*, ruling: Ruling, user, annotations) -> Ruling:
    """Makes `annotations` the spans linked to a ruling (editing the ruling's evidence)."""
    _lock_spans(_relink_affected(ruling, annotations))
    ruling = _lock_ruling(ruling)
    _require(
        roles.can_edit_owned(user, ruling.author_id),
        "Annotators may change only their own drafts; editors may change any.",
    )
    if not _relink(ruling, user, annotations):
        return ruling
    ruling.version += 1
    ruling._history_user = user
    ruling._change_reason = "linked spans changed"
    ruling.save(update_fields=["version", "updated_at"])
    return ruling
