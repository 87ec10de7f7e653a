"""Re-anchoring after article edits (SPEC.md): property tests on the pure functions."""

from dataclasses import dataclass

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from rapidfuzz.distance import Levenshtein

from annotations import anchoring
from annotations.anchoring import Outcome, Span

from ..strategies import body_and_span, long_bodies, pieces


def make_span(body, start, end):
    prefix, suffix = anchoring.context(body, start, end)
    return Span(start, end, body[start:end], prefix, suffix)


def reanchor(old, new, span):
    (result,) = anchoring.reanchor(old, new, [span])
    return result


@st.composite
def edited(draw, text):
    """`text` after up to three random insertions and deletions."""
    for _ in range(draw(st.integers(0, 3))):
        pos = draw(st.integers(0, len(text)))
        if text and draw(st.booleans()):
            cut = draw(st.integers(pos, min(len(text), pos + 10)))
            text = text[:pos] + text[cut:]
        else:
            text = text[:pos] + "".join(draw(st.lists(pieces, max_size=4))) + text[pos:]
    return text


@st.composite
def edits_outside(draw):
    """A body, a span in it, and the body after random edits that leave the span's text alone."""
    body, start, end = draw(body_and_span())
    before = draw(edited(body[:start]))
    after = draw(edited(body[end:]))
    new = anchoring.normalize_body(before + body[start:end] + after)
    return body, start, end, new, before


@given(edits_outside())
@settings(max_examples=max(300, settings().max_examples))
def test_edits_outside_a_span_keep_it_on_the_same_text(case):
    old, start, end, new, before = case
    span = make_span(old, start, end)
    # Normalisation of an edited neighbour may fold a combining mark into the span's first
    # character; such an edit is not "outside" the span.
    expected = len(anchoring.normalize_fragment(before))
    assume(new[expected : expected + len(span.quote)] == span.quote)
    result = reanchor(old, new, span)
    assert result.outcome in (Outcome.KEPT, Outcome.MOVED), (old, new, span, result)
    assert result.quote == span.quote
    # The same occurrence, not merely the same words: where the edits before it put it. The one
    # exception is a run of repeats ("ababab"), where an edit inside the run can be told as well
    # at one repeat as at another, and either place is the span's.
    if result.start != expected:
        lo, hi = sorted((result.start, expected))
        run = new[lo : hi + len(span.quote)]
        assert run[hi - lo :] == run[: len(run) - (hi - lo)], (old, new, span, result)
    assert (result.prefix, result.suffix) == anchoring.context(new, result.start, result.end)


@given(body_and_span(min_len=3), st.data())
@settings(max_examples=max(300, settings().max_examples))
def test_edits_inside_a_span_re_anchor_with_a_record_or_orphan_it(case, data):
    old, start, end = case
    span = make_span(old, start, end)
    pos = data.draw(st.integers(start, end))
    cut = data.draw(st.integers(pos, min(end, pos + 5)))
    insert = data.draw(st.text(max_size=5))
    new = anchoring.normalize_body(old[:pos] + insert + old[cut:])
    assume(new and new != old)
    result = reanchor(old, new, span)
    if result.outcome == Outcome.ORPHANED:
        # Kept as it was, with its old quote, for a person to look at.
        assert (result.start, result.end, result.quote) == (span.start, span.end, span.quote)
        return
    # Never silently wrong: the stored quote is the text at the new offsets, and a different
    # text is reported as CHANGED (which the service records in history).
    assert new[result.start : result.end] == result.quote
    assert result.quote.strip()
    if result.quote != span.quote:
        assert result.outcome == Outcome.CHANGED
    else:
        assert result.outcome in (Outcome.KEPT, Outcome.MOVED)


LETTERS = st.text(alphabet="abcdefghijklmnopqrstuvwxyz ", min_size=40, max_size=60)
# Quotes with figures, punctuation and awkward characters as well as letters: fact-check spans
# are often a short figure ("20%") that recurs in another sentence.
QUOTE_CHARS = st.one_of(
    st.sampled_from("abcdefghijklmnopqrstuvwxyz0123456789%,.$"),
    st.sampled_from(["😀", "🇰🇿", "é", "ä", "中"]),
)


@st.composite
def light_edit(draw, quote):
    """`quote` with one character substituted, inserted or deleted (inside it, not at its
    ends, so the edit is the span's own)."""
    i = draw(st.integers(1, len(quote) - 2))
    how = draw(st.sampled_from(["substitute", "insert", "delete"]))
    if how == "substitute":
        return quote[:i] + "Z" + quote[i + 1 :]
    if how == "insert":
        return quote[:i] + "Z" + quote[i:]
    return quote[:i] + quote[i + 1 :]


# Sentences of real words for the deletion property: "another sentence" is then another
# sentence, not a run of one letter that resembles everything (which Hypothesis favours).
VOCABULARY = [
    "the",
    "troops",
    "arrived",
    "in",
    "almaty",
    "after",
    "protests",
    "over",
    "fuel",
    "prices",
    "spread",
    "across",
    "the",
    "country",
    "while",
    "officials",
    "said",
    "that",
    "foreign",
    "militants",
    "had",
    "trained",
    "abroad",
    "and",
    "critics",
    "asked",
    "for",
    "evidence",
    "of",
    "any",
    "attack",
    "on",
    "state",
    "buildings",
    "or",
    "the",
    "airport",
    "during",
    "january",
]
SENTENCE = st.lists(st.sampled_from(VOCABULARY), min_size=8, max_size=12).map(
    lambda words: " " + " ".join(words) + " "
)


@dataclass
class TwoSentences:
    old: str
    quote: str
    own: str  # the span's sentence
    other: str  # another sentence holding an exact copy of the quote
    start: int  # the span's start in `old`
    copy_context: int  # characters of `other` before the copy

    @property
    def span(self):
        return make_span(self.old, self.start, self.start + len(self.quote))


@st.composite
def two_sentences(draw, context, max_context_similarity):
    """A span's quote in its own sentence and an exact copy in another, in either order. The
    copy's context is unlike the span's: under `max_context_similarity` on each side."""
    quote = draw(st.lists(QUOTE_CHARS, min_size=3, max_size=40).map("".join))
    own_before, own_after, other_before, other_after = (draw(context) for _ in range(4))
    sim = Levenshtein.normalized_similarity
    assume(sim(own_before[-32:], other_before[-32:]) < max_context_similarity)
    assume(sim(own_after[:32], other_after[:32]) < max_context_similarity)
    own = f"{own_before}{quote}{own_after}. "
    other = f"{other_before}{quote}{other_after}."
    assume((own + other).count(quote) == 2)
    old = own + other if draw(st.booleans()) else other + own
    start = old.index(own) + len(own_before)
    return TwoSentences(old, quote, own, other, start, len(other_before))


@given(two_sentences(LETTERS, 0.5), st.data())
@settings(max_examples=max(300, settings().max_examples))
def test_a_lightly_edited_span_is_not_captured_by_an_exact_copy_elsewhere(case, data):
    old, quote, start = case.old, case.quote, case.start
    edited_quote = data.draw(light_edit(quote))
    assume(edited_quote != quote)
    new = old[:start] + edited_quote + old[start + len(quote) :]
    copy_start = new.index(case.other) + case.copy_context
    result = reanchor(old, new, case.span)
    # Never the copy in the other sentence: the span stays in its own, recorded as changed (or,
    # where the letters either side happen to rebuild the old quote, on that exact text)...
    assert result.start != copy_start
    if result.outcome != Outcome.ORPHANED:
        assert start - 1 <= result.start <= start + len(edited_quote)
        assert result.quote == new[result.start : result.end]
        expected = Outcome.MOVED if result.quote == quote else Outcome.CHANGED
        assert result.outcome in (expected, Outcome.KEPT)
    # ...and one edit in six characters or more leaves enough of it to be sure of. A shorter
    # figure may be too changed to place (orphaned), but never elsewhere.
    if len(quote) >= 6:
        assert result.outcome != Outcome.ORPHANED


# Another sentence: contexts under 40 % alike (unrelated English sentences are about 30 %). An
# exact copy needs its contexts to be 42.5 % alike on average to reach the threshold
# (50 + 20 * 0.425 * 2 + 2 = 69 of 92 = 0.75), which a copy in its own moved paragraph is.
@given(two_sentences(SENTENCE, 0.4), st.booleans())
@settings(max_examples=max(300, settings().max_examples))
def test_a_deleted_span_is_orphaned_not_moved_to_a_copy_in_another_sentence(case, whole):
    old, own = case.old, case.own
    # The span's text goes, with its whole sentence or alone.
    cut, gone = (old.index(own), len(own)) if whole else (case.start, len(case.quote))
    new = anchoring.normalize_body(old[:cut] + old[cut + gone :])
    result = reanchor(old, new, case.span)
    if whole:
        assert result.outcome == Outcome.ORPHANED, (old, new, result)
    elif result.outcome != Outcome.ORPHANED:
        # Only the quote went: a near match in what is left of its own sentence may be taken
        # (recorded as changed), the copy in the other sentence never.
        own_start = old.index(own)
        assert result.outcome == Outcome.CHANGED
        assert own_start <= result.start and result.end <= own_start + len(own) - len(case.quote)


@given(long_bodies(), st.data())
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.large_base_example, HealthCheck.data_too_large],
)
def test_spans_of_a_long_article_survive_edits_around_them(body, data):
    # Several spans across tens of thousands of characters, and edits between them.
    starts = sorted(data.draw(st.lists(st.integers(0, len(body) - 40), min_size=3, max_size=8)))
    spans = [make_span(body, s, s + 30) for s in starts if not anchoring.is_blank(body[s : s + 30])]
    assume(spans)
    # Rebuild the body with random edits in the gaps between spans only.
    pieces_out, cursor, expected = [], 0, []
    for span in sorted(spans, key=lambda sp: sp.start):
        if span.start < cursor:
            expected.append(None)  # overlaps the previous span: its start is not a gap
            continue
        pieces_out.append(data.draw(edited(body[cursor : span.start])))
        expected.append(sum(map(len, pieces_out)))
        pieces_out.append(span.quote)
        cursor = span.end
    pieces_out.append(data.draw(edited(body[cursor:])))
    raw = "".join(pieces_out)
    new = anchoring.normalize_body(raw)
    assume(new == raw.rstrip())  # edits that normalisation folds into a span are not "around"
    ordered = sorted(spans, key=lambda sp: sp.start)
    results = anchoring.reanchor(body, new, ordered)
    for span, result, where in zip(ordered, results, expected, strict=True):
        if where is None:
            continue
        assert result.outcome in (Outcome.KEPT, Outcome.MOVED)
        assert (result.start, result.quote) == (where, span.quote)


def test_the_worked_example_from_the_seed_texts():
    old = (
        "He called the protesters terrorist gangs and said that they underwent serious training "
        "abroad. Later the expert said the protesters underwent serious training abroad, "
        "which nobody showed."
    )
    quote = "they underwent serious training abroad"
    start = old.index(quote)
    span = make_span(old, start, start + len(quote))
    new = old.replace(
        "they underwent serious training abroad", "they had serious training abroad", 1
    )
    result = reanchor(old, new, span)
    assert result.outcome == Outcome.CHANGED
    assert result.quote == "they had serious training abroad"


def test_a_span_whose_text_was_deleted_is_orphaned():
    old = "Intro sentence. The CSTO sent 2,500 troops. Closing sentence that says nothing."
    quote = "The CSTO sent 2,500 troops."
    start = old.index(quote)
    span = make_span(old, start, start + len(quote))
    result = reanchor(old, old.replace(quote + " ", ""), span)
    assert result.outcome == Outcome.ORPHANED
    assert result.quote == quote


def test_a_moved_paragraph_carries_its_span():
    para_a = "First paragraph about fuel prices rising sharply in January.\n"
    para_b = "Second paragraph: Tokayev said the gangs were trained abroad, without evidence.\n"
    para_c = "Third paragraph on the withdrawal of the CSTO forces by January 19."
    old = para_a + para_b + para_c
    quote = "the gangs were trained abroad"
    start = old.index(quote)
    span = make_span(old, start, start + len(quote))
    new = para_a + para_c + "\n" + para_b.rstrip("\n")
    result = reanchor(old, new, span)
    assert result.outcome == Outcome.MOVED
    assert new[result.start : result.end] == quote


def test_a_one_character_context_does_not_outweigh_the_quote():
    # Found by the property above: the span ends on the first half of a flag at the end of the
    # body, and an insertion after it made a near copy whose only merit was the one-character
    # suffix. The diff's cheapest alignment cuts the span; the exact copy must still win.
    old = "theKazakhstan\U0001f1f0\U0001f1ff"
    new = "tazakhstan\U0001f1f0Kazakhstan\U0001f1ff"
    span = make_span(old, 4, 14)
    result = reanchor(old, new, span)
    assert result.outcome == Outcome.MOVED
    assert (result.start, result.end, result.quote) == (1, 11, span.quote)
