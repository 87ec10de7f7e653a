"""settle_collisions: two spans of one kind landing on the same text (pure, no database)."""

from annotations.anchoring import Outcome, Reanchored, Span, settle_collisions


def landed(outcome, start, end, quote, score):
    return Reanchored(outcome, start, end, quote, "", "", score)


def test_spans_on_different_text_or_of_different_kinds_are_left_alone():
    spans = [Span(0, 5, "alpha"), Span(10, 15, "alpha"), Span(20, 25, "gamma")]
    results = [
        landed(Outcome.KEPT, 0, 5, "alpha", 1.0),
        landed(Outcome.MOVED, 0, 5, "alpha", 1.0),  # same text, but a claim and an evidence
        landed(Outcome.MOVED, 30, 35, "gamma", 1.0),
    ]
    assert settle_collisions(spans, ["claim", "evidence", "claim"], results) == results


def test_the_span_whose_own_text_survived_keeps_it_and_the_other_is_orphaned_where_it_was():
    own = Span(40, 45, "delta", "before ", " after")
    searched = Span(0, 5, "delta", "gone ", " too")
    results = [
        # The older span was placed by the candidate search onto the survivor's text.
        landed(Outcome.CHANGED, 40, 45, "delta", 0.8),
        landed(Outcome.KEPT, 40, 45, "delta", 1.0),
    ]
    settled = settle_collisions([searched, own], ["claim", "claim"], results)
    assert settled[1] == results[1]
    assert settled[0] == Reanchored(Outcome.ORPHANED, 0, 5, "delta", "gone ", " too", 0.8)


def test_kept_beats_moved_at_the_same_score_and_the_older_span_wins_a_tie():
    a, b, c = Span(0, 4, "beta"), Span(10, 14, "beta"), Span(20, 24, "beta")
    moved = landed(Outcome.MOVED, 10, 14, "beta", 1.0)
    kept = landed(Outcome.KEPT, 10, 14, "beta", 1.0)
    settled = settle_collisions([a, b], ["claim", "claim"], [moved, kept])
    assert [r.outcome for r in settled] == [Outcome.ORPHANED, Outcome.KEPT]

    tie = landed(Outcome.CHANGED, 30, 34, "beta", 0.9)
    settled = settle_collisions([b, c], ["claim", "claim"], [tie, tie])
    assert [r.outcome for r in settled] == [Outcome.CHANGED, Outcome.ORPHANED]
    assert (settled[1].start, settled[1].end) == (c.start, c.end)


def test_orphans_take_no_place():
    spans = [Span(0, 4, "beta"), Span(10, 14, "beta")]
    results = [
        landed(Outcome.ORPHANED, 0, 4, "beta", 0.0),
        landed(Outcome.MOVED, 0, 4, "beta", 1.0),
    ]
    assert settle_collisions(spans, ["claim", "claim"], results) == results
