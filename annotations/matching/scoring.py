"""Re-ranking of retrieved candidates and the level of a match, pure (no database).

PostgreSQL finds candidates (full-text and trigram indexes, selectors/matching.py); rapidfuzz
scores each against the query here, and two thresholds, chosen on the labelled set of
benchmarks/matching.py and documented in README.md, give the level.
"""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import fuzz, utils

from .text import MIN_MATCH_WORDS, figures_disagree, word_count

# Score (0..1) from which a candidate says the same claim (`match`, safe to link) and from which
# it is similar enough to show a person (`suggestion`). Below SUGGESTION_THRESHOLD nothing is
# returned. Chosen on benchmarks/matching.py's set (README.md has the figures): at 0.85 every
# match is right and no negative matches, with the best negative (figures apart) at 0.78; at
# 0.80 the margin to it would be 0.02. Above 0.55 paraphrases start to drop out of the top 5.
MATCH_THRESHOLD = 0.85
SUGGESTION_THRESHOLD = 0.55
# An article's suggestions (every sentence searched, nobody asked) need more: on the seed
# articles, sentences that merely share names with a claim ("The group of peacekeepers in
# Kazakhstan has two tasks.") score 0.55 to 0.67 against unrelated rulings.
PASSAGE_THRESHOLD = 0.70

MATCH = "match"
SUGGESTION = "suggestion"


# A text quoted nearly verbatim inside a longer one (a sentence that carries a claim span,
# with words of its own around it) scores this share of its partial ratio, when that ratio is
# at least CONTAINED_RATIO: enough to be a match, less than the same text alone.
CONTAINED_RATIO = 0.97
CONTAINED_WEIGHT = 0.95


def score(query: str, candidate: str) -> float:
    """How alike two texts are, 0..1, on case- and punctuation-folded text (rapidfuzz): the
    better of the plain and token-sort ratios of the whole texts (every word counts, so a claim
    with one word changed or added scores lower), or, for a long enough text found nearly
    verbatim inside the other, its partial ratio scaled by CONTAINED_WEIGHT."""
    a, b = utils.default_process(query), utils.default_process(candidate)
    value = max(fuzz.ratio(a, b), fuzz.token_sort_ratio(a, b)) / 100
    if min(word_count(a), word_count(b)) >= MIN_MATCH_WORDS:
        partial = fuzz.partial_ratio(a, b) / 100
        if partial >= CONTAINED_RATIO:
            value = max(value, partial * CONTAINED_WEIGHT)
    return value


def level(query: str, candidate: str, value: float) -> str | None:
    """`match`, `suggestion`, or None (not similar enough to show)."""
    if value < SUGGESTION_THRESHOLD:
        return None
    if value < MATCH_THRESHOLD:
        return SUGGESTION
    # Never more than a suggestion: a short text, or figures that disagree.
    if min(word_count(query), word_count(candidate)) < MIN_MATCH_WORDS:
        return SUGGESTION
    if figures_disagree(query, candidate):
        return SUGGESTION
    return MATCH


@dataclass(frozen=True)
class Candidate:
    """A text retrieval found: a claim span linked to a ruling, or the ruling's own claim
    (span_id None)."""

    ruling_id: int
    span_id: int | None
    text: str


@dataclass(frozen=True)
class Ranked:
    candidate: Candidate
    score: float
    level: str


def rank(query: str, candidates, *, limit: int) -> list[Ranked]:
    """One result per ruling (its best-scoring candidate), best first, at most `limit`; ties
    prefer a span (it shows where the claim was made) and then the lower ids, so the order is
    stable."""
    best: dict[int, Ranked] = {}
    for candidate in candidates:
        value = score(query, candidate.text)
        found = level(query, candidate.text, value)
        if found is None:
            continue
        ranked = Ranked(candidate, round(value, 4), found)
        current = best.get(candidate.ruling_id)
        if current is None or _key(ranked) < _key(current):
            best[candidate.ruling_id] = ranked
    return sorted(best.values(), key=_key)[:limit]


def _key(ranked: Ranked):
    c = ranked.candidate
    return (-ranked.score, c.span_id is None, c.ruling_id, c.span_id or 0)
