"""Every write and state change. Views, the admin and commands call these and nothing else.

Functions are keyword-only and named `<entity>_<action>`, a module per entity. `user=None`
means the system itself (a management command run by an operator), which may do anything an
admin may. Who may do what is decided in `roles`; the checks every module shares are in
`_guards`.
"""

from .articles import ARTICLE_FIELDS, BodyEditReport, article_create, article_update, body_differs
from .fixtures import STATUS_ORDER, Placed, ruling_advance, span_place_or_find
from .reviews import approvals_of_current_version, review_create
from .rulings import (
    RULING_FIELDS,
    clean_sources,
    ruling_create,
    ruling_delete,
    ruling_retract,
    ruling_submit,
    ruling_update,
)
from .spans import span_create, span_delete, span_update
from .suggestions import suggestion_dismiss

__all__ = [
    "ARTICLE_FIELDS",
    "RULING_FIELDS",
    "STATUS_ORDER",
    "BodyEditReport",
    "Placed",
    "approvals_of_current_version",
    "article_create",
    "article_update",
    "body_differs",
    "clean_sources",
    "review_create",
    "ruling_advance",
    "ruling_create",
    "ruling_delete",
    "ruling_retract",
    "ruling_submit",
    "ruling_update",
    "span_create",
    "span_delete",
    "span_place_or_find",
    "span_update",
    "suggestion_dismiss",
]
