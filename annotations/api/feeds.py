"""The ClaimReview DataFeed (schema.org DataFeed, the shape Data Commons reads): every public
ruling's ClaimReview, streamed, with `?since=` for incremental pulls."""

import datetime
import json

from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.views import APIView

from annotations import absolute_urls, selectors, standards

from .base import DeskWrites, JSONErrors, OptionsAsJSON, errors

CHUNK = 200


def parse_since(value):
    """An ISO 8601 datetime (naive means UTC), or None when absent; anything else is a 400, an
    empty value too (the document says date-time, and a client that sends `since=` meant one)."""
    if value is None:
        return None
    try:
        since = parse_datetime(value)
    except ValueError:
        since = None
    if since is None:
        raise ValidationError({"since": ["Enter an ISO 8601 datetime, e.g. 2026-01-31T12:00:00Z."]})
    if timezone.is_naive(since):
        since = timezone.make_aware(since, datetime.UTC)
    # In UTC before it reaches PostgreSQL, which refuses offsets past ±15:59 ("-21:58" is valid
    # ISO 8601): the refusal would come after the streamed response had begun.
    try:
        return since.astimezone(datetime.UTC)
    except OverflowError:
        raise ValidationError({"since": ["This datetime is out of range."]}) from None


def feed_items(rulings, urls):
    for ruling in rulings:
        review = standards.claim_review(
            ruling,
            ruling.claim_spans,
            page_url=urls["public_url"](ruling.slug),
            article_url=urls["article_url"],
        )
        yield {
            "@type": "DataFeedItem",
            "dateModified": ruling.updated_at.isoformat(),
            "item": [review],
        }


def stream(items):
    # The envelope, then one element at a time: memory stays flat however many rulings.
    yield '{"@context": "https://schema.org", "@type": "DataFeed", "dataFeedElement": ['
    for i, item in enumerate(items):
        yield ("," if i else "") + "\n" + json.dumps(item, ensure_ascii=False)
    yield "\n]}\n"


class ClaimReviewFeed(OptionsAsJSON, JSONErrors, APIView):
    # Public data: anyone may read it (DeskWrites lets every safe method through, and marks the
    # operation's security optional in the document).
    permission_classes = [DeskWrites]
    http_method_names = ["get", "head", "options"]

    @extend_schema(
        tags=["rulings"],
        operation_id="claimreview_feed",
        parameters=[
            OpenApiParameter(
                "since",
                OpenApiTypes.DATETIME,
                description="Only rulings changed at or after this ISO 8601 datetime.",
            )
        ],
        responses={
            (200, "application/ld+json"): OpenApiTypes.OBJECT,
            # No object to miss (no 404); otherwise what any read can meet.
            **errors(400, 401, 406, 429, 503),
        },
        description="schema.org DataFeed of every published and retracted ruling's ClaimReview "
        "(each item equals /rulings/{slug}/claimreview/), oldest change first, streamed.",
    )
    def get(self, request):
        since = parse_since(request.query_params.get("since"))
        rulings = selectors.claim_review_rulings(since=since).iterator(chunk_size=CHUNK)
        items = feed_items(rulings, absolute_urls.builders(request))
        return StreamingHttpResponse(stream(items), content_type="application/ld+json")
