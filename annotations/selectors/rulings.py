"""Rulings with their linked spans, as lists, details, the public page and the admin show them."""

import functools
from typing import NamedTuple

from django.contrib.postgres.aggregates import JSONBAgg
from django.db.models import F, JSONField, OuterRef, Prefetch, Q, Subquery, Value
from django.db.models.functions import Coalesce, JSONArray, Length
from django.db.models.query import ModelIterable, ValuesListIterable

from ..models import CLAIM_DISPLAY_LENGTH, PUBLIC_STATUSES, Annotation, Kind, Ruling
from .reviews import with_review_state
from .spans import SlugRef, UserRef
from .visibility import Reader, is_desk, rulings_for, spans_for

# Every column of a ruling: `only()` below restricts the related rows, not these.
RULING_FIELDS = [f.name for f in Ruling._meta.concrete_fields]


def group_by_kind(spans) -> dict[str, list]:
    """Spans by kind, every kind present (in Kind order), each list in the order given."""
    grouped = {kind: [] for kind in Kind.values}
    for span in spans:
        grouped[span.kind].append(span)
    return grouped


class ArticleRef(NamedTuple):
    slug: str
    title: str


class LinkedSpan:
    """A span linked to a ruling, as ruling lists and details embed it."""

    __slots__ = ("pk", "kind", "article_id", "article", "quote", "start", "end", "state")

    def __init__(self, pk, kind, article_id, slug, title, quote, start, end, state):
        self.pk, self.kind, self.article_id, self.quote = pk, kind, article_id, quote
        self.article = ArticleRef(slug, title)
        self.start, self.end, self.state = start, end, state


class _RulingsWithSpans(ModelIterable):
    # Each ruling's linked spans arrive as one JSON array in the ruling's own row (ordered by
    # kind, article, start): a page of rulings is one query, with no model instance per span.
    def __iter__(self):
        for ruling in super().__iter__():
            ruling.linked_spans = [LinkedSpan(*row) for row in ruling.linked_span_rows]
            yield ruling


# The order of a ruling's spans: by kind, then as they appear, article by article.
SPAN_ORDER = ("kind", "article_id", "start", "id")


def with_linked_spans(qs):
    fields = ("id", "kind", "article_id", "article__slug", "article__title")
    fields += ("quote", "start", "end", "state")
    rows = (
        Annotation.objects.filter(links__ruling=OuterRef("pk"))
        .order_by()
        .values("links__ruling")
        .annotate(rows=JSONBAgg(JSONArray(*fields), order_by=SPAN_ORDER))
        .values("rows")
    )
    qs = qs.annotate(linked_span_rows=Coalesce(Subquery(rows), Value([], JSONField())))
    qs._iterable_class = _RulingsWithSpans
    return qs


def ruling_list(user):
    """Rulings with their linked spans (each with its article's slug and title), one query.
    Of the author and the rulings either side only the names the output shows are read, and
    the ruling that supersedes one (`successor_slug`) only if this user may see it: a draft
    replacing a retracted ruling is the desk's business until it is published. For the desk,
    what each ruling's permissions rest on (`with_review_state`), in the same query."""
    successors = rulings_for(user).filter(supersedes=OuterRef("pk")).values("slug")[:1]
    qs = (
        rulings_for(user)
        .select_related("author", "supersedes")
        .only(*RULING_FIELDS, "author__username", "supersedes__slug")
        .annotate(successor_slug=Subquery(successors))
    )
    if is_desk(user):
        qs = with_review_state(qs)
    return with_linked_spans(qs)


class RulingRow:
    """A ruling as lists show it, built from plain column values (see SpanRow)."""

    __slots__ = (
        "pk", "id", "slug", "claim", "claimant_name", "claimant_kind", "claimant_url",
        "statement", "rating", "summary", "sources", "status", "author", "author_id",
        "version", "published_at", "retraction_reason", "supersedes_id", "supersedes",
        "successor_slug", "linked_spans", "created_at", "updated_at", "contributor_ids",
        "approver_ids", "reviewed",
    )  # fmt: skip


RULING_ROW_COLUMNS = (
    "id", "slug", "claim", "claimant_name", "claimant_kind", "claimant_url", "statement",
    "rating", "summary", "sources", "status", "author__username", "author_id",
    "version", "published_at", "retraction_reason", "supersedes_id", "supersedes__slug",
    "successor_slug", "linked_span_rows", "created_at", "updated_at",
)  # fmt: skip
REVIEW_STATE_COLUMNS = ("contributor_ids", "approver_ids", "reviewed")


class _RulingRows(ValuesListIterable):
    def __iter__(self):
        for values in super().__iter__():
            row = RulingRow()
            (row.id, row.slug, row.claim, row.claimant_name, row.claimant_kind,
             row.claimant_url, row.statement, row.rating, row.summary, row.sources, row.status,
             username, row.author_id, row.version, row.published_at, row.retraction_reason,
             row.supersedes_id, supersedes, row.successor_slug, spans, row.created_at,
             row.updated_at) = values[:22]  # fmt: skip
            row.pk = row.id
            row.author = UserRef(username)
            row.supersedes = SlugRef(supersedes) if supersedes is not None else None
            row.linked_spans = [LinkedSpan(*span) for span in spans]
            row.contributor_ids, row.approver_ids, row.reviewed = values[22:] or (None,) * 3
            yield row


def ruling_rows(user):
    """What ruling_list reads, as RulingRow values, for the rulings list: one query."""
    return _ruling_rows(is_desk(user)).all()


@functools.cache
def _ruling_rows(desk: bool):
    # Built once per kind of reader, cloned per request (see spans._span_rows).
    columns = RULING_ROW_COLUMNS + (REVIEW_STATE_COLUMNS if desk else ())
    qs = ruling_list(Reader(desk)).values_list(*columns)
    qs._iterable_class = _RulingRows
    return qs


def claim_warnings(ruling) -> dict[str, str]:
    """What the desk should know but may keep: a claim longer than ClaimReview consumers show
    without wrapping."""
    if len(ruling.claim) > CLAIM_DISPLAY_LENGTH:
        return {
            "claim": f"The claim is {len(ruling.claim)} characters long; ClaimReview readers "
            f"show about {CLAIM_DISPLAY_LENGTH} without wrapping. Shorter reads better."
        }
    return {}


def claims_of(ruling):
    return (
        ruling.annotations.filter(kind=Kind.CLAIM)
        .select_related("article")
        .defer("article__body")
        .order_by("article_id", "start", "id")
    )


# --- Rulings with their spans in context (the public ruling page and the ruling admin) ----------


def _spans_in_context():
    # Bodies are not loaded; their length alone says whether a span's prefix and suffix are
    # the whole of the text either side, or an excerpt to mark with an ellipsis.
    return (
        Annotation.objects.select_related("article")
        .defer("article__body")
        .annotate(chars_after=Length("article__body") - F("end"))
        .order_by("kind", "article__published_on", "article_id", "start", "id")
    )


def public_ruling(slug):
    """A published or retracted ruling by slug, with its spans: two queries however many spans.

    Drafts and rulings in review do not exist for the public page, whoever asks: raises
    Ruling.DoesNotExist for them as for an unknown slug.
    """
    return (
        Ruling.objects.filter(status__in=PUBLIC_STATUSES)
        .select_related("supersedes", "superseded_by")
        .prefetch_related(
            Prefetch("annotations", queryset=_spans_in_context(), to_attr="linked_spans")
        )
        .get(slug=slug)
    )


def linked_spans(ruling):
    return _spans_in_context().filter(links__ruling=ruling)


SPAN_SEARCH_LIMIT = 25


def spans_to_link(user, text: str, *, exclude=()):
    """Spans of any article whose quote, note or article title holds `text` (any case), for the
    ruling editor's "add a span" search; at most SPAN_SEARCH_LIMIT, as `linked_spans` shows
    them. Only what `user` may read (visibility.spans_for)."""
    visible = spans_for(user).values("pk")
    return (
        _spans_in_context()
        .filter(pk__in=visible)
        .filter(
            Q(quote__icontains=text) | Q(note__icontains=text) | Q(article__title__icontains=text)
        )
        .exclude(pk__in=list(exclude))[:SPAN_SEARCH_LIMIT]
    )


def spans_by_id(user, ids):
    """The spans `ids` that `user` may read, as `linked_spans` shows them."""
    return _spans_in_context().filter(pk__in=spans_for(user).filter(pk__in=list(ids)).values("pk"))
