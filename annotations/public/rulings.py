"""The public page of a published or retracted ruling (SPEC.md), with its ClaimReview JSON-LD."""

import json

from django.conf import settings
from django.http import Http404
from django.shortcuts import render
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_safe

from .. import absolute_urls, selectors, standards
from ..models import PUBLIC_STATUSES, Kind, Ruling

# An HTML parser ends a <script> element at the first "</script" whatever the JSON around it
# says. As JSON escapes, <, > and & mean the same to a JSON parser and nothing to the HTML one.
_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def json_ld_script(data):
    """`data` as a <script type="application/ld+json"> element that no text inside can end."""
    # ensure_ascii also escapes U+2028/U+2029, which older JavaScript parsers reject in strings.
    text = json.dumps(data, ensure_ascii=True, indent=2).translate(_SCRIPT_ESCAPES)
    # The JSON holds no <, > or & any more, so it cannot close the element or open a tag.
    return format_html(
        '<script type="application/ld+json">{}</script>',
        mark_safe(text),  # noqa: S308
    )


def web_link(url):
    # Article URLs come from imports as well as from validated forms: only http(s) becomes a
    # link, so a stored "javascript:" URL is shown as nothing rather than made clickable.
    return url if url.lower().startswith(("http://", "https://")) else ""


def _public(ruling):
    return ruling if ruling is not None and ruling.status in PUBLIC_STATUSES else None


@require_safe
def ruling_page(request, slug):
    try:
        ruling = selectors.public_ruling(slug)
    except Ruling.DoesNotExist:
        raise Http404("No published ruling at this address.") from None
    return render(request, "annotations/ruling_page.html", page_context(request, ruling))


def page_context(request, ruling, *, preview=False):
    """The ruling page's context: the public page's, and the desk's preview of a ruling not yet
    public (which names no successor or predecessor the public could not open either)."""
    try:
        superseded_by = ruling.superseded_by
    except Ruling.DoesNotExist:
        superseded_by = None

    urls = absolute_urls.builders(request)
    page_url = urls["public_url"](ruling.slug)
    for span in ruling.linked_spans:
        span.article.web_link = web_link(span.article.url)
    spans = selectors.group_by_kind(ruling.linked_spans)
    review = standards.claim_review(
        ruling,
        spans[Kind.CLAIM],
        page_url=page_url,
        article_url=urls["article_url"],
    )
    return {
        "ruling": ruling,
        "preview": preview,
        "page_url": page_url,
        "org_name": settings.FACTCHECK_ORG_NAME,
        "org_url": settings.FACTCHECK_ORG_URL,
        "methodology": settings.FACTCHECK_METHODOLOGY,
        "claimant_link": web_link(ruling.claimant_url),
        "sources": [dict(s, web_link=web_link(s["url"])) for s in ruling.sources],
        "sections": [
            ("claims", "Claims checked", spans[Kind.CLAIM]),
            ("evidence", "Evidence", spans[Kind.EVIDENCE]),
            ("disputed", "Disputed passages", spans[Kind.DISPUTED]),
        ],
        "superseded_by": _public(superseded_by),
        "supersedes": _public(ruling.supersedes),
        "json_ld": json_ld_script(review),
    }
