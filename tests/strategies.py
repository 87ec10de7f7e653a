"""Hypothesis strategies for texts that break naive offset handling."""

from hypothesis import strategies as st

from annotations import anchoring

# Astral characters (two UTF-16 units each), a flag (two astral code points), combining marks
# (which NFC may fold into one code point), CJK, and line breaks of every style.
AWKWARD = [
    "😀",
    "🇰🇿",
    "🇦🇲",
    "e\u0301",
    "a\u0308",
    "\u0301",
    "中文",
    "\r\n",
    "\r",
    "\n",
    "“",
    "”",
    "’",
]
WORDS = ["the", "CSTO", "troops", "Kazakhstan", "trained", "abroad", "terrorists", "fuel", "prices"]

pieces = st.one_of(
    st.sampled_from(AWKWARD),
    st.sampled_from(WORDS),
    st.sampled_from([" ", ", ", ". "]),
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), max_size=3),
)


@st.composite
def bodies(draw, min_pieces=1, max_pieces=80):
    raw = "".join(draw(st.lists(pieces, min_size=min_pieces, max_size=max_pieces)))
    body = anchoring.normalize_body(raw)
    return body


@st.composite
def body_and_span(draw, min_len=1):
    """A normalised body with a span (start, end) that is not whitespace only."""
    body = draw(bodies(min_pieces=3).filter(lambda b: len(b.strip()) >= min_len))
    candidates = [i for i, ch in enumerate(body) if not ch.isspace()]
    anchor = draw(st.sampled_from(candidates))
    start = draw(st.integers(0, anchor))
    end = draw(st.integers(anchor + 1, len(body)))
    return body, start, end


@st.composite
def long_bodies(draw, min_chars=20_000, max_chars=120_000):
    """A long article: generated pieces repeated into sentences by a seeded generator, so the
    awkward characters and the repeated words are spread over tens of thousands of characters
    (Hypothesis itself would shrink a text that long only slowly)."""
    rng = draw(st.randoms(use_true_random=False))
    size = draw(st.integers(min_chars, max_chars))
    vocabulary = AWKWARD + WORDS
    parts, length = [], 0
    while length < size:
        sentence = " ".join(rng.choice(vocabulary) for _ in range(rng.randint(4, 14))) + ". "
        parts.append(sentence)
        length += len(sentence)
    return anchoring.normalize_body("".join(parts))
