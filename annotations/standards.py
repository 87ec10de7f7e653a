"""Open-standard views of our data: W3C Web Annotation and schema.org ClaimReview.

Builders take already-fetched objects and absolute URL builders; they run no queries of their
own, so list exports stay at a fixed number of queries.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.conf import settings

from .models import RATING_VALUES, Rating, Status

W3C_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
W3C_MEDIA_TYPE = 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"'
SCHEMA_CONTEXT = "https://schema.org"

# W3C motivation of each kind: a claim is questioned, evidence is identified as support for a
# ruling, a disputed passage is assessed as contested. The kind itself is a classifying body.
MOTIVATIONS = {"claim": "questioning", "evidence": "identifying", "disputed": "assessing"}


def w3c_annotation(annotation, *, article_url: str, annotation_url: str, ruling_url: Callable):
    body = [{"type": "TextualBody", "purpose": "classifying", "value": annotation.kind}]
    if annotation.note:
        body.append({"type": "TextualBody", "purpose": "commenting", "value": annotation.note})
    for ruling in annotation.visible_rulings:
        body.append(
            {
                "type": "SpecificResource",
                "purpose": "linking",
                "source": ruling_url(ruling.slug),
                "label": ruling.statement,
            }
        )
    return {
        "id": annotation_url,
        "type": "Annotation",
        "motivation": MOTIVATIONS[annotation.kind],
        "created": annotation.created_at.isoformat(),
        "modified": annotation.updated_at.isoformat(),
        "creator": {"type": "Person", "nickname": annotation.author.username},
        "body": body,
        "target": {
            "source": article_url,
            "selector": [
                {
                    "type": "TextQuoteSelector",
                    "exact": annotation.quote,
                    "prefix": annotation.prefix,
                    "suffix": annotation.suffix,
                },
                # W3C positions count code points, as we store them.
                {"type": "TextPositionSelector", "start": annotation.start, "end": annotation.end},
            ],
        },
    }


def w3c_page(items: list, *, page_url: str, total: int):
    return {
        "@context": W3C_CONTEXT,
        "id": page_url,
        "type": "AnnotationPage",
        "partOf": {"id": page_url, "type": "AnnotationCollection", "total": total},
        "startIndex": 0,
        "items": items,
    }


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
