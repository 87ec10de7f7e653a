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
from annotations.errors import PreconditionFailed
from annotations.models import Annotation, Ruling

from . import serializers as s

# --- Shared request parsing ---------------------------------------------------------------------

OFFSET_UNIT_PARAM = OpenApiParameter(
    "offset_unit",
    str,
    enum=[u.value for u in OffsetUnit],
    description="Unit of every offset read or written: Unicode code points (default) or the "
    "UTF-16 code units that browser selections count.",
)
IF_MATCH = OpenApiParameter(
    "If-Match",
    str,
    location=OpenApiParameter.HEADER,
    description="The ETag of the object as you last read it; a stale one is refused with 412.",
)
# Every error answers in DRF's shape, from one exception handler: an object of
# {"detail": "..."} or {"field": ["message", ...]} (a nested field's errors nest the same way).
ERROR_BODY = {
    "type": "object",
    "additionalProperties": {
        "anyOf": [{"type": "string"}, {"type": "array"}, {"type": "object"}],
    },
}
ERRORS = {
    code: OpenApiResponse(response=ERROR_BODY, description=text)
    for code, text in {
        400: "Invalid input; the body names the field.",
        401: "Authentication required.",
        403: "Not allowed for this user; the body says why.",
        404: "Not found (or not visible to this user).",
        406: "No representation matches the Accept header.",
        409: "The object's state forbids it; the body says why.",
        412: "If-Match is stale: someone else changed the object first.",
        413: "The request body is over the size limit.",
        415: "The request body is not JSON.",
        429: "Too many requests: wait for Retry-After seconds.",
        503: "The database is unavailable: try again after Retry-After seconds.",
    }.items()
}


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


_ETAG = re.compile(r'^(?:W/)?"([a-z]+)-(\d+)-v(\d{1,9})(?:-([a-z_]{1,20}))?"$')


def expected_version(request, obj) -> int | None:
    """The version the client's If-Match names (None without one). The service compares it
    with the current version under a row lock, so two writers with one ETag cannot both win."""
    header = request.headers.get("If-Match")
    if header is None or header.strip() == "*":
        return None
    versions, moved_on = [], False
    for tag in header.split(","):
        match = _ETAG.match(tag.strip())
        if match and match[1] == obj._meta.model_name and int(match[2]) == obj.pk:
            if match[4] and match[4] != getattr(obj, "status", None):
                moved_on = True  # read in another status: stale, whatever its version
                continue
            versions.append(int(match[3]))
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

    def has_permission(self, request, view):
        if request.method in SAFE_METHODS:
            return True
        if not request.user.is_authenticated:
            return False
        return roles.is_annotator(request.user)


class Base(viewsets.GenericViewSet):
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    permission_classes = [DeskWrites]

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
