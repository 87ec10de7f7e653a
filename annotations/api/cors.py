"""Cross-origin access to the API (django-cors-headers, configured in settings).

Public reads are open to every origin: a fact-check widget or a browser extension on another
site may GET, HEAD and OPTIONS anything an anonymous client may read, with
`Access-Control-Allow-Origin: *` and never with credentials, so a browser sends no cookie and
the page sees only public data. Writes come from the service's own pages or from the origins in
CSRF_TRUSTED_ORIGINS, the ones Django already trusts for them: those origins are answered
with every method, the headers a write needs, and credentials. Every other origin's write is
refused here, before authentication, whatever it carries (a session cookie or a token), so a
page on another site cannot act for someone who is signed in. Preflights are answered by the
middleware itself, before any view, session or database is reached.
"""

from urllib.parse import urlsplit

from corsheaders.middleware import (
    ACCESS_CONTROL_ALLOW_CREDENTIALS,
    ACCESS_CONTROL_ALLOW_HEADERS,
    ACCESS_CONTROL_ALLOW_METHODS,
    ACCESS_CONTROL_ALLOW_ORIGIN,
    CorsMiddleware,
)
from django.conf import settings
from django.http import JsonResponse
from django.utils.http import is_same_domain

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# What a trusted origin's pages send with a write: token or session (with its CSRF token), a
# JSON body, and the ETag they read.
WRITE_METHODS = ("GET", "HEAD", "OPTIONS", "POST", "PATCH", "DELETE")
WRITE_HEADERS = ("accept", "authorization", "content-type", "if-match", "x-csrftoken")


def is_trusted_origin(origin: str) -> bool:
    """Whether CSRF_TRUSTED_ORIGINS names this origin, read as Django's CSRF check reads it
    (`https://*.example.com` covers the subdomains)."""
    try:
        url = urlsplit(origin)
    except ValueError:
        return False
    for trusted in settings.CSRF_TRUSTED_ORIGINS:
        allowed = urlsplit(trusted)
        if allowed.scheme != url.scheme:
            continue
        if "*" in allowed.netloc:
            if is_same_domain(url.netloc, allowed.netloc.lstrip("*")):
                return True
        elif allowed.netloc == url.netloc:
            return True
    return False


def is_own_origin(request, origin: str) -> bool:
    return origin == f"{request.scheme}://{request.get_host()}"


class APICorsMiddleware(CorsMiddleware):
    def check_preflight(self, request):
        response = super().check_preflight(request)
        if response is not None or not request._cors_enabled:
            return response  # a preflight, answered; or outside the API
        origin = request.headers.get("Origin")
        if (
            origin
            and request.method not in SAFE_METHODS
            and not is_own_origin(request, origin)
            and not is_trusted_origin(origin)
        ):
            return JsonResponse(
                {
                    "detail": f"Writes from {origin[:200]} are not accepted: only this "
                    "service's own pages and the origins it trusts (CSRF_TRUSTED_ORIGINS) may "
                    "change anything."
                },
                status=403,
            )
        return None

    def add_response_headers(self, request, response):
        response = super().add_response_headers(request, response)
        origin = request.headers.get("Origin")
        if origin and getattr(request, "_cors_enabled", False) and is_trusted_origin(origin):
            # The desk's own other sites: everything, credentials included, for this origin
            # only (never with `*`).
            response[ACCESS_CONTROL_ALLOW_ORIGIN] = origin
            response[ACCESS_CONTROL_ALLOW_CREDENTIALS] = "true"
            if request.method == "OPTIONS":
                response[ACCESS_CONTROL_ALLOW_METHODS] = ", ".join(WRITE_METHODS)
                response[ACCESS_CONTROL_ALLOW_HEADERS] = ", ".join(WRITE_HEADERS)
        return response
