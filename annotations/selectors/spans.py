"""Spans as lists, exports and single reads show them."""

import functools
from typing import NamedTuple

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import Exists, F, Func, QuerySet, TextField
from django.db.models.query import ModelIterable, ValuesListIterable

from ..anchoring import OffsetMap
from ..models import AnchorState, Annotation, Article
from .visibility import Reader, is_desk, links_for, public_links, spans_for

# Every column of a span: `only()` below restricts the related rows, not these.
SPAN_FIELDS = [f.name for f in Annotation._meta.concrete_fields]

# A span's fields as the API and exports name them, and the columns they are read from.
SPAN_OUTPUT_COLUMNS = {
    "id": "id",
    "article": "article__slug",
    "kind": "kind",
    "start": "start",
    "end": "end",
    "quote": "quote",
    "prefix": "prefix",
    "suffix": "suffix",
    "note": "note",
    "speaker": "speaker",
    "author": "author__username",
    "state": "state",
    "version": "version",
    "rulings": "visible_ruling_slugs",
    "created_at": "created_at",
    "updated_at": "updated_at",
}


class _Substr(Func):
    # SQL substr counts characters (code points) from 1, as Python str indices count from 0.
    function = "substr"
    output_field = TextField()


def spans_out_of_sync():
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
    RulingRef's statement is None. For the desk, `linked_public` too: whether a public ruling
    relies on the span (its permissions depend on it)."""
    links = links_for(user)
    qs = qs.annotate(visible_ruling_slugs=ArraySubquery(links.values("ruling__slug")))
    if statements:
        qs = qs.annotate(visible_ruling_statements=ArraySubquery(links.values("ruling__statement")))
    if is_desk(user):
        qs = qs.annotate(linked_public=Exists(public_links()))
    qs._iterable_class = _SpansWithRulings
    return qs


def span_list(user):
    """Spans as model instances, for a single read or a change (its ETag, its services).

    Of the article and the author only what a span's output shows (the slug, the username):
    the rest of their rows, the body above all, is never read. Services given one of these
    spans read anything else they need (a deferred field loads on access)."""
    qs = (
        spans_for(user)
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
        "suffix", "note", "speaker", "author", "author_id", "state", "version", "created_at",
        "updated_at", "visible_rulings", "linked_public",
    )  # fmt: skip


# The output's columns, then what lists need besides: the article's id (for UTF-16 offsets)
# and, for the desk, what the span's permissions rest on.
_ROW_COLUMNS = (*SPAN_OUTPUT_COLUMNS.values(), "article_id", "author_id")


class _SpanRows(ValuesListIterable):
    desk = False  # whether the rows carry `linked_public` (the desk's reads do)

    def __iter__(self):
        for values in super().__iter__():
            row = SpanRow()
            (row.id, slug, row.kind, row.start, row.end, row.quote, row.prefix, row.suffix,
             row.note, row.speaker, username, row.state, row.version, slugs, row.created_at,
             row.updated_at, row.article_id, row.author_id) = values[:18]  # fmt: skip
            row.pk = row.id
            row.article = SlugRef(slug)
            row.author = UserRef(username)
            extra = iter(values[18:])
            row.linked_public = next(extra) if self.desk else None
            row.visible_rulings = _ruling_refs(slugs, next(extra, None))
            yield row


def span_rows(user, *, statements=False):
    """What span_list reads, as SpanRow values (for lists and exports; a span to change or to
    show with its ETag comes from span_list). Still a queryset: filters, ordering and the
    cursor apply as usual, in the same one query. The rulings' statements are read only when
    asked for (the W3C export labels its links with them)."""
    return _span_rows(is_desk(user), statements).all()


@functools.cache
def _span_rows(desk: bool, statements: bool):
    # Built once per kind of reader and cloned per request with .all(), as DRF does with a
    # view's `queryset`: assembling the annotations and subqueries cost a tenth of a request.
    # (Who reads is the only input: the desk sees every span, readers the published ones.)
    reader = Reader(desk)
    columns = _ROW_COLUMNS + (("linked_public",) if desk else ())
    columns += ("visible_ruling_statements",) if statements else ()
    qs = with_visible_rulings(spans_for(reader), reader, statements=statements)
    qs = qs.values_list(*columns)
    qs._iterable_class = _DeskSpanRows if desk else _SpanRows
    return qs


class _DeskSpanRows(_SpanRows):
    desk = True


def span_export_rows():
    """Every span, anchored and orphaned, as tuples in SPAN_OUTPUT_COLUMNS order, with the
    slugs of all its rulings: what export_spans streams."""
    desk = Reader(True)
    qs = with_visible_rulings(Annotation.objects.order_by("id"), desk, statements=False)
    return qs.values_list(*SPAN_OUTPUT_COLUMNS.values())


def offset_maps(article_ids):
    """OffsetMap of each article, for converting offsets to UTF-16 (one query): `article_ids`
    an iterable of ids, or a queryset of them (then a subquery of the same query)."""
    ids = article_ids if isinstance(article_ids, QuerySet) else set(article_ids)
    bodies = Article.objects.filter(pk__in=ids).values_list("pk", "body")
    return {pk: OffsetMap(body) for pk, body in bodies}
