"""Reads that need care. Views, the admin and commands read through these.

Who may see what is decided in `visibility` alone; the other modules build rows on top of it.
"""

from .desk import Dashboard, Queue, dashboard, desk_queues
from .permissions import ruling_permissions, span_permissions
from .public import (
    claim_review_rulings,
    public_article,
    public_articles,
    public_rulings,
    ruling_facets,
    ruling_search,
)
from .reviews import (
    contributions,
    is_contributor,
    live_approvals,
    reviews_of,
    rulings_awaiting_review,
)
from .rulings import (
    claim_warnings,
    claims_of,
    group_by_kind,
    linked_spans,
    public_ruling,
    ruling_for_preview,
    ruling_list,
    ruling_rows,
    spans_by_id,
    spans_to_link,
)
from .spans import (
    SPAN_OUTPUT_COLUMNS,
    offset_maps,
    span_export_rows,
    span_list,
    span_rows,
    spans_out_of_sync,
)
from .visibility import articles, is_desk, rulings_for, spans_for

__all__ = [
    "Dashboard",
    "Queue",
    "dashboard",
    "desk_queues",
    "claim_review_rulings",
    "ruling_search",
    "ruling_facets",
    "public_rulings",
    "public_articles",
    "public_article",
    "SPAN_OUTPUT_COLUMNS",
    "articles",
    "claim_warnings",
    "claims_of",
    "contributions",
    "group_by_kind",
    "is_contributor",
    "is_desk",
    "linked_spans",
    "live_approvals",
    "offset_maps",
    "public_ruling",
    "reviews_of",
    "ruling_for_preview",
    "ruling_list",
    "ruling_permissions",
    "ruling_rows",
    "rulings_awaiting_review",
    "rulings_for",
    "span_export_rows",
    "span_list",
    "span_permissions",
    "span_rows",
    "spans_by_id",
    "spans_for",
    "spans_out_of_sync",
    "spans_to_link",
]
