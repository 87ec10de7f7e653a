"""Open-standard views of our data: W3C Web Annotation (written and parsed) and schema.org
ClaimReview; other tools' corpus formats (corpora: doccano JSONL, Label Studio tasks)."""

from .claimreview import SCHEMA_CONTEXT, claim_review
from .w3c import (
    MOTIVATIONS,
    W3C_CONTEXT,
    W3C_MEDIA_TYPE,
    ParsedSpan,
    W3CError,
    article_slugs,
    page_items,
    parse_annotation,
    w3c_annotation,
    w3c_page,
)

__all__ = [
    "MOTIVATIONS",
    "SCHEMA_CONTEXT",
    "W3C_CONTEXT",
    "W3C_MEDIA_TYPE",
    "ParsedSpan",
    "W3CError",
    "article_slugs",
    "claim_review",
    "page_items",
    "parse_annotation",
    "w3c_annotation",
    "w3c_page",
]
