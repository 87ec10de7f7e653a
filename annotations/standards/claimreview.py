"""schema.org ClaimReview: one per published or retracted ruling.

Builders take already-fetched objects and absolute URL builders and run no queries of their own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date

from django.conf import settings

from ..models import RATING_VALUES, ClaimantKind, Rating, Status

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


def _claimant(ruling):
    """The claim's author as schema.org reads it; an unknown claimant is left out rather than
    typed as a person or an organisation it may not be."""
    kinds = {ClaimantKind.PERSON: "Person", ClaimantKind.ORGANIZATION: "Organization"}
    if ruling.claimant_kind not in kinds or not ruling.claimant_name:
        return None
    author = {"@type": kinds[ruling.claimant_kind], "name": ruling.claimant_name}
    if ruling.claimant_url:
        author["url"] = ruling.claimant_url
    return author


def _appearance(article, article_url: Callable):
    appearance = {"@type": "CreativeWork", "url": article.url or article_url(article.slug)}
    # Unknown metadata stays out rather than being invented.
    if article.title:
        appearance["headline"] = article.title
    if article.published_on:
        appearance["datePublished"] = article.published_on.isoformat()
    if article.publisher:
        appearance["publisher"] = {"@type": "Organization", "name": article.publisher}
    return appearance


def _citation(source: dict):
    work = {"@type": "CreativeWork", "url": source["url"]}
    if source.get("title"):
        work["name"] = source["title"]
    if source.get("publisher"):
        work["publisher"] = {"@type": "Organization", "name": source["publisher"]}
    if source.get("note"):
        work["description"] = source["note"]
    return work


def claim_review(ruling, claims: Iterable, *, page_url: str, article_url: Callable) -> dict:
    """The one ClaimReview of a published or retracted ruling (schema.org, as Google's and Data
    Commons' readers expect). `claims`: its claim spans with their articles; each article that
    carries one is an appearance of the claim, the earliest by date its first."""
    articles = list({span.article_id: span.article for span in claims}.values())
    # Oldest first (undated last, then by id): the same order whoever fetched the spans.
    articles.sort(key=lambda a: (a.published_on is None, a.published_on or date.min, a.pk))
    appearances = [_appearance(article, article_url) for article in articles]
    item = {"@type": "Claim"}
    author = _claimant(ruling)
    if author is not None:
        item["author"] = author
    if appearances:
        item["appearance"] = appearances
        item["firstAppearance"] = appearances[0]
    review = {
        "@context": SCHEMA_CONTEXT,
        "@type": "ClaimReview",
        "url": page_url,
        "claimReviewed": ruling.claim,
        "name": ruling.statement,
        "headline": ruling.statement,
        "author": _organization(),
        "reviewRating": _rating(ruling.rating),
        "itemReviewed": item,
    }
    # Only a ruling not yet published (the desk's preview) has no date: it says none.
    if ruling.published_at is not None:
        review["datePublished"] = ruling.published_at.date().isoformat()
    if ruling.sources:
        review["citation"] = [_citation(source) for source in ruling.sources]
    if ruling.status == Status.RETRACTED:
        review["correction"] = {
            "@type": "CorrectionComment",
            "text": f"Retracted: {ruling.retraction_reason}",
        }
    return review
