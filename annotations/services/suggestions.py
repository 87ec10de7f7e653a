"""Dismissing a suggestion of claim matching (GET /articles/{slug}/suggestions/): the desk's
"this passage does not repeat that ruling's claim", remembered per article and ruling so the
suggestion does not come back. Accepting one needs no service of its own: the client creates
the span with its ruling through span_create, which refuses a duplicate."""

from __future__ import annotations

from django.db import transaction

from .. import roles
from ..anchoring import OffsetMap, OffsetUnit, SpanError, is_blank
from ..models import Article, DismissedSuggestion, Ruling
from ..selectors.matching import quote_sha256
from ._guards import require, span_error


@transaction.atomic
def suggestion_dismiss(
    *,
    article: Article,
    ruling: Ruling,
    start: int,
    end: int,
    user,
    offset_unit: OffsetUnit = OffsetUnit.CODEPOINT,
) -> DismissedSuggestion:
    """Remembers that the passage body[start:end] is not to be suggested for `ruling` again.
    Dismissing it twice is one dismissal (the first is kept)."""
    require(
        user is not None and roles.is_annotator(user),
        "Only annotators and editors may dismiss suggestions.",
    )
    try:
        offsets = OffsetMap(article.body)
        start = offsets.from_unit(start, offset_unit, "start")
        end = offsets.from_unit(end, offset_unit, "end")
    except SpanError as exc:
        raise span_error(exc) from None
    if start >= end:
        raise span_error(SpanError("end", f"end ({end}) must be after start ({start})."))
    quote = article.body[start:end]
    if is_blank(quote):
        raise span_error(SpanError("start", "The passage is only whitespace."))
    dismissal, _ = DismissedSuggestion.objects.get_or_create(
        article=article,
        ruling=ruling,
        quote_sha256=quote_sha256(quote),
        defaults={"start": start, "end": end, "dismissed_by": user},
    )
    return dismissal
