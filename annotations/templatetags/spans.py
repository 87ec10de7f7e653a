"""`{% span_in_context span %}`: a span's quote marked inside its context, cut at word
boundaries with blank lines folded (anchoring.snippet), as every page that quotes a span shows
it: the public ruling page, the admin's ruling, editor and review pages."""

from django import template

from annotations import anchoring, formatting

register = template.Library()


@register.inclusion_tag("annotations/_span_in_context.html")
def span_in_context(span, language=""):
    # `chars_after` (characters of the body after the span) is set by the selectors that read
    # these spans; without it, the suffix is taken to reach the end.
    chars_after = getattr(span, "chars_after", len(span.suffix))
    at_start = span.start <= len(span.prefix)
    at_end = chars_after <= len(span.suffix)
    before, after = anchoring.snippet(span.prefix, span.suffix, at_start=at_start, at_end=at_end)
    return {
        "span": span,
        "before": before,
        "after": after,
        "lead": not at_start,
        "trail": not at_end,
        "language": language,
    }


@register.filter
def summary_html(text):
    """`{{ ruling.summary|summary_html }}`: the summary's Markdown as sanitised HTML."""
    return formatting.summary_html(text)
