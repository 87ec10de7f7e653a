import orjson
from rest_framework import renderers
from rest_framework.exceptions import NotAcceptable
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.utils.encoders import JSONEncoder

from annotations.standards import W3C_MEDIA_TYPE

_DRF_DEFAULT = JSONEncoder().default
# Datetimes, decimals, lazy strings and the like go to DRF's own encoder, so they come out as
# DRF writes them (our serializers hand over ISO strings already; this is for the rest).
_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_NON_STR_KEYS


class JSONRenderer(renderers.JSONRenderer):
    """DRF's compact JSON (UTF-8, no spaces, U+2028/U+2029 escaped), byte for byte, written by
    orjson: several times faster than the stdlib encoder on a page of 100 spans or a W3C page of
    5,000 (benchmarks/api.py). Indented output (the browsable `?indent=`) stays with DRF."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        renderer_context = renderer_context or {}
        indent = self.get_indent(accepted_media_type, renderer_context)
        if indent or not self.compact or self.ensure_ascii:
            return super().render(data, accepted_media_type, renderer_context)
        out = orjson.dumps(data, default=_DRF_DEFAULT, option=_OPTIONS)
        # As DRF does: these two are valid JSON but end a line in JavaScript.
        if b"\xe2\x80\xa8" in out or b"\xe2\x80\xa9" in out:
            out = out.replace(b"\xe2\x80\xa8", b"\\u2028").replace(b"\xe2\x80\xa9", b"\\u2029")
        return out


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
        try:
            return super().select_renderer(request, renderers, format_suffix)
        except NotAcceptable:
            # `Accept: application/ld+json` without the W3C profile parameter: DRF requires the
            # renderer's parameters to match, but the client asked for that type, and the one
            # renderer of that base type is what it wants.
            for accepted in request.META.get("HTTP_ACCEPT", "").split(","):
                base = accepted.split(";")[0].strip().lower()
                for renderer in renderers:
                    if base and renderer.media_type.split(";")[0].strip() == base:
                        return renderer, renderer.media_type
            raise


class CSVRenderer(renderers.BaseRenderer):
    """`?format=csv` (or Accept: text/csv) on the span and ruling lists. The views stream the
    table themselves (standards/tables.py); this class only lets content negotiation choose
    it, and errors are JSON (api.base.JSONErrors)."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        raise NotImplementedError("CSV lists are streamed by their views")
