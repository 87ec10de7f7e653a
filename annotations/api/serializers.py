"""Input parsing and output shapes of the API.

Output serializers declare their fields (that is what the OpenAPI schema shows) and build the
dict by hand in `to_representation`: the per-field machinery of DRF costs more than the query on
large pages. `tests/api/test_schema.py` checks that the two agree.
"""

from rest_framework import serializers

from annotations import roles, selectors
from annotations.anchoring import OffsetUnit
from annotations.models import PUBLIC_STATUSES, ClaimantKind, Decision, Kind, Rating, Status

MAX_INT = 2**31 - 1  # PostgreSQL integer: larger offsets or ids can never exist


class StrictInput(serializers.Serializer):
    """Refuses unknown fields, naming them, instead of silently ignoring a typo."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({name: ["Unknown field."] for name in unknown})
        return super().to_internal_value(data)


class _JSONStringsOnly:
    """DRF's string fields also take numbers (12 becomes "12"); the document says `string`, and
    a number where text belongs is a client's mistake worth naming."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        # The length as sent, as the document's maxLength counts it: DRF would measure it after
        # trimming, and so take a string of 501 characters with a space at the end as 500.
        if self.max_length is not None and len(data) > self.max_length:
            self.fail("max_length", max_length=self.max_length)
        return super().to_internal_value(data)


class String(_JSONStringsOnly, serializers.CharField):
    def __init__(self, *, blank_refused_later=False, **kwargs):
        # Blank text the service refuses, after it has checked who is asking (a refusal for who
        # you are comes first); the document says blank is refused all the same.
        self.blank_refused_later = blank_refused_later
        super().__init__(**kwargs)


class Slug(_JSONStringsOnly, serializers.SlugField):
    pass


class URL(_JSONStringsOnly, serializers.URLField):
    pass


class Integer(serializers.IntegerField):
    """A JSON integer only: DRF's also takes "12", 12.0 and "12.0", which the document's
    `integer` does not."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


def text(**kwargs):
    # Quotes, contexts and bodies are taken verbatim: trimming would move offsets.
    kwargs.setdefault("trim_whitespace", False)
    return String(**kwargs)


def offset(**kwargs):
    return Integer(max_value=MAX_INT, min_value=-MAX_INT, **kwargs)


# --- Input -------------------------------------------------------------------------------------


class ArticleCreateInput(StrictInput):
    slug = Slug(max_length=200)
    title = text(max_length=500, required=False, allow_blank=True)
    publisher = text(max_length=200, required=False, allow_blank=True)
    author = text(max_length=500, required=False, allow_blank=True)
    published_on = serializers.DateField(required=False, allow_null=True)
    url = URL(max_length=1000, required=False, allow_blank=True)
    language = String(max_length=35, required=False)
    body = text(max_length=2_000_000)


class ArticleUpdateInput(ArticleCreateInput):
    slug = None
    body = text(max_length=2_000_000, required=False)


class SpanPlacementInput(StrictInput):
    start = offset(required=False, allow_null=True)
    end = offset(required=False, allow_null=True)
    quote = text(max_length=100_000, required=False, allow_null=True)
    prefix = text(max_length=1000, required=False, allow_blank=True, allow_null=True)
    suffix = text(max_length=1000, required=False, allow_blank=True, allow_null=True)
    near = offset(required=False, allow_null=True)
    note = text(max_length=20_000, required=False, allow_blank=True)
    speaker = String(
        max_length=200,
        required=False,
        allow_blank=True,
        help_text="Whose words the span carries, for reported speech (e.g. the official an "
        "outlet quotes).",
    )
    rulings = serializers.ListField(child=Slug(max_length=200), required=False, max_length=1000)


class AnnotationCreateInput(SpanPlacementInput):
    article = Slug(max_length=200)
    kind = serializers.ChoiceField(choices=Kind.choices)


class AnnotationUpdateInput(SpanPlacementInput):
    kind = serializers.ChoiceField(choices=Kind.choices, required=False)


class ClaimantInput(StrictInput):
    name = String(
        max_length=200, allow_blank=True, help_text='Who made the claim; "unknown" if unknown.'
    )
    kind = serializers.ChoiceField(choices=ClaimantKind.choices, required=False)
    url = URL(max_length=1000, required=False, allow_blank=True)

    def validate_url(self, value):
        if value and not value.lower().startswith(("http://", "https://")):
            raise serializers.ValidationError("Enter an http:// or https:// URL.")
        return value


class SourceInput(StrictInput):
    url = URL(max_length=1000)
    title = String(max_length=500, required=False, allow_blank=True)
    publisher = String(max_length=200, required=False, allow_blank=True)
    accessed = serializers.DateField(required=False, allow_null=True)
    note = String(max_length=2000, required=False, allow_blank=True)

    def validate_url(self, value):
        if not value.lower().startswith(("http://", "https://")):
            raise serializers.ValidationError("Enter an http:// or https:// URL.")
        return value


class RulingCreateInput(StrictInput):
    slug = Slug(max_length=200, required=False)
    claim = String(
        max_length=200,
        required=False,
        allow_blank=True,
        help_text="The claim as checked, in neutral words (ClaimReview claimReviewed). "
        "Required before submission; over 75 characters is allowed with a warning.",
    )
    claimant = ClaimantInput(required=False, help_text="Who made the claim.")
    statement = String(
        max_length=500, help_text="The verdict's headline: the title of the fact-check."
    )
    rating = serializers.ChoiceField(choices=Rating.choices)
    summary = String(max_length=50_000, required=False, allow_blank=True)
    sources = SourceInput(many=True, required=False, max_length=100, help_text="In order.")
    supersedes = Slug(max_length=200, required=False, allow_null=True)
    annotations = serializers.ListField(
        child=Integer(min_value=1, max_value=MAX_INT),
        required=False,
        max_length=5000,
    )


class RulingUpdateInput(RulingCreateInput):
    slug = None
    statement = String(
        max_length=500,
        required=False,
        help_text="The verdict's headline: the title of the fact-check.",
    )
    rating = serializers.ChoiceField(choices=Rating.choices, required=False)


class ReviewInput(StrictInput):
    decision = serializers.ChoiceField(choices=Decision.choices)
    comment = String(max_length=20_000, required=False, allow_blank=True)
    ruling_version = Integer(min_value=1, max_value=MAX_INT, required=False)


class RetractInput(StrictInput):
    reason = String(max_length=20_000, allow_blank=True, blank_refused_later=True)


# --- Output ------------------------------------------------------------------------------------


def _iso(value):
    return value.isoformat() if value is not None else None


class Offsets:
    """Converts stored code-point offsets to the unit the client asked for."""

    def __init__(self, unit=OffsetUnit.CODEPOINT, maps=None):
        self.unit = OffsetUnit(unit)
        self.maps = maps or {}

    def __call__(self, article_id, index):
        if self.unit == OffsetUnit.CODEPOINT:
            return index
        return self.maps[article_id].to_utf16(index)


def _offsets(context):
    return context.get("offsets") or Offsets()


def _reader(context):
    """Who the output is for: `user` in the context, else the request's user (None: nobody
    signed in, and every permission is false)."""
    if "user" in context:
        return context["user"]
    request = context.get("request")
    return request.user if request is not None else None


def _permissions_field(names, what):
    return serializers.DictField(
        child=serializers.BooleanField(),
        help_text=f"What you may do with this {what}, decided by the server: "
        + ", ".join(f"`{n}`" for n in names)
        + ". All false for readers who are not on the desk.",
    )


class ArticleSummary(serializers.Serializer):
    slug = serializers.CharField()
    title = serializers.CharField()
    publisher = serializers.CharField()
    author = serializers.CharField()
    published_on = serializers.DateField(allow_null=True)
    url = serializers.CharField()
    language = serializers.CharField()
    body_sha256 = serializers.CharField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    def to_representation(self, a):
        return {
            "slug": a.slug,
            "title": a.title,
            "publisher": a.publisher,
            "author": a.author,
            "published_on": _iso(a.published_on),
            "url": a.url,
            "language": a.language,
            "body_sha256": a.body_sha256,
            "created_at": _iso(a.created_at),
            "updated_at": _iso(a.updated_at),
        }


class ArticleDetail(ArticleSummary):
    body = serializers.CharField()
    length = serializers.IntegerField(help_text="Length of the body in the requested offset unit.")
    offset_unit = serializers.ChoiceField(choices=[u.value for u in OffsetUnit])

    def to_representation(self, a):
        data = super().to_representation(a)
        unit = _offsets(self.context).unit
        data["body"] = a.body
        if unit == OffsetUnit.UTF16:
            data["length"] = len(a.body.encode("utf-16-le")) // 2
        else:
            data["length"] = len(a.body)
        data["offset_unit"] = unit.value
        return data


class ArticleUpdateResult(ArticleDetail):
    reanchoring = serializers.DictField(
        child=serializers.IntegerField(),
        allow_null=True,
        help_text="After a body edit: how many spans were kept, moved, changed or orphaned.",
    )

    def to_representation(self, a):
        data = super().to_representation(a)
        report = self.context.get("report")
        data["reanchoring"] = dict(report.counts) if report is not None else None
        return data


class AnnotationOut(serializers.Serializer):
    id = serializers.IntegerField()
    article = serializers.CharField(help_text="Article slug.")
    kind = serializers.ChoiceField(choices=Kind.choices)
    start = serializers.IntegerField()
    end = serializers.IntegerField()
    offset_unit = serializers.ChoiceField(choices=[u.value for u in OffsetUnit])
    quote = serializers.CharField()
    prefix = serializers.CharField()
    suffix = serializers.CharField()
    note = serializers.CharField()
    speaker = serializers.CharField(help_text="Whose words the span carries (reported speech).")
    author = serializers.CharField()
    state = serializers.CharField()
    version = serializers.IntegerField()
    rulings = serializers.ListField(child=serializers.CharField(), help_text="Ruling slugs.")
    permissions = _permissions_field(roles.SPAN_PERMISSIONS, "span")
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    def to_representation(self, a):
        offsets = _offsets(self.context)
        return {
            "id": a.pk,
            "article": a.article.slug,
            "kind": a.kind,
            "start": offsets(a.article_id, a.start),
            "end": offsets(a.article_id, a.end),
            "offset_unit": offsets.unit.value,
            "quote": a.quote,
            "prefix": a.prefix,
            "suffix": a.suffix,
            "note": a.note,
            "speaker": a.speaker,
            "author": a.author.username,
            "state": a.state,
            "version": a.version,
            "rulings": [r.slug for r in a.visible_rulings],
            "permissions": selectors.span_permissions(_reader(self.context), a),
            "created_at": _iso(a.created_at),
            "updated_at": _iso(a.updated_at),
        }


class EmbeddedSpan(serializers.Serializer):
    id = serializers.IntegerField()
    article = serializers.CharField()
    article_title = serializers.CharField()
    quote = serializers.CharField()
    start = serializers.IntegerField()
    end = serializers.IntegerField()
    state = serializers.CharField()


class SpansByKind(serializers.Serializer):
    claim = EmbeddedSpan(many=True)
    evidence = EmbeddedSpan(many=True)
    disputed = EmbeddedSpan(many=True)


class ClaimantOut(serializers.Serializer):
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=ClaimantKind.choices)
    url = serializers.CharField()


class SourceOut(serializers.Serializer):
    url = serializers.CharField()
    title = serializers.CharField()
    publisher = serializers.CharField()
    accessed = serializers.CharField(help_text="YYYY-MM-DD, or empty.")
    note = serializers.CharField()


class RulingOut(serializers.Serializer):
    slug = serializers.CharField()
    claim = serializers.CharField(help_text="The claim as checked (ClaimReview claimReviewed).")
    claimant = ClaimantOut()
    statement = serializers.CharField(help_text="The verdict's headline (ClaimReview name).")
    rating = serializers.ChoiceField(choices=Rating.choices)
    rating_label = serializers.CharField()
    summary = serializers.CharField()
    sources = SourceOut(many=True)
    status = serializers.ChoiceField(choices=Status.choices)
    author = serializers.CharField()
    version = serializers.IntegerField()
    published_at = serializers.DateTimeField(allow_null=True)
    retraction_reason = serializers.CharField()
    supersedes = serializers.CharField(allow_null=True)
    superseded_by = serializers.CharField(allow_null=True)
    annotations = serializers.ListField(child=serializers.IntegerField(), help_text="Span ids.")
    spans = SpansByKind(help_text="Linked spans grouped by kind.")
    public_url = serializers.CharField(allow_null=True)
    offset_unit = serializers.ChoiceField(choices=[u.value for u in OffsetUnit])
    permissions = _permissions_field(roles.RULING_PERMISSIONS, "ruling")
    warnings = serializers.DictField(
        child=serializers.CharField(),
        help_text="What the desk may keep but should know, by field (a claim over 75 characters).",
    )
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    def to_representation(self, r):
        offsets = _offsets(self.context)
        grouped = {
            kind: [
                {
                    "id": s.pk,
                    "article": s.article.slug,
                    "article_title": s.article.title,
                    "quote": s.quote,
                    "start": offsets(s.article_id, s.start),
                    "end": offsets(s.article_id, s.end),
                    "state": s.state,
                }
                for s in spans
            ]
            for kind, spans in selectors.group_by_kind(r.linked_spans).items()
        }
        public_url = self.context.get("public_url")
        return {
            "slug": r.slug,
            "claim": r.claim,
            "claimant": {"name": r.claimant_name, "kind": r.claimant_kind, "url": r.claimant_url},
            "statement": r.statement,
            "rating": r.rating,
            "rating_label": Rating(r.rating).label,
            "summary": r.summary,
            "sources": r.sources,
            "status": r.status,
            "author": r.author.username,
            "version": r.version,
            "published_at": _iso(r.published_at),
            "retraction_reason": r.retraction_reason,
            "supersedes": r.supersedes.slug if r.supersedes_id else None,
            "superseded_by": r.successor_slug,
            "annotations": sorted(s.pk for s in r.linked_spans),
            "spans": grouped,
            "public_url": public_url(r.slug)
            if public_url and r.status in PUBLIC_STATUSES
            else None,
            "offset_unit": offsets.unit.value,
            "permissions": selectors.ruling_permissions(_reader(self.context), r),
            "warnings": selectors.claim_warnings(r),
            "created_at": _iso(r.created_at),
            "updated_at": _iso(r.updated_at),
        }


class ReviewOut(serializers.Serializer):
    id = serializers.IntegerField()
    reviewer = serializers.CharField()
    decision = serializers.ChoiceField(choices=Decision.choices)
    comment = serializers.CharField()
    ruling_version = serializers.IntegerField()
    created_at = serializers.DateTimeField()

    def to_representation(self, r):
        return {
            "id": r.pk,
            "reviewer": r.reviewer.username,
            "decision": r.decision,
            "comment": r.comment,
            "ruling_version": r.ruling_version,
            "created_at": _iso(r.created_at),
        }
