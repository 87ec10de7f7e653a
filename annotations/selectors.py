"""Reads that need care. Views, the admin and commands read through these."""

import functools
from dataclasses import dataclass
from typing import NamedTuple

from django.contrib.postgres.aggregates import JSONBAgg
from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import (
    Exists,
    F,
    Func,
    JSONField,
    OuterRef,
    Prefetch,
    Subquery,
    TextField,
    Value,
)
from django.db.models.functions import Coalesce, JSONArray, Length
from django.db.models.query import ModelIterable, ValuesListIterable

from . import roles
from .anchoring import OffsetMap
from .models import (
    PUBLIC_STATUSES,
    AnchorState,
    Annotation,
    AnnotationRuling,
    Article,
    Decision,
    Kind,
    Review,
    Ruling,
    Status,
)

# Every column of a span and of a ruling: `only()` below restricts the related rows, not these.
SPAN_FIELDS = [f.name for f in Annotation._meta.concrete_fields]
RULING_FIELDS = [f.name for f in Ruling._meta.concrete_fields]


class _Substr(Func):
    # SQL substr counts characters (code points) from 1, as Python str indices count from 0.
    function = "substr"
    output_field = TextField()


def annotations_out_of_sync():
    """Anchored spans whose quote differs from body[start:end], compared inside PostgreSQL."""
    actual = _Substr(
        F("article__body"), F("start") + 1, F("end") - F("start"), output_field=TextField()
    )
    return (
        Annotation.objects.filter(state=AnchorState.ANCHORED)
        .annotate(actual=actual, article_slug=F("article__slug"))
        .exclude(quote=F("actual"))
        .only("id", "start", "end", "quote")
        .order_by("id")
    )


# --- Visibility: who reads what (SPEC.md: the public sees published data only) -------------------


def is_desk(user):
    """Annotators and editors read everything; anyone else reads published data only."""
    if isinstance(user, _Reader):
        return user.desk
    return roles.is_annotator(user)


@dataclass(frozen=True)
class _Reader:
    """Stands for every user who reads as the desk does (or as the public does), where a
    query depends on that alone."""

    desk: bool


def articles_for(user):
    # Articles are public material; the list never needs the body.
    return Article.objects.all()


def rulings_for(user):
    qs = Ruling.objects.all()
    if not is_desk(user):
        qs = qs.filter(status__in=PUBLIC_STATUSES)
    return qs


def annotations_for(user):
    qs = Annotation.objects.all()
    if not is_desk(user):
        public_link = AnnotationRuling.objects.filter(
            annotation=OuterRef("pk"), ruling__status__in=PUBLIC_STATUSES
        )
        qs = qs.filter(Exists(public_link))
    return qs


class RulingRef(NamedTuple):
    """A linked ruling as span lists show it: its slug (and statement, the W3C body's label)."""

    slug: str
    statement: str


def _ruling_refs(slugs, statements=None):
    """RulingRefs from the arrays a span's row carries (statements None when not read)."""
    if statements is None:
        statements = [None] * len(slugs)
    return [RulingRef(*pair) for pair in zip(slugs, statements, strict=True)]


class _SpansWithRulings(ModelIterable):
    # The slugs (and statements) arrive as arrays in each span's own row; turning them into
    # RulingRefs here replaces a prefetch query (and a Ruling instance per link).
    def __iter__(self):
        for span in super().__iter__():
            statements = getattr(span, "visible_ruling_statements", None)
            span.visible_rulings = _ruling_refs(span.visible_ruling_slugs, statements)
            yield span


def with_visible_rulings(qs, user, *, statements=True):
    """Each span's rulings that this user may see, as `visible_rulings` (RulingRef, in ruling id
    order), read in the spans' own query: array subqueries rather than one more query. Without
    `statements` (span lists show slugs only) one subquery a row instead of two, and each
    RulingRef's statement is None."""
    links = AnnotationRuling.objects.filter(annotation=OuterRef("pk")).order_by("ruling_id")
    if not is_desk(user):
        links = links.filter(ruling__status__in=PUBLIC_STATUSES)
    qs = qs.annotate(visible_ruling_slugs=ArraySubquery(links.values("ruling__slug")))
    if statements:
        qs = qs.annotate(visible_ruling_statements=ArraySubquery(links.values("ruling__statement")))
    qs._iterable_class = _SpansWithRulings
    return qs


def annotation_list(user):
    # Of the article and the author only what a span's output shows (the slug, the username):
    # the rest of their rows, the body above all, is never read with a page of spans. Services
    # given one of these spans read anything else they need (a deferred field loads on access).
    qs = (
        annotations_for(user)
        .select_related("article", "author")
        .only(*SPAN_FIELDS, "article__slug", "author__username")
    )
    # A single span's output names its rulings by slug only: their statements are not read.
    return with_visible_rulings(qs, user, statements=False)


class UserRef(NamedTuple):
    username: str


class SlugRef(NamedTuple):
    slug: str


class SpanRow:
    """A span as lists and exports show it, built from plain column values. A page of model
    instances (a span, its article and its author, each with its deferred-field machinery)
    cost more than the query itself; these carry the same attributes the output reads."""

    __slots__ = (
        "pk", "id", "article_id", "article", "kind", "start", "end", "quote", "prefix",
        "suffix", "note", "author", "state", "version", "created_at", "updated_at",
        "visible_rulings",
    )  # fmt: skip


SPAN_ROW_COLUMNS = (
    "id", "article_id", "article__slug", "kind", "start", "end", "quote", "prefix", "suffix",
    "note", "author__username", "state", "version", "created_at", "updated_at",
    "visible_ruling_slugs",
)  # fmt: skip


class _SpanRows(ValuesListIterable):
    def __iter__(self):
        for values in super().__iter__():
            row = SpanRow()
            (row.id, row.article_id, slug, row.kind, row.start, row.end, row.quote, row.prefix,
             row.suffix, row.note, username, row.state, row.version, row.created_at,
             row.updated_at, slugs) = values[:16]  # fmt: skip
            row.pk = row.id
            row.article = SlugRef(slug)
            row.author = UserRef(username)
            row.visible_rulings = _ruling_refs(slugs, values[16] if len(values) > 16 else None)
            yield row


def annotation_rows(user, *, statements=False):
    """What annotation_list reads, as SpanRow values (for lists and exports; a span to change
    or to show with its ETag comes from annotation_list). Still a queryset: filters, ordering
    and the cursor apply as usual, in the same one query. The rulings' statements are read
    only when asked for (the W3C export labels its links with them)."""
    return _annotation_rows(is_desk(user), statements).all()


@functools.cache
def _annotation_rows(desk: bool, statements: bool):
    # Built once per kind of reader and cloned per request with .all(), as DRF does with a
    # view's `queryset`: assembling the annotations and subqueries cost a tenth of a request.
    # (Who reads is the only input: the desk sees every span, readers the published ones.)
    reader = _Reader(desk)
    columns = SPAN_ROW_COLUMNS + (("visible_ruling_statements",) if statements else ())
    qs = with_visible_rulings(annotations_for(reader), reader, statements=statements)
    qs = qs.values_list(*columns)
    qs._iterable_class = _SpanRows
    return qs


def offset_maps(article_ids):
    """OffsetMap of each article, for converting offsets to UTF-16 (one query)."""
    bodies = Article.objects.filter(pk__in=set(article_ids)).values_list("pk", "body")
    return {pk: OffsetMap(body) for pk, body in bodies}


class LinkedSpan:
    """A span linked to a ruling, as ruling lists and details embed it."""

    __slots__ = ("pk", "kind", "article_id", "article", "quote", "start", "end", "state")

    def __init__(self, pk, kind, article_id, slug, title, quote, start, end, state):
        self.pk, self.kind, self.article_id, self.quote = pk, kind, article_id, quote
        self.article = ArticleRef(slug, title)
        self.start, self.end, self.state = start, end, state


class ArticleRef(NamedTuple):
    slug: str
    title: str


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
    replacing a retracted ruling is the desk's business until it is published."""
    successors = rulings_for(user).filter(supersedes=OuterRef("pk")).values("slug")[:1]
    qs = (
        rulings_for(user)
        .select_related("author", "supersedes")
        .only(*RULING_FIELDS, "author__username", "supersedes__slug")
        .annotate(successor_slug=Subquery(successors))
    )
    return with_linked_spans(qs)


class RulingRow:
    """A ruling as lists show it, built from plain column values (see SpanRow)."""

    __slots__ = (
        "pk", "id", "slug", "statement", "rating", "summary", "status", "author", "version",
        "published_at", "retraction_reason", "supersedes_id", "supersedes", "successor_slug",
        "linked_spans", "created_at", "updated_at",
    )  # fmt: skip


RULING_ROW_COLUMNS = (
    "id", "slug", "statement", "rating", "summary", "status", "author__username", "version",
    "published_at", "retraction_reason", "supersedes_id", "supersedes__slug", "successor_slug",
    "linked_span_rows", "created_at", "updated_at",
)  # fmt: skip


class _RulingRows(ValuesListIterable):
    def __iter__(self):
        for values in super().__iter__():
            row = RulingRow()
            (row.id, row.slug, row.statement, row.rating, row.summary, row.status, username,
             row.version, row.published_at, row.retraction_reason, row.supersedes_id,
             supersedes, row.successor_slug, spans, row.created_at,
             row.updated_at) = values  # fmt: skip
            row.pk = row.id
            row.author = UserRef(username)
            row.supersedes = SlugRef(supersedes) if supersedes is not None else None
            row.linked_spans = [LinkedSpan(*span) for span in spans]
            yield row


def ruling_rows(user):
    """What ruling_list reads, as RulingRow values, for the rulings list: one query."""
    return _ruling_rows(is_desk(user)).all()


@functools.cache
def _ruling_rows(desk: bool):
    # Built once per kind of reader, cloned per request (see _annotation_rows).
    qs = ruling_list(_Reader(desk)).values_list(*RULING_ROW_COLUMNS)
    qs._iterable_class = _RulingRows
    return qs


def reviews_of(ruling):
    return ruling.reviews.select_related("reviewer").order_by("created_at", "id")


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


def contributions(user, ruling_ref):
    """History rows in which `user` made a version of the ruling: created it, or changed its
    text, rating, links or a linked span (each of which starts a new version). Status changes
    (submit, review, retract) keep the version and are not contributions.

    The first history row that carries a version number is the change that made it."""
    rows = Ruling.history.model.objects
    earlier_of_same_version = rows.filter(
        id=OuterRef("id"), version=OuterRef("version"), history_id__lt=OuterRef("history_id")
    )
    return rows.filter(id=ruling_ref, history_user=user).filter(~Exists(earlier_of_same_version))


def is_contributor(user, ruling) -> bool:
    """Four eyes: whoever wrote any of a ruling's content may not approve it."""
    if user is None or user.pk is None:
        return False
    return user.pk == ruling.author_id or contributions(user, ruling.pk).exists()


def rulings_awaiting_review(user, rulings=None):
    """Rulings in review that `user` may approve (they wrote none of it) and whose current
    approval by them does not stand (never given, of an earlier version, or before a later
    request for changes). Non-editors review nothing."""
    rulings = Ruling.objects.all() if rulings is None else rulings
    if not roles.is_editor(user):
        return rulings.none()
    approved = Review.objects.filter(
        ruling=OuterRef("pk"),
        reviewer=user,
        decision=Decision.APPROVE,
        ruling_version=OuterRef("version"),
        # Nested one level deeper: "ruling" is the approval's own ruling column.
        id__gt=_last_objection(OuterRef("ruling")),
    )
    return (
        rulings.filter(status=Status.IN_REVIEW)
        .exclude(author=user)
        .filter(~Exists(approved), ~Exists(contributions(user, OuterRef("pk"))))
    )
