"""Pure text functions: normalisation, offset units, context, quote resolution (`text`) and
re-anchoring after a body edit (`reanchor`), word differences between versions (`diff`).

Nothing here touches the database; services call these and store the results. All offsets are
Unicode code points of the normalised body (Python `str` indices), end exclusive, as in the W3C
TextPositionSelector. UTF-16 offsets (what browsers count) are converted at the edges.
"""

from .diff import Piece, new_text, old_text, word_diff
from .reanchor import (
    DIFF_TIMEOUT,
    MAX_EXACT_CANDIDATES,
    MAX_QUOTE_ERROR_RATIO,
    SCORE_THRESHOLD,
    Outcome,
    PositionMap,
    Reanchored,
    Span,
    max_quote_errors,
    reanchor,
    reanchor_one,
    settle_collisions,
)
from .text import (
    CONTEXT_CHARS,
    OffsetMap,
    OffsetUnit,
    SpanError,
    body_sha256,
    context,
    is_blank,
    normalize_body,
    normalize_fragment,
    resolve_quote,
    snippet,
    validate_offsets,
)

__all__ = [
    "snippet",
    "CONTEXT_CHARS",
    "DIFF_TIMEOUT",
    "MAX_EXACT_CANDIDATES",
    "MAX_QUOTE_ERROR_RATIO",
    "SCORE_THRESHOLD",
    "OffsetMap",
    "OffsetUnit",
    "Outcome",
    "Piece",
    "PositionMap",
    "Reanchored",
    "Span",
    "SpanError",
    "body_sha256",
    "context",
    "is_blank",
    "max_quote_errors",
    "new_text",
    "normalize_body",
    "normalize_fragment",
    "old_text",
    "reanchor",
    "reanchor_one",
    "resolve_quote",
    "settle_collisions",
    "validate_offsets",
    "word_diff",
]
