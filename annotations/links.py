"""Absolute URLs of our objects, as links in exports and pages need them. One place, so the API,
the public page and the standards exports always name an object by the same address."""

from django.conf import settings
from django.urls import reverse


def absolute(request, path: str) -> str:
    """FACTCHECK_PUBLIC_BASE_URL + path when set (behind a proxy the request's host may be an
    internal one), else the address this request came in on."""
    base = settings.FACTCHECK_PUBLIC_BASE_URL
    return base.rstrip("/") + path if base else request.build_absolute_uri(path)


def builders(request) -> dict:
    return {
        "article_url": lambda slug: absolute(request, reverse("api:article-detail", args=[slug])),
        "annotation_url": lambda pk: absolute(request, reverse("api:annotation-detail", args=[pk])),
        "ruling_url": lambda slug: absolute(request, reverse("api:ruling-detail", args=[slug])),
        "public_url": lambda slug: absolute(request, reverse("ruling-page", args=[slug])),
    }
