"""Re-anchoring after article edits (SPEC.md): property tests on the pure functions."""

from hypothesis import assume, given, settings
from hypothesis import strategies as st
from rapidfuzz.distance import Levenshtein

from annotations import anchoring
from annotations.anchoring import Outcome, Span

from .strategies import body_and_span, pieces


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
    return body, start, end, new


@given(edits_outside())
@settings(max_examples=max(300, settings().max_examples))
def test_edits_outside_a_span_keep_it_on_the_same_text(case):
    old, start, end, new = case
    span = make_span(old, start, end)
    # Normalisation of an edited neighbour may fold a combining mark into the span's first
    # character; such an edit is not "outside" the span.
    assume(span.quote in new)
    result = reanchor(old, new, span)
    assert result.outcome in (Outcome.KEPT, Outcome.MOVED)
    assert result.quote == span.quote
    assert new[result.start : result.end] == span.quote
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


@given(
    quote=st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=12, max_size=40),
    own_before=LETTERS,
    own_after=LETTERS,
    other_before=LETTERS,
    other_after=LETTERS,
    data=st.data(),
)
@settings(max_examples=max(300, settings().max_examples))
def test_a_lightly_edited_span_is_not_captured_by_an_exact_copy_elsewhere(
    quote, own_before, own_after, other_before, other_after, data
):
    own = f"{own_before}{quote}{own_after}. "
    other = f"{other_before}{quote}{other_after}."
    # "Another sentence": the copy's surroundings differ from the span's own.
    assume(Levenshtein.normalized_similarity(own_before[-32:], other_before[-32:]) < 0.5)
    assume(Levenshtein.normalized_similarity(own_after[:32], other_after[:32]) < 0.5)
    assume((own + other).count(quote) == 2)
    order = data.draw(st.booleans())
    old = own + other if order else other + own
    start = old.index(own) + len(own_before)
    span = make_span(old, start, start + len(quote))
    # One character of the span's own copy changes.
    i = data.draw(st.integers(1, len(quote) - 2))
    replacement = "Z"
    new = old[: start + i] + replacement + old[start + i + 1 :]
    copy_start = new.index(other) + len(other_before)
    result = reanchor(old, new, span)
    assert result.outcome == Outcome.CHANGED
    assert result.start != copy_start
    assert abs(result.start - start) <= 1
    assert replacement in result.quote


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
