"""A span's context as readers see it: whole words at both ends, blank lines folded."""

from annotations.anchoring import context, snippet

BODY = "The minister said.\n\n\nThat terrorists trained abroad were behind it, he claimed loudly."


def shown(body, quote):
    start = body.index(quote)
    end = start + len(quote)
    prefix, suffix = context(body, start, end, size=12)
    return snippet(
        prefix, suffix, at_start=start <= len(prefix), at_end=len(body) - end <= len(suffix)
    )


def test_cut_words_are_dropped_at_both_ends():
    before, after = shown(BODY, "terrorists trained abroad")
    assert before == "That "  # "id." (the end of "said.") and the blank lines go
    # " were behind" is the whole suffix: whether "behind" ends there cannot be told from it,
    # so it goes too (a word short, never a word cut).
    assert after == " were"
    before, after = shown(BODY, "were behind")
    assert before == "abroad "  # "ned abroad " began inside "trained"
    assert after == " it, he"  # " it, he clai" ended inside "claimed"


def test_blank_lines_fold_into_one_space():
    body = "Alpha beta.\n\n\n\nGamma delta"
    start = body.index("Gamma")
    prefix, suffix = context(body, start, start + 5, size=32)
    before, after = snippet(prefix, suffix, at_start=True, at_end=True)
    assert before == "Alpha beta. " and after == " delta"


def test_a_context_reaching_the_body_s_ends_is_kept_whole():
    body = "Short text here"
    start = body.index("text")
    prefix, suffix = context(body, start, start + 4)
    assert snippet(prefix, suffix, at_start=True, at_end=True) == ("Short ", " here")


def test_one_long_word_is_not_cut_to_nothing():
    assert snippet("xxxxxxxxxxxx", "yyyyyyyyyyyy", at_start=False, at_end=False) == (
        "xxxxxxxxxxxx",
        "yyyyyyyyyyyy",
    )
