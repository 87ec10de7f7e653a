"""The OpenAPI document says what the code enforces, no more and no less (issue 22): a
schema-valid request is one the API takes, a schema-invalid one is refused.

drf-spectacular reads most of it from the views and serializers; this class adds what it
cannot see there: which reads anonymous clients may make (optional security), that input
objects refuse unknown fields, which strings refuse NUL characters or blank text, and the
bounds of the list filters.
"""

from django_filters import CharFilter, ChoiceFilter
from drf_spectacular.openapi import AutoSchema
from rest_framework import serializers
from rest_framework.permissions import SAFE_METHODS

from .serializers import StrictInput

# DRF's CharField refuses a NUL character in any string (PostgreSQL text cannot hold one).
NO_NUL = "^[^\\x00]*$"
# ... and, where it refuses blanks, text that is only whitespace. Whitespace as Python's
# str.strip() reads it (which is how DRF trims and the services check), spelled out: `\s` means
# other sets in JSON Schema's regexes and in Python's ASCII mode.
WHITESPACE = (
    "\\t\\n\\x0b\\x0c\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a"
    "\\u2028\\u2029\\u202f\\u205f\\u3000"
)
NOT_BLANK = f"^[^\\x00]*[^\\x00{WHITESPACE}][^\\x00]*$"


def string_pattern(field) -> str | None:
    """The pattern a DRF string field enforces beyond its length, or None when its own schema
    already says it (slugs, URLs, choices, dates)."""
    if not isinstance(field, serializers.CharField) or isinstance(
        field, serializers.SlugField | serializers.URLField | serializers.EmailField
    ):
        return None
    # Where blanks are refused, text that is only whitespace is refused too: trimmed to blank by
    # DRF, or (fields kept verbatim: a body, a quote) by the service.
    blank_refused = not field.allow_blank or getattr(field, "blank_refused_later", False)
    return NOT_BLANK if blank_refused else NO_NUL


class APISchema(AutoSchema):
    def get_auth(self):
        auths = super().get_auth()
        # Reads through permissions that let anonymous clients in: token, session, or nothing.
        permissions = self.view.get_permissions()
        if (
            self.method in SAFE_METHODS
            and permissions
            and all(getattr(p, "anonymous_reads", False) for p in permissions)
            and {} not in auths
        ):
            auths.append({})
        return auths

    def _map_basic_serializer(self, serializer, direction):
        schema = super()._map_basic_serializer(serializer, direction)
        if direction == "request" and isinstance(serializer, StrictInput):
            # StrictInput names an unknown field and refuses the request.
            schema["additionalProperties"] = False
            for name, field in serializer.fields.items():
                target = schema["properties"].get(name, {})
                if isinstance(field, serializers.ListField):
                    field, target = field.child, target.get("items", {})
                pattern = string_pattern(field)
                # Added after drf-spectacular's own validators: a pattern there would make it
                # offer "" as a separate oneOf branch, which "" would then match twice.
                if pattern and not {"pattern", "oneOf", "$ref"} & set(target):
                    target["pattern"] = pattern
        return schema

    def _get_filter_parameters(self):
        parameters = super()._get_filter_parameters()
        filterset = getattr(self.view, "filterset_class", None)
        filters = filterset.base_filters if filterset else {}
        for parameter in parameters:
            declared = filters.get(parameter["name"])
            schema = parameter["schema"]
            if isinstance(declared, ChoiceFilter):
                # An empty value means "any", as in a form's blank choice.
                schema["enum"] = [*schema.get("enum", []), ""]
            elif isinstance(declared, CharFilter):
                # Django's form field: stripped, at most max_length, no NUL; empty is no filter.
                schema["pattern"] = NO_NUL
                if declared.extra.get("max_length"):
                    schema["maxLength"] = declared.extra["max_length"]
        return parameters
