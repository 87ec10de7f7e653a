"""Re-anchoring: where each span of an old body lies in the edited body (SPEC.md, "Article
edits and re-anchoring"). Pure: no database; services store the results."""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass
from enum import StrEnum

from diff_match_patch import diff_match_patch
from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from .text import CONTEXT_CHARS, context, is_blank, occurrences

# Re-anchoring bounds (documented in the README). A candidate's quote may differ from the stored
# quote by at most this share of its length in Levenshtein edits, rounded up, so that a figure as
# short as "20%" edited to "25%" can still be found in its own sentence...
MAX_QUOTE_ERROR_RATIO = 0.3
# ...and its weighted score (weights as in the Hypothesis client: quote 50, prefix 20, suffix 20,
# position 2, divided by their sum) must reach a threshold, exact copies included. Random English
# contexts are ~30 % similar, so a 70 %-similar text in unrelated context (about 0.53) is refused,
# and so is an exact copy of the quote in another sentence (about 0.7): the same words elsewhere
# are another passage (the same figure in another claim, say), and a span moved there would be
# silently wrong. A lightly edited span in its own context scores over 0.9, and a copy whose
# paragraph was moved keeps enough of its own context to pass.
SCORE_THRESHOLD = 0.75
WEIGHT_QUOTE, WEIGHT_PREFIX, WEIGHT_SUFFIX, WEIGHT_POSITION = 50, 20, 20, 2
# Exact copies of a quote considered as candidates, nearest to the expected position first
# (a two-letter quote can occur thousands of times in a long article).
MAX_EXACT_CANDIDATES = 64
# How long the diff between two bodies may take before it settles for a coarser one (seconds).
DIFF_TIMEOUT = 2.0


class Outcome(StrEnum):
    KEPT = "kept"  # same offsets, same text
    MOVED = "moved"  # same text at new offsets
    CHANGED = "changed"  # approximate match: the quote's text changed
    ORPHANED = "orphaned"  # no candidate reached the threshold


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    quote: str
    prefix: str = ""
    suffix: str = ""


@dataclass(frozen=True)
class Reanchored:
    outcome: Outcome
    start: int
    end: int
    quote: str
    prefix: str
    suffix: str
    score: float


class PositionMap:
    """Maps offsets of an old text to a new one through a character diff of the two.

    A span's start maps *after* text inserted right at it and its end *before* such text, so an
    insertion at a span's edge stays outside it. A boundary inside replaced text widens to the
    whole replacement, so the mapped range of an edited span covers the edit.
    """

    def __init__(self, old: str, new: str):
        dmp = diff_match_patch()
        dmp.Diff_Timeout = DIFF_TIMEOUT
        diffs = dmp.diff_main(old, new, checklines=len(old) > 10_000)
        ops: list[
            tuple[int, int, int, int, bool]
        ] = []  # old_start, old_end, new_start, new_end, equal
        o = n = 0
        pending_old = pending_new = 0
        for op, chunk in diffs:
            if op == 0:
                if pending_old or pending_new:
                    ops.append((o, o + pending_old, n, n + pending_new, False))
                    o, n = o + pending_old, n + pending_new
                    pending_old = pending_new = 0
                ops.append((o, o + len(chunk), n, n + len(chunk), True))
                o, n = o + len(chunk), n + len(chunk)
            elif op == -1:
                pending_old += len(chunk)
            else:
                pending_new += len(chunk)
        if pending_old or pending_new:
            ops.append((o, o + pending_old, n, n + pending_new, False))
        self._ops = ops
        self._old_starts = [op[0] for op in ops]
        self._old_ends = [op[1] for op in ops]
        self.old_length, self.new_length = len(old), len(new)

    def start(self, p: int) -> int:
        if p >= self.old_length:
            return self.new_length
        o0, _o1, n0, n1, equal = self._ops[bisect.bisect_right(self._old_starts, p) - 1]
        return n0 + (p - o0) if equal else n0

    def end(self, p: int) -> int:
        if p <= 0:
            return 0
        # An orphaned span keeps offsets from an older, longer body: past the end maps to the
        # end, as in start().
        if p >= self.old_length:
            return self.new_length
        o0, _o1, n0, n1, equal = self._ops[bisect.bisect_left(self._old_ends, p)]
        return n0 + (p - o0) if equal else n1


def _similarity(a: str, b: str) -> float:
    if not a and not b:
        return 1.0
    return Levenshtein.normalized_similarity(a, b)


def max_quote_errors(quote: str) -> int:
    return math.ceil(len(quote) * MAX_QUOTE_ERROR_RATIO)


def _score(text: str, span: Span, start: int, end: int, expected: int) -> float | None:
    candidate = text[start:end]
    if is_blank(candidate):
        return None
    max_errors = max_quote_errors(span.quote)
    if candidate != span.quote:
        errors = Levenshtein.distance(span.quote, candidate, score_cutoff=max_errors)
        if errors > max_errors:
            return None
    quote_sim = _similarity(span.quote, candidate)
    prefix_sim = _similarity(span.prefix, text[max(0, start - len(span.prefix)) : start])
    suffix_sim = _similarity(span.suffix, text[end : end + len(span.suffix)])
    position = 1.0 - min(1.0, abs(start - expected) / max(1, len(text)))
    # Context counts in proportion to how much of it there is: near the start or the end of the
    # body a span has only a few characters of prefix or suffix, and matching one character is
    # no evidence that should outweigh the quote itself. With full contexts these are 20 each.
    prefix_weight = WEIGHT_PREFIX * len(span.prefix) / CONTEXT_CHARS
    suffix_weight = WEIGHT_SUFFIX * len(span.suffix) / CONTEXT_CHARS
    total = WEIGHT_QUOTE + prefix_weight + suffix_weight + WEIGHT_POSITION
    return (
        WEIGHT_QUOTE * quote_sim
        + prefix_weight * prefix_sim
        + suffix_weight * suffix_sim
        + WEIGHT_POSITION * position
    ) / total


def _candidates(text: str, span: Span, mapped: tuple[int, int]) -> set[tuple[int, int]]:
    """Exact and approximate places where the span's quote may now be."""
    quote, length = span.quote, len(span.quote)
    found: set[tuple[int, int]] = set()
    if mapped[1] > mapped[0]:
        found.add(mapped)
    if span.end <= len(text):
        found.add((span.start, span.end))
    expected = mapped[0]
    exact = sorted(occurrences(text, quote), key=lambda s: abs(s - expected))
    found.update((s, s + length) for s in exact[:MAX_EXACT_CANDIDATES])
    cutoff = 100 * (1 - MAX_QUOTE_ERROR_RATIO)
    # The best approximate alignment near the expected place, then anywhere (a moved and edited
    # paragraph). Both are cheap next to the diff: rapidfuzz aligns bit-parallel.
    margin = max(64, 2 * length)
    lo = max(0, expected - margin)
    windows = [(lo, text[lo : mapped[1] + margin]), (0, text)]
    for offset, window in windows:
        if len(window) < length * (1 - MAX_QUOTE_ERROR_RATIO):
            continue
        match = fuzz.partial_ratio_alignment(quote, window, score_cutoff=cutoff)
        if match is not None and match.dest_end > match.dest_start:
            found.add((offset + match.dest_start, offset + match.dest_end))
    return found


def reanchor_one(new: str, span: Span, positions: PositionMap) -> Reanchored:
    mapped = (positions.start(span.start), positions.end(span.end))
    # 1. The span's own text is still where the diff puts it (the same offsets, when nothing
    #    before it changed): kept, or moved by the length of the edits before it. (The old
    #    offsets are not taken on trust: another copy of the quote may have shifted into them
    #    while the span's own text was edited. They are one candidate of step 2.)
    start, end = mapped
    if new[start:end] == span.quote and end > start:
        prefix, suffix = context(new, start, end)
        outcome = Outcome.KEPT if (start, end) == (span.start, span.end) else Outcome.MOVED
        return Reanchored(outcome, start, end, span.quote, prefix, suffix, 1.0)
    # 1b. In repetitive text a diff may line the span's characters up with their neighbours
    #     (deleting one of "aaaa" deletes which one?), so the mapped range can be off by a few
    #     characters while the exact text sits right there: take the nearest exact copy that
    #     starts within one quote length of the mapped start.
    length = len(span.quote)
    nearby, i = [], new.find(span.quote, max(0, mapped[0] - length))
    while i != -1 and i <= mapped[0] + length:
        nearby.append(i)
        i = new.find(span.quote, i + 1)
    if nearby:
        start = min(nearby, key=lambda s: (abs(s - mapped[0]), s))
        end = start + length
        prefix, suffix = context(new, start, end)
        outcome = Outcome.KEPT if (start, end) == (span.start, span.end) else Outcome.MOVED
        return Reanchored(outcome, start, end, span.quote, prefix, suffix, 1.0)
    # 2. The best exact or approximate candidate above the threshold.
    best: tuple[float, int, int, int] | None = None
    for start, end in _candidates(new, span, mapped):
        score = _score(new, span, start, end, mapped[0])
        if score is None:
            continue
        if score < SCORE_THRESHOLD:
            continue
        # Ties go to the candidate nearest the expected place, then the earlier one.
        key = (score, -abs(start - mapped[0]), -start, end)
        best = key if best is None or key > best else best
    if best is None:
        return Reanchored(
            Outcome.ORPHANED, span.start, span.end, span.quote, span.prefix, span.suffix, 0.0
        )
    score, _, start, end = best
    start = -start
    quote = new[start:end]
    prefix, suffix = context(new, start, end)
    outcome = Outcome.MOVED if quote == span.quote else Outcome.CHANGED
    return Reanchored(outcome, start, end, quote, prefix, suffix, score)


def reanchor(old: str, new: str, spans: list[Span]) -> list[Reanchored]:
    """Re-anchors every span of `old` in `new` (SPEC.md, "Article edits and re-anchoring").

    The diff is computed once for all spans; each span then costs a couple of bisects when its
    text survived, and a bounded candidate search when it did not.
    """
    if old == new:
        return [
            Reanchored(Outcome.KEPT, s.start, s.end, s.quote, s.prefix, s.suffix, 1.0)
            for s in spans
        ]
    positions = PositionMap(old, new)
    return [reanchor_one(new, span, positions) for span in spans]


def settle_collisions(
    spans: list[Span], kinds: list, results: list[Reanchored]
) -> list[Reanchored]:
    """Two spans of one kind may land on the same text; only one may keep it.

    The one with the better claim takes it: a span whose own text is still there (kept, then
    moved by the diff: score 1.0) before one placed by the candidate search, the higher score
    first, then the older span (`spans` are given oldest first). The other is orphaned at its
    old place rather than merged: their notes and links differ. Returns the results in the
    order of `spans`."""
    settled = list(results)
    occupied = set()
    claim_order = sorted(
        range(len(spans)),
        key=lambda i: (-results[i].score, results[i].outcome != Outcome.KEPT, i),
    )
    for i in claim_order:
        result = results[i]
        if result.outcome == Outcome.ORPHANED:
            continue
        slot = (kinds[i], result.start, result.end)
        if slot in occupied:
            span = spans[i]
            settled[i] = Reanchored(
                Outcome.ORPHANED,
                span.start,
                span.end,
                span.quote,
                span.prefix,
                span.suffix,
                result.score,
            )
        else:
            occupied.add(slot)
    return settled
