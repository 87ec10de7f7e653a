"""schema.org ClaimReview: one per claim span of a published or retracted ruling.

Builders take already-fetched objects and absolute URL builders and run no queries of their own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.conf import settings

from ..models import RATING_VALUES, Rating, Status

SCHEMA_CONTEXT = "https://schema.org"


def _rating(rating: str):
    value = {
        "@type": "Rating",
        "alternateName": Rating(rating).label,
    }
    if rating in RATING_VALUES:
        value.update(ratingValue=RATING_VALUES[rating], bestRating=5, worstRating=1)
    return value


def _organization():
    org = {"@type": "Organization", "name": settings.FACTCHECK_ORG_NAME}
    if settings.FACTCHECK_ORG_URL:
        org["url"] = settings.FACTCHECK_ORG_URL
    return org


def claim_reviews(ruling, claims: Iterable, *, page_url: str, article_url: Callable):
    """One ClaimReview per claim span of a published or retracted ruling."""
    reviews = []
    for span in claims:
        article = span.article
        appearance = {"@type": "CreativeWork", "url": article.url or article_url(article.slug)}
        # Unknown metadata stays out rather than being invented.
        if article.title:
            appearance["headline"] = article.title
        if article.published_on:
            appearance["datePublished"] = article.published_on.isoformat()
        if article.publisher:
            appearance["publisher"] = {"@type": "Organization", "name": article.publisher}
        review = {
            "@type": "ClaimReview",
            "url": page_url,
            "claimReviewed": span.quote,
            "datePublished": ruling.published_at.date().isoformat(),
            "author": _organization(),
            "reviewRating": _rating(ruling.rating),
            "itemReviewed": {"@type": "Claim", "appearance": appearance},
            "name": ruling.statement,
        }
        if ruling.status == Status.RETRACTED:
            review["correction"] = {
                "@type": "CorrectionComment",
                "text": f"Retracted: {ruling.retraction_reason}",
            }
        reviews.append(review)
    return reviews


def claim_review_document(reviews: list):
    return {"@context": SCHEMA_CONTEXT, "@graph": reviews}
