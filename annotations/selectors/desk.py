"""The desk's home page: its work queues and its dashboard. A fixed number of queries whatever
the data size: one per queue (the count rides on each row as a window), five for the
dashboard."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import (
    Count,
    DurationField,
    Exists,
    F,
    Max,
    OuterRef,
    Q,
    Subquery,
    Window,
)
from django.db.models.aggregates import Aggregate
from django.db.models.functions import TruncWeek
from django.utils import timezone

from .. import roles
from ..models import (
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
from .reviews import rulings_awaiting_review

# Items shown per queue (the count says how many there are in all).
QUEUE_ITEMS = 8
# "Recently published and retracted", and the weeks the publication chart covers.
RECENT_DAYS = 14
WEEKS = 12


@dataclass
class Queue:
    key: str
    title: str
    count: int = 0
    items: list = field(default_factory=list)
    # The admin list showing all of them (None where no list filter expresses the queue).
    more_url_query: str | None = None
    # Which admin list that is: "ruling" or "annotation".
    changelist: str = "ruling"


def _take(queue: Queue, queryset) -> Queue:
    rows = list(queryset.annotate(queue_total=Window(Count("id")))[:QUEUE_ITEMS])
    queue.items = rows
    queue.count = rows[0].queue_total if rows else 0
    return queue


def _last_decision(ruling_ref):
    return Subquery(Review.objects.filter(ruling=ruling_ref).order_by("-id").values("decision")[:1])


def desk_queues(user) -> list[Queue]:
    """The queues a desk user works from, by role: editors also review; annotators see their
    own orphaned spans, editors every one."""
    if not roles.is_annotator(user):
        return []
    rulings = Ruling.objects.select_related("author").order_by("-updated_at", "-id")
    mine = rulings.filter(author=user)
    queues = []
    if roles.is_editor(user):
        queues.append(
            _take(
                Queue("awaiting_review", "Awaiting my review", more_url_query="awaiting=me"),
                rulings_awaiting_review(user, rulings),
            )
        )
    queues.append(
        _take(
            Queue(
                "changes_requested",
                "Changes requested on my rulings",
            ),
            mine.filter(status=Status.DRAFT)
            .annotate(last_decision=_last_decision(OuterRef("pk")))
            .filter(last_decision=Decision.REQUEST_CHANGES),
        )
    )
    queues.append(
        _take(
            Queue(
                "my_drafts", "My drafts", more_url_query=f"status=draft&author__id__exact={user.pk}"
            ),
            mine.filter(status=Status.DRAFT),
        )
    )
    queues.append(
        _take(
            Queue(
                "in_review_by_others",
                "My rulings in review by others",
                more_url_query=f"status=in_review&author__id__exact={user.pk}",
            ),
            mine.filter(status=Status.IN_REVIEW),
        )
    )
    orphaned = Annotation.objects.filter(state=AnchorState.ORPHANED).select_related("article")
    if not roles.is_editor(user):
        orphaned = orphaned.filter(author=user)
    queues.append(
        _take(
            Queue(
                "orphaned",
                "Orphaned spans to re-anchor",
                more_url_query="state__exact=orphaned",
                changelist="annotation",
            ),
            orphaned.order_by("-updated_at", "-id"),
        )
    )
    since = timezone.now() - timedelta(days=RECENT_DAYS)
    queues.append(
        _take(
            Queue("recent", f"Published or retracted in the last {RECENT_DAYS} days"),
            rulings.filter(status__in=PUBLIC_STATUSES, updated_at__gte=since),
        )
    )
    return queues


class _Median(Aggregate):
    # PostgreSQL's ordered-set aggregate; Django has none built in.
    function = "percentile_cont"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = DurationField()


@dataclass
class Dashboard:
    by_status: list[tuple[str, str, int]]  # (value, label, count), in workflow order
    by_rating: list[tuple[str, str, int]]
    per_week: list[tuple[str, int]]  # (Monday's date, published that week), oldest first
    median_to_publication: timedelta | None
    publications_measured: int
    coverage: list[dict]  # per outlet: articles, claims, linked, published, and per article


def dashboard(now=None) -> Dashboard:
    """Figures of the whole desk (every desk user sees the same)."""
    now = now or timezone.now()
    counts = {}
    for status, rating, n in (
        Ruling.objects.order_by().values_list("status", "rating").annotate(n=Count("id"))
    ):
        counts[(status, rating)] = n
    by_status = [
        (s.value, s.label, sum(n for (st, _), n in counts.items() if st == s)) for s in Status
    ]
    by_rating = [
        (r.value, r.label, sum(n for (_, rt), n in counts.items() if rt == r)) for r in Rating
    ]

    this_week = (now - timedelta(days=now.weekday())).date()
    first_week = this_week - timedelta(weeks=WEEKS - 1)
    weekly = dict(
        Ruling.objects.filter(status__in=PUBLIC_STATUSES, published_at__date__gte=first_week)
        .annotate(week=TruncWeek("published_at"))
        .order_by()
        .values_list("week")
        .annotate(n=Count("id"))
    )
    weekly = {week.date(): n for week, n in weekly.items()}
    per_week = [
        (str(first_week + timedelta(weeks=i)), weekly.get(first_week + timedelta(weeks=i), 0))
        for i in range(WEEKS)
    ]

    # Submission: the last history row that put the ruling in review before it was published.
    submitted = (
        Ruling.history.model.objects.filter(
            id=OuterRef("pk"),
            status=Status.IN_REVIEW,
            history_date__lte=OuterRef("published_at"),
        )
        .order_by()
        .values("id")
        .annotate(at=Max("history_date"))
        .values("at")
    )
    timing = (
        Ruling.objects.filter(status__in=PUBLIC_STATUSES)
        .annotate(waited=F("published_at") - Subquery(submitted))
        .filter(waited__isnull=False)
        .aggregate(median=_Median("waited"), measured=Count("id"))
    )

    linked = AnnotationRuling.objects.filter(annotation=OuterRef("pk"))
    in_public = linked.filter(ruling__status__in=PUBLIC_STATUSES)
    per_article = {
        row[0]: row[1:]
        for row in Annotation.objects.filter(kind=Kind.CLAIM)
        .annotate(is_linked=Exists(linked), is_public=Exists(in_public))
        .order_by()
        .values("article_id")
        .annotate(
            claims=Count("id"),
            linked=Count("id", filter=Q(is_linked=True)),
            published=Count("id", filter=Q(is_public=True)),
        )
        .values_list("article_id", "claims", "linked", "published")
    }
    outlets = {}
    for pk, slug, title, publisher in Article.objects.order_by("publisher", "slug").values_list(
        "pk", "slug", "title", "publisher"
    ):
        marked, linked_n, public_n = per_article.get(pk, (0, 0, 0))
        outlet = outlets.setdefault(
            publisher or "(no outlet)",
            {"outlet": publisher or "(no outlet)", "articles": [], "claims": 0, "linked": 0,
             "published": 0},
        )  # fmt: skip
        outlet["articles"].append(
            {"slug": slug, "title": title or slug, "claims": marked, "linked": linked_n,
             "published": public_n}
        )  # fmt: skip
        outlet["claims"] += marked
        outlet["linked"] += linked_n
        outlet["published"] += public_n
    return Dashboard(
        by_status=by_status,
        by_rating=by_rating,
        per_week=per_week,
        median_to_publication=timing["median"],
        publications_measured=timing["measured"],
        coverage=list(outlets.values()),
    )
