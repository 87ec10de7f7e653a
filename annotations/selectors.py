"""Reads that need care. Views, the admin and commands read through these."""

from django.db.models import Exists, F, Func, OuterRef, Prefetch, Subquery, TextField
from django.db.models.functions import Coalesce, Length

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


def rulings_awaiting_review(user, rulings=None):
    """Rulings in review that `user` may review and whose current approval by them does not
    stand (never given, of an earlier version, or before a later request for changes).
    Non-editors review nothing."""
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
    return rulings.filter(status=Status.IN_REVIEW).exclude(author=user).filter(~Exists(approved))
