from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import JSONRenderer

from annotations.standards import W3C_MEDIA_TYPE


class W3CAnnotationRenderer(JSONRenderer):
    """W3C Web Annotation JSON-LD, chosen by Accept (with the anno profile) or ?format=jsonld."""

    media_type = W3C_MEDIA_TYPE
    format = "jsonld"


class JSONLDRenderer(JSONRenderer):
    """schema.org JSON-LD (ClaimReview)."""

    media_type = "application/ld+json"
    format = "jsonld"


class FormatOverrideNegotiation(DefaultContentNegotiation):
    """`?format=` picks its renderer outright. DRF's default still matches the Accept header
    against it, and a renderer whose media type has parameters (the W3C profile) never matches
    the `*/*` that most clients send, so `?format=jsonld` would be a 406."""

    def select_renderer(self, request, renderers, format_suffix=None):
        wanted = format_suffix or request.query_params.get(self.settings.URL_FORMAT_OVERRIDE)
        for renderer in renderers:
            if wanted and renderer.format == wanted:
                return renderer, renderer.media_type
        return super().select_renderer(request, renderers, format_suffix)
