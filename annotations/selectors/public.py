"""Reads of the public site and its feeds: published and retracted rulings only, whoever asks
(they start from `visibility` as the public reads, whatever the request's user)."""

from django.db.models import Exists, OuterRef, Prefetch, Q
from django.db.models.functions import TruncMonth

from ..models import PUBLIC_STATUSES, AnchorState, Annotation, AnnotationRuling, Kind, Ruling
from .visibility import Reader, articles, rulings_for, spans_for

PUBLIC = Reader(desk=False)

# What the list of rulings shows of each: no summary, no sources.
LIST_FIELDS = (
    "id", "slug", "claim", "claimant_name", "statement", "rating", "status", "published_at",
)  # fmt: skip


def public_rulings():
    """Published and retracted rulings, newest first."""
    return rulings_for(PUBLIC).order_by("-published_at", "-id")


def ruling_search(*, q="", rating="", outlet="", month=None):
    """The public list of rulings, filtered: `q` in the claim, the statement or a linked span's
    quote; `rating`; `outlet`, the publisher of an article a linked span is in; `month`, a date
    whose year and month the ruling was published in. One query per page."""
    qs = public_rulings().only(*LIST_FIELDS)
    if q:
        quoted = AnnotationRuling.objects.filter(
            ruling=OuterRef("pk"), annotation__quote__icontains=q
        )
        qs = qs.filter(Q(claim__icontains=q) | Q(statement__icontains=q) | Q(Exists(quoted)))
    if rating:
        qs = qs.filter(rating=rating)
    if outlet:
        qs = qs.filter(
            Exists(
                AnnotationRuling.objects.filter(
                    ruling=OuterRef("pk"), annotation__article__publisher=outlet
                )
            )
        )
    if month is not None:
        qs = qs.filter(published_at__year=month.year, published_at__month=month.month)
    return qs


def ruling_facets():
    """What the list's filters offer: the outlets of articles with public spans, and the months
    public rulings were published in (newest first). Two queries."""
    outlets = (
        articles()
        .filter(Exists(spans_for(PUBLIC).filter(article=OuterRef("pk"))))
        .exclude(publisher="")
        .order_by("publisher")
        .values_list("publisher", flat=True)
        .distinct()
    )
    months = (
        public_rulings()
        .annotate(month=TruncMonth("published_at"))
        .order_by("-month")
        .values_list("month", flat=True)
        .distinct()
    )
    return list(outlets), [m.date() for m in months]


def public_article(slug):
    """An article and, as `public_spans`, its anchored spans that published or retracted rulings
    link (in text order), each with those rulings as `public_rulings`. Three queries.

    A span only a draft or a ruling in review links does not exist here, whoever asks."""
    rulings = (
        Ruling.objects.filter(status__in=PUBLIC_STATUSES)
        .only("id", "slug", "statement", "rating", "status")
        .order_by("-published_at", "id")
    )
    spans = (
        spans_for(PUBLIC)
        .filter(state=AnchorState.ANCHORED)
        .only("id", "article_id", "kind", "start", "end", "quote")
        .order_by("start", "end", "id")
        .prefetch_related(Prefetch("rulings", queryset=rulings, to_attr="public_rulings"))
    )
    return (
        articles()
        .prefetch_related(Prefetch("annotations", queryset=spans, to_attr="public_spans"))
        .get(slug=slug)
    )


def public_articles():
    """Articles with at least one span of a public ruling (what the sitemap lists)."""
    return (
        articles()
        .filter(Exists(spans_for(PUBLIC).filter(article=OuterRef("pk"))))
        .defer("body")
        .order_by("id")
    )


def claim_review_rulings(*, since=None):
    """Public rulings for the ClaimReview DataFeed, oldest change first, each with its claim
    spans (and their articles, without bodies) as `claim_spans`, as `claims_of` reads them.
    `since`: only rulings changed at or after it. Two queries per chunk of the iterator."""
    claims = (
        Annotation.objects.filter(kind=Kind.CLAIM)
        .select_related("article")
        .defer("article__body")
        .order_by("article_id", "start", "id")
    )
    qs = rulings_for(PUBLIC).order_by("updated_at", "id")
    if since is not None:
        qs = qs.filter(updated_at__gte=since)
    return qs.prefetch_related(Prefetch("annotations", queryset=claims, to_attr="claim_spans"))
