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
