"""The data model of ../SPEC.md. Rules the database can hold are constraints here."""

import secrets

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.contrib.postgres.search import SearchConfig, SearchVectorField
from django.core.validators import URLValidator
from django.db import models
from django.db.models import F, Func, Q
from simple_history.models import HistoricalRecords

# Text search configurations with a full-text index on span quotes and ruling claims (claim
# matching, annotations/matching/). `simple` (no stemming, no stop words) serves every language
# and script; the others stem the languages the desk reads most. A language without an indexed
# configuration is searched with `simple` (matching.text.search_config).
INDEXED_SEARCH_CONFIGS = ("simple", "english", "russian")


def tsvector(config, column):
    """`to_tsvector('<config>'::regconfig, column)`: the expression of the full-text indexes,
    which a query must repeat exactly for the planner to use them."""
    return Func(
        SearchConfig(config), F(column), function="to_tsvector", output_field=SearchVectorField()
    )


def matching_indexes(prefix, column, condition=None):
    """GIN indexes of claim matching on `column`: trigrams (pg_trgm `%` similarity) and one
    full-text index per configuration in INDEXED_SEARCH_CONFIGS; partial on `condition`."""
    return [
        GinIndex(
            OpClass(F(column), name="gin_trgm_ops"),
            name=f"{prefix}_trgm_idx",
            condition=condition,
        ),
        *(
            GinIndex(
                tsvector(config, column), name=f"{prefix}_fts_{config}_idx", condition=condition
            )
            for config in INDEXED_SEARCH_CONFIGS
        ),
    ]


class Kind(models.TextChoices):
    CLAIM = "claim", "Claim"
    EVIDENCE = "evidence", "Evidence"
    DISPUTED = "disputed", "Disputed"


class AnchorState(models.TextChoices):
    ANCHORED = "anchored", "Anchored"
    ORPHANED = "orphaned", "Orphaned"


class Rating(models.TextChoices):
    TRUE = "true", "True"
    MOSTLY_TRUE = "mostly-true", "Mostly true"
    MIXED = "mixed", "Mixed"
    MOSTLY_FALSE = "mostly-false", "Mostly false"
    FALSE = "false", "False"
    MISLEADING = "misleading", "Misleading"
    UNSUPPORTED = "unsupported", "Unsupported: no credible evidence"
    UNVERIFIABLE = "unverifiable", "Unverifiable"


# ClaimReview ratingValue on a 1 (worst) to 5 (best) scale; ratings without one are qualitative.
RATING_VALUES = {
    Rating.TRUE: 5,
    Rating.MOSTLY_TRUE: 4,
    Rating.MIXED: 3,
    Rating.MOSTLY_FALSE: 2,
    Rating.FALSE: 1,
}


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    PUBLISHED = "published", "Published"
    RETRACTED = "retracted", "Retracted"


PUBLIC_STATUSES = (Status.PUBLISHED, Status.RETRACTED)


class ClaimantKind(models.TextChoices):
    PERSON = "person", "Person"
    ORGANIZATION = "organization", "Organization"
    UNKNOWN = "unknown", "Unknown"


# ClaimReview consumers show a claim of about this many characters without wrapping; a longer
# one is allowed (up to the field's 200) with a warning.
CLAIM_DISPLAY_LENGTH = 75

# Links to the outside (claimants, sources) are web pages: no javascript:, data: or ftp: URLs.
web_url = URLValidator(schemes=["http", "https"], message="Enter an http:// or https:// URL.")


class Decision(models.TextChoices):
    APPROVE = "approve", "Approve"
    REQUEST_CHANGES = "request_changes", "Request changes"


def _choices_check(field, choices, name):
    return models.CheckConstraint(condition=Q(**{f"{field}__in": choices.values}), name=name)


class Article(models.Model):
    slug = models.SlugField(max_length=200, unique=True)
    title = models.CharField(max_length=500, blank=True)
    publisher = models.CharField(max_length=200, blank=True)
    author = models.CharField(max_length=500, blank=True)
    published_on = models.DateField(null=True, blank=True)
    url = models.URLField(max_length=1000, blank=True)
    language = models.CharField(max_length=35, default="en")
    body = models.TextField()
    body_sha256 = models.CharField(max_length=64, editable=False)
    # Bumped on every change; the API's ETag and If-Match are built from it.
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # The old body of every edit stays here: offsets of old history rows refer to it.
    history = HistoricalRecords(history_change_reason_field=models.TextField(null=True))

    class Meta:
        ordering = ["slug"]
        constraints = [
            models.CheckConstraint(condition=~Q(body=""), name="article_body_not_empty"),
            models.CheckConstraint(condition=~Q(slug=""), name="article_slug_not_empty"),
        ]
        indexes = [
            # The `publisher` filter of GET /articles/.
            models.Index(fields=["publisher"], name="article_publisher_idx"),
        ]

    def __str__(self):
        return self.title or self.slug


class Ruling(models.Model):
    slug = models.SlugField(max_length=200, unique=True)
    # The claim as checked, in the desk's neutral words (ClaimReview `claimReviewed`). Required
    # before submission, not before: a draft starts from a span.
    # (Each new column also has a database default: bulk loaders that COPY named columns, such
    # as generate_data, need not know of it.)
    claim = models.CharField(
        "claim as checked", max_length=200, blank=True, default="", db_default=""
    )
    # Who made the claim (ClaimReview `itemReviewed.author`); "unknown" is an honest name.
    claimant_name = models.CharField(
        "claimant", max_length=200, blank=True, default="", db_default=""
    )
    claimant_kind = models.CharField(
        max_length=20,
        choices=ClaimantKind.choices,
        default=ClaimantKind.UNKNOWN,
        db_default=ClaimantKind.UNKNOWN,
    )
    claimant_url = models.URLField(
        max_length=1000, blank=True, validators=[web_url], default="", db_default=""
    )
    # The verdict's headline: the title of the fact-check (ClaimReview `name`).
    statement = models.CharField("verdict headline", max_length=500)
    rating = models.CharField(max_length=20, choices=Rating.choices)
    summary = models.TextField(blank=True)
    # What the desk relied on, in order: [{"url", "title", "publisher", "accessed", "note"}].
    # Kept in the ruling's own row, so the list is part of each version and of its history
    # row, and a page of rulings reads it without another query (services validate it).
    sources = models.JSONField(default=list, blank=True, db_default=[])
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="rulings"
    )
    # Bumped on every content change; reviews judge one version and ETags are built from it.
    version = models.PositiveIntegerField(default=1)
    published_at = models.DateTimeField(null=True, blank=True)
    retraction_reason = models.TextField(blank=True)
    supersedes = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="superseded_by",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(history_change_reason_field=models.TextField(null=True))

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            _choices_check("rating", Rating, "ruling_rating_valid"),
            _choices_check("status", Status, "ruling_status_valid"),
            _choices_check("claimant_kind", ClaimantKind, "ruling_claimant_kind_valid"),
            models.CheckConstraint(condition=~Q(slug=""), name="ruling_slug_not_empty"),
            models.CheckConstraint(condition=~Q(statement=""), name="ruling_statement_not_empty"),
            models.CheckConstraint(
                condition=~Q(status__in=PUBLIC_STATUSES) | Q(published_at__isnull=False),
                name="ruling_public_has_published_at",
            ),
            models.CheckConstraint(
                condition=~Q(status=Status.RETRACTED) | ~Q(retraction_reason=""),
                name="ruling_retraction_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(supersedes=F("id")), name="ruling_does_not_supersede_itself"
            ),
        ]
        indexes = [
            # The admin's ruling list: filtered by status, newest first (Meta.ordering).
            models.Index(fields=["status", "-created_at"], name="ruling_status_idx"),
            # The `status` and `rating` filters of GET /rulings/, whose cursor walks -id: the id
            # after the filter column lets a page stop after 51 rows at any depth.
            models.Index(fields=["status", "id"], name="ruling_status_id_idx"),
            models.Index(fields=["rating", "id"], name="ruling_rating_id_idx"),
            # Claim matching (GET /claims/search/, article suggestions) on the claim text.
            *matching_indexes("ruling_claim", "claim"),
        ]

    def __str__(self):
        return self.statement

    @property
    def status_words(self) -> str:
        """The status as a person reads it in a message: "in review", not `in_review`."""
        return Status(self.status).label.lower()


class Annotation(models.Model):
    # No index of its own: annotation_article_idx (article, id) serves every lookup by article.
    article = models.ForeignKey(
        Article, on_delete=models.PROTECT, related_name="annotations", db_index=False
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # Unicode code points of article.body, end exclusive (W3C TextPositionSelector).
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    quote = models.TextField()
    prefix = models.CharField(max_length=32, blank=True)
    suffix = models.CharField(max_length=32, blank=True)
    note = models.TextField(blank=True)
    # Whose words a reported-speech span carries ("Kassym-Jomart Tokayev", reported by AzerNews).
    speaker = models.CharField(max_length=200, blank=True, default="", db_default="")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="annotations"
    )
    state = models.CharField(
        max_length=20, choices=AnchorState.choices, default=AnchorState.ANCHORED
    )
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    rulings = models.ManyToManyField(Ruling, through="AnnotationRuling", related_name="annotations")

    history = HistoricalRecords(history_change_reason_field=models.TextField(null=True))

    class Meta:
        ordering = ["article_id", "start", "end", "id"]
        constraints = [
            _choices_check("kind", Kind, "annotation_kind_valid"),
            _choices_check("state", AnchorState, "annotation_state_valid"),
            models.CheckConstraint(condition=Q(start__gte=0), name="annotation_start_not_negative"),
            models.CheckConstraint(
                condition=Q(end__gt=F("start")), name="annotation_start_before_end"
            ),
            models.CheckConstraint(condition=~Q(quote=""), name="annotation_quote_not_empty"),
            # Only anchored spans occupy their offsets: an orphan keeps its last known offsets
            # for the record, and must not block a new span made at that place.
            models.UniqueConstraint(
                fields=["article", "kind", "start", "end"],
                condition=Q(state=AnchorState.ANCHORED),
                name="annotation_unique_span",
                violation_error_message="A span of this kind already exists at these offsets.",
            ),
        ]
        indexes = [
            # The `article` filter of GET /annotations/ (cursor on id) and an article's spans.
            models.Index(fields=["article", "id"], name="annotation_article_idx"),
            # The `kind`, `author` and `state` filters of GET /annotations/ (cursor on id).
            models.Index(fields=["kind", "id"], name="annotation_kind_idx"),
            models.Index(fields=["author", "id"], name="annotation_author_idx"),
            models.Index(fields=["state", "id"], name="annotation_state_idx"),
            # Claim matching (GET /claims/search/, article suggestions) on span quotes. Only
            # claim spans are searched: partial indexes are smaller, cost evidence spans no
            # writes, and are the one index that answers both the kind and the text.
            *matching_indexes("span_quote", "quote", Q(kind=Kind.CLAIM)),
        ]

    def __str__(self):
        quote = self.quote if len(self.quote) <= 60 else self.quote[:57] + "..."
        return f"{self.kind}: {quote}"


class AnnotationRuling(models.Model):
    """The link between a span and a ruling; the span's kind is its role in the ruling."""

    annotation = models.ForeignKey(Annotation, on_delete=models.CASCADE, related_name="links")
    ruling = models.ForeignKey(Ruling, on_delete=models.CASCADE, related_name="links")
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords(history_change_reason_field=models.TextField(null=True))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["annotation", "ruling"], name="link_unique"),
        ]
        indexes = [
            # The `ruling` filter of GET /annotations/ walks links by ruling.
            models.Index(fields=["ruling", "annotation"], name="link_ruling_idx"),
        ]

    def __str__(self):
        # As a person reads a link: which span, saying what, to which verdict.
        quote = self.annotation.quote
        quote = quote if len(quote) <= 40 else quote[:39] + "…"
        statement = self.ruling.statement
        statement = statement if len(statement) <= 50 else statement[:49] + "…"
        return f"{self.annotation.kind} #{self.annotation_id} “{quote}” → {statement}"


class Review(models.Model):
    ruling = models.ForeignKey(Ruling, on_delete=models.PROTECT, related_name="reviews")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reviews"
    )
    decision = models.CharField(max_length=20, choices=Decision.choices)
    comment = models.TextField(blank=True)
    ruling_version = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords(history_change_reason_field=models.TextField(null=True))

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            _choices_check("decision", Decision, "review_decision_valid"),
            models.CheckConstraint(
                condition=~Q(decision=Decision.REQUEST_CHANGES) | ~Q(comment=""),
                name="review_request_changes_has_comment",
            ),
        ]

    def __str__(self):
        return f"{self.decision} of {self.ruling_id} v{self.ruling_version}"


class DismissedSuggestion(models.Model):
    """A suggestion (a passage of an article that repeats a ruling's claim) that someone on the
    desk dismissed: it is not offered again for that article and ruling. Kept by the passage's
    text (its SHA-256), so a body edit that moves the passage does not bring it back; the
    offsets say where it was when dismissed."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="dismissals")
    ruling = models.ForeignKey(Ruling, on_delete=models.CASCADE, related_name="dismissals")
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    quote_sha256 = models.CharField(max_length=64)
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="dismissals"
    )
    dismissed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            # The suggestions of an article read these by article; one row per passage.
            models.UniqueConstraint(
                fields=["article", "ruling", "quote_sha256"], name="dismissal_unique"
            ),
            models.CheckConstraint(
                condition=Q(end__gt=F("start")), name="dismissal_start_before_end"
            ),
        ]

    def __str__(self):
        return f"dismissed {self.ruling_id} at {self.article_id}:{self.start}-{self.end}"


class WebhookEvent(models.TextChoices):
    PUBLISHED = "ruling.published", "ruling published"
    RETRACTED = "ruling.retracted", "ruling retracted"
    SUPERSEDED = "ruling.superseded", "ruling superseded"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "pending"
    DELIVERED = "delivered", "delivered"
    FAILED = "failed", "failed (gave up)"


def new_webhook_secret():
    # Random per endpoint, never derived from SECRET_KEY: one receiver's secret tells nothing
    # about another's.
    return secrets.token_urlsafe(32)


class WebhookEndpoint(models.Model):
    """A receiver an admin registered: the events it wants, signed with its own secret."""

    url = models.URLField(max_length=1000)
    description = models.CharField(max_length=200, blank=True)
    secret = models.CharField(max_length=200, default=new_webhook_secret)
    events = ArrayField(models.CharField(max_length=40, choices=WebhookEvent.choices))
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="webhook_endpoints"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=~Q(secret=""), name="webhook_secret_not_empty"),
            models.CheckConstraint(condition=~Q(events=[]), name="webhook_events_not_empty"),
            models.CheckConstraint(
                condition=Q(events__contained_by=WebhookEvent.values), name="webhook_events_valid"
            ),
        ]

    def __str__(self):
        return self.description or self.url


class WebhookDelivery(models.Model):
    """One event for one endpoint: the body as first built (a redelivery sends it again, byte
    for byte, with a new timestamp and signature) and what the last attempt met."""

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.CharField(max_length=40, choices=WebhookEvent.choices)
    # The ruling the event is about; kept for the log even after the ruling is deleted.
    ruling = models.ForeignKey(
        Ruling, on_delete=models.SET_NULL, null=True, blank=True, related_name="deliveries"
    )
    body = models.TextField()
    status = models.CharField(
        max_length=20, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    last_status_code = models.PositiveIntegerField(null=True, blank=True)
    last_response_ms = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "webhook deliveries"
        constraints = [
            _choices_check("event", WebhookEvent, "webhook_delivery_event_valid"),
            _choices_check("status", DeliveryStatus, "webhook_delivery_status_valid"),
            models.CheckConstraint(
                condition=~Q(status=DeliveryStatus.DELIVERED) | Q(delivered_at__isnull=False),
                name="webhook_delivered_has_time",
            ),
        ]
        indexes = [models.Index(fields=["status", "-created_at"], name="webhook_status_idx")]

    def __str__(self):
        return f"{self.event} #{self.pk} to {self.endpoint_id}"
