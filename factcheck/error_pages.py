"""Error pages. Under /api/ they answer in the API's JSON error shape, since a client that
mistypes a path or an id must not have to parse an HTML page."""

import sys

from django.db import InterfaceError, OperationalError, connection
from django.http import HttpResponse, JsonResponse
from django.views import defaults


def _is_api(request):
    return request.path.startswith("/api/")


def not_found(request, exception):
    if _is_api(request):
        return JsonResponse({"detail": "Not found."}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    # Django calls this inside its `except` for any uncaught exception, from a view or a
    # middleware alike, so sys.exc_info() names the cause.
    if isinstance(sys.exc_info()[1], OperationalError | InterfaceError):
        return _database_unavailable(request)
    if _is_api(request):
        return JsonResponse({"detail": "Internal server error."}, status=500)
    return defaults.server_error(request)


def _database_unavailable(request):
    """While PostgreSQL is down or restarting: 503 with Retry-After, not a 500. The client did
    nothing wrong and should try again; connections are health-checked before reuse
    (CONN_HEALTH_CHECKS), so service resumes by itself once the database is back."""
    # Drop the broken connection now rather than on the next request.
    connection.close_if_unusable_or_obsolete()
    detail = "The database is unavailable; try again shortly."
    if _is_api(request):
        response = JsonResponse({"detail": detail}, status=503)
    else:
        response = HttpResponse(detail, status=503, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = "5"
    return response
