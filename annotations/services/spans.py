"""Spans: placing one in an article's text (by offsets, by quote or both), changing, deleting."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from .. import anchoring, roles
from ..anchoring import OffsetMap, OffsetUnit, SpanError
from ..errors import Conflict, InvalidInput
from ..models import PUBLIC_STATUSES, AnchorState, Annotation, Article, Kind
from ._guards import (
    UNSET,
    check_choice,
    check_linkable,
    check_version,
    require,
    ruling_bump,
    span_error,
)
from .links import span_set_rulings


def _whole_number(name, value):
    if isinstance(value, bool) or not isinstance(value, int):
        raise SpanError(name, f"{name} must be a whole number.")


def resolve_span(article, *, start, end, quote, prefix, suffix, near, unit):
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
            _whole_number("start", start)
            _whole_number("end", end)
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
            _whole_number("near", near)
            # A hint past either end of the text means that end.
            cp_near = offsets.from_unit(min(max(near, 0), offsets.length_in(unit)), unit, "near")
        return anchoring.resolve_quote(body, quote, prefix or "", suffix or "", cp_near)
    except SpanError as exc:
        raise span_error(exc) from None


def find_duplicate(article, kind, start, end, exclude=None):
    """Id of the anchored span of this kind at these offsets (the unique-span rule), if any."""
    qs = Annotation.objects.filter(
        article=article, kind=kind, start=start, end=end, state=AnchorState.ANCHORED
    )
    if exclude is not None:
        qs = qs.exclude(pk=exclude.pk)
    return qs.values_list("pk", flat=True).first()


def _refuse_duplicate(article, kind, start, end, exclude=None):
    if find_duplicate(article, kind, start, end, exclude):
        raise Conflict("A span of this kind already exists at these offsets.", code="duplicate")


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


def _public_rulings(annotation) -> list[str]:
    return list(
        annotation.rulings.filter(status__in=PUBLIC_STATUSES).values_list("slug", flat=True)
    )


SPEAKER_MAX = Annotation._meta.get_field("speaker").max_length


def _clean_speaker(speaker) -> str:
    if speaker is not None and not isinstance(speaker, str):
        raise InvalidInput("speaker must be text.", field="speaker")
    speaker = (speaker or "").strip()
    if len(speaker) > SPEAKER_MAX:
        raise InvalidInput(
            f"speaker has {len(speaker)} characters; at most {SPEAKER_MAX}.", field="speaker"
        )
    return speaker


def _place(annotation, article, start, end):
    annotation.start, annotation.end = start, end
    annotation.quote = article.body[start:end]
    annotation.prefix, annotation.suffix = anchoring.context(article.body, start, end)


@transaction.atomic
def span_create(
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
    speaker: str = "",
    rulings=(),
    offset_unit: str = OffsetUnit.CODEPOINT,
) -> Annotation:
    """A new span, placed by offsets, by quote or both. `speaker`: whose words it carries, for
    reported speech."""
    require(
        author is not None and roles.is_annotator(author),
        "Only annotators and editors may add spans.",
    )
    check_choice("kind", kind, Kind)
    speaker = _clean_speaker(speaker)
    # The body cannot change under us between resolving the offsets and saving them.
    article = Article.objects.select_for_update().get(pk=article.pk)
    placement = dict(start=start, end=end, quote=quote, prefix=prefix, suffix=suffix, near=near)
    cp_start, cp_end = resolve_span(article, unit=offset_unit, **placement)
    rulings = list(rulings)
    check_linkable(rulings)
    _refuse_duplicate(article, kind, cp_start, cp_end)
    annotation = Annotation(
        article=article, kind=kind, note=note or "", speaker=speaker, author=author
    )
    _place(annotation, article, cp_start, cp_end)
    annotation._history_user = author
    _save_span(annotation)
    span_set_rulings(annotation, rulings, author)
    return annotation


@transaction.atomic
def span_update(
    *,
    annotation: Annotation,
    user,
    expected_version: int | None = None,
    kind=UNSET,
    note=UNSET,
    speaker=UNSET,
    rulings=UNSET,
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
    require(
        roles.can_edit_owned(user, annotation.author_id),
        "Annotators may change only their own spans; editors may change any.",
    )
    check_version(annotation, expected_version)
    public = _public_rulings(annotation)
    moves = start is not None or end is not None or quote is not None
    if public and (moves or (kind is not UNSET and kind != annotation.kind)):
        raise Conflict(
            f"This span is linked to published ruling {public[0]!r}: its text and kind are fixed.",
            code="ruling_published",
        )
    before_kind = annotation.kind
    if kind is not UNSET:
        check_choice("kind", kind, Kind)
        annotation.kind = kind
    if note is not UNSET:
        annotation.note = note or ""
    if speaker is not UNSET:
        annotation.speaker = _clean_speaker(speaker)
    if moves:
        article = Article.objects.select_for_update().get(pk=annotation.article_id)
        placement = dict(start=start, end=end, quote=quote, prefix=prefix, suffix=suffix, near=near)
        cp_start, cp_end = resolve_span(article, unit=offset_unit, **placement)
        _place(annotation, article, cp_start, cp_end)
        annotation.state = AnchorState.ANCHORED
    if annotation.state == AnchorState.ANCHORED:
        _refuse_duplicate(
            annotation.article_id,
            annotation.kind,
            annotation.start,
            annotation.end,
            exclude=annotation,
        )
    reshaped = moves or (kind is not UNSET and kind != before_kind)
    annotation.version += 1
    annotation._history_user = user
    _save_span(annotation)
    if rulings is not UNSET:
        span_set_rulings(annotation, list(rulings), user)
    if reshaped:
        # A ruling embeds its spans' kind and text: what reviewers approved is no longer what
        # would be published, so approvals of the earlier version must stop counting.
        for ruling in annotation.rulings.exclude(status__in=PUBLIC_STATUSES).order_by("pk"):
            ruling_bump(ruling, user, "a linked span changed")
    return annotation


@transaction.atomic
def span_delete(*, annotation: Annotation, user, expected_version: int | None = None) -> None:
    annotation = Annotation.objects.select_for_update().get(pk=annotation.pk)
    require(
        roles.can_edit_owned(user, annotation.author_id),
        "Annotators may delete only their own spans; editors may delete any.",
    )
    check_version(annotation, expected_version)
    public = _public_rulings(annotation)
    if public:
        raise Conflict(
            f"This span is linked to {len(public)} published or retracted ruling(s) "
            f"({', '.join(public)}) and cannot be deleted.",
            code="ruling_published",
        )
    for link in annotation.links.select_related("ruling").order_by("ruling_id"):
        link._history_user = user
        ruling_bump(link.ruling, user, "linked span deleted")
        link.delete()
    annotation._history_user = user
    annotation.delete()
