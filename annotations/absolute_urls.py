"""Absolute URLs of our objects, as links in exports and pages need them. One place, so the API,
the public page and the standards exports always name an object by the same address."""

from django.conf import settings
from django.urls import reverse


def absolute(request, path: str) -> str:
    """FACTCHECK_PUBLIC_BASE_URL + path when set (behind a proxy the request's host may be an
    internal one), else the address this request came in on; with no request (a task worker)
    and no base, the path itself."""
    base = settings.FACTCHECK_PUBLIC_BASE_URL
    if base:
        return base.rstrip("/") + path
    return request.build_absolute_uri(path) if request is not None else path


def builders(request) -> dict:
    # A router's detail URL is its list URL plus "<key>/": resolving each list URL once spares
    # a reverse() per object, which on a W3C page of 5,000 spans is most of the cost of links.
    articles = absolute(request, reverse("api:article-list"))
    annotations = absolute(request, reverse("api:annotation-list"))
    rulings = absolute(request, reverse("api:ruling-list"))
    return {
        "article_url": lambda slug: f"{articles}{slug}/",
        "annotation_url": lambda pk: f"{annotations}{pk}/",
        "ruling_url": lambda slug: f"{rulings}{slug}/",
        "public_url": lambda slug: absolute(request, reverse("ruling-page", args=[slug])),
    }
