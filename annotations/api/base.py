"""What every API view shares: the request parameters and error responses the document
names, ETags and If-Match, input validation, the first permission check, and looking up the
rulings and spans a request names (only those its user may see)."""

from __future__ import annotations

import re

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.response import Response

from annotations import absolute_urls, roles, selectors
from annotations.anchoring import OffsetUnit
from annotations.downloads import csv_download
from annotations.errors import PreconditionFailed
from annotations.models import Annotation, Ruling

from . import serializers as s
from .renderers import CSVRenderer, JSONRenderer

# --- Shared request parsing ---------------------------------------------------------------------

OFFSET_UNIT_PARAM = OpenApiParameter(
    "offset_unit",
    str,
    enum=[u.value for u in OffsetUnit],
    description="Unit of every offset read or written: Unicode code points (default) or the "
    "UTF-16 code units that browser selections count.",
)
# An ETag as this API writes it (`etag()` below), and If-Match as the document states it: `*`,
# or a comma-separated list of such tags. A value that names no current version of the object,
# malformed or stale, can never match: 412, naming the current ETag.
_ETAG = r'(W/)?"([a-z]{1,30})-([0-9]{1,18})-v([0-9]{1,9})(?:-([a-z_]{1,20}))?"'
IF_MATCH_PATTERN = r"^(\*|" + _ETAG + r"([ \t]*,[ \t]*" + _ETAG + r")*)$"
IF_MATCH = OpenApiParameter(
    "If-Match",
    str,
    location=OpenApiParameter.HEADER,
    pattern=IF_MATCH_PATTERN,
    description="The ETag of the object as you last read it (or `*`); one that names no "
    "current version of it (stale, or not an ETag of this API) is refused with 412.",
)
# Every error answers in DRF's shape, from one exception handler: an object of
# {"detail": "..."} or {"field": ["message", ...]} (a nested field's errors nest the same way).
ERROR_BODY = {
    "type": "object",
    "additionalProperties": {
        "anyOf": [{"type": "string"}, {"type": "array"}, {"type": "object"}],
    },
}
ERROR_TEXT = {
    400: "Invalid input; the body names the field.",
    401: "Authentication required, or the token is not valid.",
    403: "Not allowed for this user; the body says why.",
    404: "Not found (or not visible to this user).",
    406: "No representation matches the Accept header.",
    409: "The object's state forbids it; the body says why.",
    412: "If-Match is stale: someone else changed the object first.",
    413: "The request body is over the size limit.",
    415: "The request body is not JSON.",
    429: "Too many requests: wait for Retry-After seconds.",
    503: "The database is unavailable: try again after Retry-After seconds.",
}


def errors(*codes) -> dict:
    """The error responses of one operation, each in the one error shape (always JSON, whatever
    representation the request asked for: see `Base.handle_exception`)."""
    return {
        (code, "application/json"): OpenApiResponse(
            response=ERROR_BODY, description=ERROR_TEXT[code]
        )
        for code in codes
    }


# What any request can meet: a bad token (401), no representation for its Accept header (406),
# the throttle (429), the database down (503).
_ANY = (401, 406, 429, 503)
# Reads: a bad parameter (400), an unknown or invisible object, cursor or format (404).
READ_ERRORS = errors(400, 404, *_ANY)
# Writes: also the wrong person (403), the wrong state (409), a body too large (413) or not JSON
# (415).
WRITE_ERRORS = errors(400, 403, 404, 409, 413, 415, *_ANY)
# Writes that take If-Match: also a stale one (412).
CONDITIONAL_WRITE_ERRORS = errors(400, 403, 404, 409, 412, 413, 415, *_ANY)
# Writes that read no body (DELETE, submit): no 413 or 415; DELETE's If-Match may be stale.
NO_BODY_WRITE_ERRORS = errors(400, 403, 404, 409, *_ANY)
DELETE_ERRORS = errors(400, 403, 404, 409, 412, *_ANY)
# Reads only the desk may make: also 403 for a reader who is not on it.
DESK_READ_ERRORS = errors(400, 403, 404, *_ANY)


def offset_unit(request) -> OffsetUnit:
    raw = request.query_params.get("offset_unit", OffsetUnit.CODEPOINT.value)
    try:
        return OffsetUnit(raw)
    except ValueError:
        raise ValidationError(
            {"offset_unit": [f"offset_unit must be 'codepoint' or 'utf-16'; got {raw!r}."]}
        ) from None


def etag(obj) -> str:
    # A ruling's status changes without a new version (submitting, publishing and retracting
    # change no content, and approvals are counted per version), but the representation
    # changes: the status is part of its ETag.
    status = getattr(obj, "status", None)
    state = f"-{status}" if status else ""
    return f'"{obj._meta.model_name}-{obj.pk}-v{obj.version}{state}"'


_TAG = re.compile(_ETAG)


def expected_version(request, obj) -> int | None:
    """The version the client's If-Match names (None without one). The service compares it
    with the current version under a row lock, so two writers with one ETag cannot both win."""
    header = request.headers.get("If-Match")
    if header is None or header.strip() == "*":
        return None
    versions, moved_on = [], False
    for tag in header.split(","):
        match = _TAG.fullmatch(tag.strip())
        if match and match[2] == obj._meta.model_name and int(match[3]) == obj.pk:
            if match[5] and match[5] != getattr(obj, "status", None):
                moved_on = True  # read in another status: stale, whatever its version
                continue
            versions.append(int(match[4]))
    if not versions and moved_on:
        raise PreconditionFailed(
            f"This {obj._meta.verbose_name} is now {obj.status}; you read it before that "
            f"change. Its current ETag is {etag(obj)}."
        )
    if not versions:
        raise PreconditionFailed(
            f"If-Match {header!r} does not name this {obj._meta.verbose_name}; "
            f"its current ETag is {etag(obj)}."
        )
    return obj.version if obj.version in versions else versions[0]


def with_etag(response: Response, obj) -> Response:
    response["ETag"] = etag(obj)
    return response


def validated(serializer_class, request, partial=False) -> dict:
    serializer = serializer_class(data=request.data, partial=partial)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class DeskWrites(BasePermission):
    """Writes need a desk role (annotator or editor). Anonymous clients get 401 and readers with a
    token 403 before their input is parsed, so a refusal never depends on how bad the input was.
    The services still decide each write in full; this is only their first question, asked early.
    """

    message = "Only annotators and editors may change anything; readers may only read."
    # Anonymous clients may read through it: the document marks such reads' security optional.
    anonymous_reads = True

    def has_permission(self, request, view):
        if request.method in SAFE_METHODS:
            return True
        if not request.user.is_authenticated:
            return False
        return roles.is_annotator(request.user)


class DeskOnly(BasePermission):
    """The desk's own record (reviews): nobody else reads it. Asked before the object is looked
    up, so the answer (401 anonymous, 403 a reader) is the same for every slug and tells nobody
    which drafts exist. OPTIONS stays open: it describes the endpoint, not its data."""

    message = "Only annotators and editors may read reviews."
    anonymous_reads = False

    def has_permission(self, request, view):
        return request.method == "OPTIONS" or roles.is_annotator(request.user)


class OptionsAsJSON:
    """OPTIONS answers DRF's metadata as JSON, whatever the view renders otherwise: the docs
    page has only an HTML template renderer (which has no template for metadata), the schema
    view YAML, ClaimReview JSON-LD (which metadata is not)."""

    def options(self, request, *args, **kwargs):
        request.accepted_renderer = JSONRenderer()
        request.accepted_media_type = JSONRenderer.media_type
        return super().options(request, *args, **kwargs)


class JSONErrors:
    """An error is `{"detail": ...}` or `{"field": [...]}` in plain JSON, whatever
    representation the request asked for: a 404 is not a W3C AnnotationPage, and the document
    names application/json for every error."""

    def handle_exception(self, exc):
        response = super().handle_exception(exc)
        self.request.accepted_renderer = JSONRenderer()
        self.request.accepted_media_type = JSONRenderer.media_type
        return response


def csv_format_param(what: str) -> OpenApiParameter:
    return OpenApiParameter(
        "format",
        str,
        # Empty: chosen by the Accept header, as without the parameter.
        enum=["json", "csv", ""],
        description=f"`csv` (or Accept: text/csv) answers every {what} the filters select as "
        "one CSV table (no pages; offsets in `offset_unit`), streamed.",
    )


def csv_response(request, queryset, table):
    """The whole filtered list as a CSV attachment (annotations/downloads.py), offsets in the
    unit asked for: converting to UTF-16 reads the bodies of the articles concerned in one more
    query (a subquery of the same filters), so the count stays fixed."""
    unit = offset_unit(request)
    maps = None
    if unit == OffsetUnit.UTF16:
        if table == "spans":
            ids = queryset.order_by().values("article_id")
        else:
            ids = Annotation.objects.filter(
                links__ruling__in=queryset.order_by().values("id")
            ).values("article_id")
        maps = selectors.offset_maps(ids)
    return csv_download(queryset, table, s.Offsets(unit, maps))


class CSVLists:
    """A viewset whose list also answers `?format=csv` (its `list` streams csv_response)."""

    def get_renderers(self):
        renderers = super().get_renderers()
        return [*renderers, CSVRenderer()] if self.action == "list" else renderers


class NoInput(s.StrictInput):
    """The body of an action that takes none (submit): OPTIONS describes it as no fields."""


class Base(OptionsAsJSON, JSONErrors, viewsets.GenericViewSet):
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    permission_classes = [DeskWrites]
    # The body each action reads, by action name. DRF's OPTIONS metadata describes the body of
    # the POST a user may send (it asks `get_serializer()`), and the document names the same
    # classes in each action's `extend_schema(request=...)`.
    input_serializers: dict = {}

    def get_serializer_class(self):
        action = self.action_map.get(self.request.method.lower()) if self.request else None
        return self.input_serializers.get(action, NoInput)

    def offsets(self, article_ids=()):
        unit = offset_unit(self.request)
        maps = selectors.offset_maps(article_ids) if unit == OffsetUnit.UTF16 else None
        return s.Offsets(unit, maps)

    def get_serializer_context(self):
        return {**super().get_serializer_context(), **absolute_urls.builders(self.request)}

    def out(self, serializer_class, obj, *, status_code=200, **context):
        data = serializer_class(obj, context={**self.get_serializer_context(), **context}).data
        return with_etag(Response(data, status=status_code), obj)


def resolve_rulings(user, slugs, field="rulings") -> list[Ruling]:
    found = {r.slug: r for r in selectors.rulings_for(user).filter(slug__in=slugs)}
    missing = [slug for slug in slugs if slug not in found]
    if missing:
        raise ValidationError({field: [f"No such ruling: {', '.join(missing)}."]})
    return [found[slug] for slug in dict.fromkeys(slugs)]


def resolve_spans(user, ids) -> list[Annotation]:
    found = {a.pk: a for a in selectors.spans_for(user).filter(pk__in=ids)}
    missing = [str(pk) for pk in ids if pk not in found]
    if missing:
        raise ValidationError({"annotations": [f"No such span: {', '.join(missing)}."]})
    return [found[pk] for pk in dict.fromkeys(ids)]
