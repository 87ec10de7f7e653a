"""A ruling's summary as HTML: Markdown (CommonMark, raw HTML off) through markdown-it-py, then
sanitised by nh3 (ammonia), never by hand. What the desk may use: paragraphs, links (http,
https, mailto; they open as `rel="nofollow noopener noreferrer"`), emphasis, lists, quotes,
code and line breaks. Everything else is dropped or shown as text."""

import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

# "js-default": CommonMark with raw HTML off and link validation on (no javascript: URLs);
# a single line break stays one (as the plain-text summaries written before Markdown expect);
# typographer off, so quotes stay as the desk typed them.
_MARKDOWN = MarkdownIt("js-default", {"breaks": True})
TAGS = {"p", "a", "em", "strong", "ul", "ol", "li", "blockquote", "code", "br"}
ATTRIBUTES = {"a": {"href"}}
URL_SCHEMES = {"http", "https", "mailto"}


def summary_html(text: str) -> SafeString:
    """The summary as safe HTML (empty for an empty summary)."""
    if not text or not text.strip():
        return mark_safe("")  # noqa: S308  (nothing to escape)
    rendered = _MARKDOWN.render(text)
    clean = nh3.clean(
        rendered,
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="nofollow noopener noreferrer",
    )
    return mark_safe(clean)  # noqa: S308  (sanitised by nh3 just above)
