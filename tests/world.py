"""A small desk for the API tests: one article and a ruling in every workflow state.

Each ruling links a claim span of its own, so what anonymous clients may see differs per ruling:
spans of the draft and the ruling in review are private, those of the published and retracted
ones public.
"""

from dataclasses import dataclass

from annotations import services
from annotations.models import Annotation, Article, Ruling, Status

from .helpers import CLAIMED, drive

BODY = (
    "Protests began over fuel prices 🔥 in Zhanaozen.\r\n"
    "Officials blamed terrorists trained abroad. "
    "Critics said no evidence was shown. "
    "Reports put the contingent at 2,030 troops. "
    "Others said 2,500 troops arrived."
)
# The body as stored and served: the article's CRLF became one LF.
NORMALISED = BODY.replace("\r\n", "\n")


@dataclass
class World:
    article: Article
    draft: Ruling
    in_review: Ruling
    published: Ruling
    retracted: Ruling
    draft_claim: Annotation
    review_claim: Annotation
    published_claim: Annotation
    published_evidence: Annotation
    retracted_claim: Annotation
    unlinked: Annotation


def build_world(*, alice, erin, frank) -> World:
    article = services.article_create(
        slug="zhanaozen", body=BODY, title="Zhanaozen", publisher="Example Times"
    )

    def span(kind, quote):
        return services.span_create(article=article, kind=kind, author=alice, quote=quote)

    def ruling(slug, spans, rating="unsupported"):
        return services.ruling_create(
            **CLAIMED,
            author=alice,
            slug=slug,
            statement=f"Statement of {slug}",
            rating=rating,
            summary=f"Summary of {slug}.",
            annotations=spans,
        )

    draft_claim = span("claim", "fuel prices")
    review_claim = span("claim", "Officials blamed")
    published_claim = span("claim", "terrorists trained abroad")
    published_evidence = span("evidence", "no evidence was shown")
    retracted_claim = span("claim", "2,030 troops")
    unlinked = span("disputed", "2,500 troops")

    ruling("draft-ruling", [draft_claim])
    drive(ruling("review-ruling", [review_claim]), Status.IN_REVIEW)
    drive(
        ruling("published-ruling", [published_claim, published_evidence]),
        Status.PUBLISHED,
        approvers=[erin],
    )
    drive(
        ruling("retracted-ruling", [retracted_claim], rating="mixed"),
        Status.RETRACTED,
        approvers=[frank],
        reason="The figure was misread.",
    )

    fresh = {r.slug: r for r in Ruling.objects.all()}
    return World(
        article=Article.objects.get(pk=article.pk),
        draft=fresh["draft-ruling"],
        in_review=fresh["review-ruling"],
        published=fresh["published-ruling"],
        retracted=fresh["retracted-ruling"],
        draft_claim=draft_claim,
        review_claim=review_claim,
        published_claim=published_claim,
        published_evidence=published_evidence,
        retracted_claim=retracted_claim,
        unlinked=unlinked,
    )
