"""Claim matching (issue 17): which rulings a passage repeats the claim of.

Pure parts: `text` (languages and search configurations, figures, sentences) and `scoring`
(rapidfuzz re-ranking, thresholds and levels). Retrieval in PostgreSQL, over what the reader
may see, is `annotations.selectors.matching`.
"""

from .scoring import (
    MATCH,
    MATCH_THRESHOLD,
    PASSAGE_THRESHOLD,
    SUGGESTION,
    SUGGESTION_THRESHOLD,
    Candidate,
    Ranked,
    level,
    rank,
    score,
)
from .text import (
    LANGUAGE_CONFIGS,
    MIN_MATCH_WORDS,
    Sentence,
    figures_disagree,
    known_language,
    search_config,
    sentences,
    word_count,
)

__all__ = [
    "LANGUAGE_CONFIGS",
    "MATCH",
    "MATCH_THRESHOLD",
    "MIN_MATCH_WORDS",
    "PASSAGE_THRESHOLD",
    "SUGGESTION",
    "SUGGESTION_THRESHOLD",
    "Candidate",
    "Ranked",
    "Sentence",
    "figures_disagree",
    "known_language",
    "level",
    "rank",
    "score",
    "search_config",
    "sentences",
    "word_count",
]
