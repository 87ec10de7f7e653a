"""`/articles/{slug}/`: an article's text with the spans of public rulings marked."""

from django.conf import settings
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_safe

from .. import selectors
from ..models import Article, Kind
from .rulings import web_link


class Segment:
    """A stretch of the text between two span boundaries: the spans covering all of it
    (`marks`, outermost first) and those starting at it (`starts`, whose labels go before it)."""

    __slots__ = ("text", "marks", "starts")

    def __init__(self, text, marks, starts):
        self.text, self.marks, self.starts = text, marks, starts


def segments(body, spans):
    """`body` cut at every span's start and end. Overlapping spans cannot nest as elements, so
    each segment carries its own list of covering spans and the template nests one <mark> per
    span inside that segment alone: the HTML stays well formed however spans overlap."""
    spans = [s for s in spans if 0 <= s.start < s.end <= len(body)]
    cuts = sorted({0, len(body), *(s.start for s in spans), *(s.end for s in spans)})
    out = []
    for a, b in zip(cuts, cuts[1:], strict=False):
        covering = [s for s in spans if s.start <= a and b <= s.end]
        # Longest first: the outer <mark> is the span that lasts longest.
        covering.sort(key=lambda s: (s.start, -s.end, s.pk))
        out.append(Segment(body[a:b], covering, [s for s in covering if s.start == a]))
    return out


@require_safe
def article_page(request, slug):
    try:
        article = selectors.public_article(slug)
    except Article.DoesNotExist:
        raise Http404("No article at this address.") from None
    spans = [s for s in article.public_spans if s.public_rulings]
    context = {
        "article": article,
        "article_link": web_link(article.url),
        "byline": " \N{MIDDLE DOT} ".join(filter(None, [article.publisher, article.author])),
        "org_name": settings.FACTCHECK_ORG_NAME,
        "org_url": settings.FACTCHECK_ORG_URL,
        "segments": segments(article.body, spans),
        "spans": spans,
        "kinds": Kind.choices,
    }
    return render(request, "annotations/article_page.html", context)
