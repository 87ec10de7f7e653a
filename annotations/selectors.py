"""Reads that need care. Views, the admin and commands read through these."""

from django.db.models import Exists, F, Func, OuterRef, Prefetch, TextField

from . import roles
from .anchoring import OffsetMap
from .models import (
    PUBLIC_STATUSES,
    AnchorState,
    Annotation,
    AnnotationRuling,
    Article,
    Kind,
    Ruling,
)


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
    return roles.is_annotator(user)


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


def with_visible_rulings(qs, user):
    """Each span's rulings that this user may see, as `visible_rulings`, in one extra query."""
    rulings = rulings_for(user).only("id", "slug", "statement").order_by("id")
    return qs.prefetch_related(Prefetch("rulings", queryset=rulings, to_attr="visible_rulings"))


def annotation_list(user):
    # The article's body is not loaded with each span: offsets need it only in UTF-16 mode,
    # and then `offset_maps` reads each article once.
    qs = annotations_for(user).select_related("article", "author").defer("article__body")
    return with_visible_rulings(qs, user)


def offset_maps(article_ids):
    """OffsetMap of each article, for converting offsets to UTF-16 (one query)."""
    bodies = Article.objects.filter(pk__in=set(article_ids)).values_list("pk", "body")
    return {pk: OffsetMap(body) for pk, body in bodies}


def ruling_list(user):
    """Rulings with their linked spans (and each span's article) prefetched: two extra queries."""
    spans = (
        Annotation.objects.select_related("article")
        .defer("article__body")
        .order_by("kind", "article_id", "start", "id")
    )
    return (
        rulings_for(user)
        .select_related("author", "supersedes", "superseded_by")
        .prefetch_related(Prefetch("annotations", queryset=spans, to_attr="linked_spans"))
    )


def reviews_of(ruling):
    return ruling.reviews.select_related("reviewer").order_by("created_at", "id")


def claims_of(ruling):
    return (
        ruling.annotations.filter(kind=Kind.CLAIM)
        .select_related("article")
        .defer("article__body")
        .order_by("article_id", "start", "id")
    )
