"""Offset units and quote resolution, over texts with astral characters, flags, combining marks
and CRLF input."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from annotations import anchoring
from annotations.anchoring import OffsetMap, SpanError

from ..strategies import bodies, body_and_span


def utf16_len(text):
    return len(text.encode("utf-16-le")) // 2


@given(bodies())
def test_code_points_round_trip_through_utf16(body):
    offsets = OffsetMap(body)
    assert offsets.utf16_length == utf16_len(body)
    for i in range(len(body) + 1):
        u = offsets.to_utf16(i)
        # What a browser counts for the same position: UTF-16 units of the text before it.
        assert u == utf16_len(body[:i])
        assert offsets.from_utf16(u) == i


@given(bodies())
def test_utf16_offsets_inside_a_surrogate_pair_are_refused(body):
    offsets = OffsetMap(body)
    valid = {offsets.to_utf16(i) for i in range(len(body) + 1)}
    for u in range(offsets.utf16_length + 1):
        if u in valid:
            assert offsets.to_utf16(offsets.from_utf16(u)) == u
        else:
            with pytest.raises(SpanError, match="surrogate pair"):
                offsets.from_utf16(u, "start")


def test_utf16_offsets_of_an_emoji_and_a_flag():
    body = "a😀b🇰🇿c"
    offsets = OffsetMap(body)
    assert [offsets.to_utf16(i) for i in range(len(body) + 1)] == [0, 1, 3, 4, 6, 8, 9]
    assert body[offsets.from_utf16(8) : offsets.from_utf16(9)] == "c"


@given(body_and_span())
def test_a_span_found_by_its_quote_and_context_has_that_quote(case):
    body, start, end = case
    quote = body[start:end]
    prefix, suffix = anchoring.context(body, start, end)
    # With its full context and `near` at its own start, the span's own place agrees with every
    # character given and is nearest: it is found, whatever copies the body holds.
    assert anchoring.resolve_quote(body, quote, prefix, suffix, near=start) == (start, end)

    # Without `near` it is found too, unless a copy agrees as fully with the given context (is
    # preceded by the whole prefix and followed by the whole suffix; an empty prefix, at the
    # start of the body, says nothing).
    def agrees(i):
        return body[:i].endswith(prefix) and body[i + len(quote) :].startswith(suffix)

    try:
        found = anchoring.resolve_quote(body, quote, prefix, suffix)
    except SpanError as exc:
        assert exc.code == "ambiguous"
        assert any(agrees(i) for i in range(len(body)) if i != start and body.startswith(quote, i))
        return
    assert found == (start, end) or agrees(found[0])


@given(body_and_span())
def test_the_quote_of_a_crlf_source_resolves_in_the_normalised_body(case):
    body, start, end = case
    crlf_quote = body[start:end].replace("\n", "\r\n")
    prefix, suffix = anchoring.context(body, start, end)
    try:
        found = anchoring.resolve_quote(body, crlf_quote, prefix, suffix, near=start)
    except SpanError as exc:
        assert exc.code == "ambiguous"
        return
    assert body[found[0] : found[1]] == body[start:end]


def test_resolving_refuses_a_missing_quote():
    with pytest.raises(SpanError) as info:
        anchoring.resolve_quote("Some text here.", "absent")
    assert (info.value.field, info.value.code) == ("quote", "not_found")


def test_resolving_an_ambiguous_quote_says_how_many_matches():
    body = "abroad; then abroad; then abroad."
    with pytest.raises(SpanError, match="occurs 3 times") as info:
        anchoring.resolve_quote(body, "abroad")
    assert info.value.code == "ambiguous"
    assert "prefix" in info.value.message and "near" in info.value.message


@pytest.mark.parametrize(
    "kwargs, expected",
    [
        ({"prefix": "then "}, None),  # two occurrences follow "then ": still ambiguous
        ({"prefix": "; then ", "near": 30}, 26),
        ({"near": 0}, 0),
        ({"near": 15}, 13),
        ({"suffix": "."}, 26),
    ],
)
def test_context_and_near_choose_one_occurrence(kwargs, expected):
    body = "abroad; then abroad; then abroad."
    if expected is None:
        with pytest.raises(SpanError, match="ambiguous"):
            anchoring.resolve_quote(body, "abroad", **kwargs)
    else:
        assert anchoring.resolve_quote(body, "abroad", **kwargs) == (expected, expected + 6)


@pytest.mark.parametrize(
    "start, end, field",
    [(-1, 3, "start"), (0, 99, "end"), (3, 3, "end"), (4, 2, "end"), (3, 4, "quote")],
)
def test_bad_offsets_are_refused_naming_the_field(start, end, field):
    with pytest.raises(SpanError) as info:
        anchoring.validate_offsets("abc def", start, end)
    assert info.value.field == field


@pytest.mark.parametrize("invisible", ["\u200b", "\ufeff", " \u200d\u2060 ", "\u3000\u200c"])
def test_a_span_of_invisible_characters_is_refused_as_blank(invisible):
    body = f"Before{invisible}after."
    with pytest.raises(SpanError) as info:
        anchoring.validate_offsets(body, 6, 6 + len(invisible))
    assert (info.value.field, info.value.code) == ("quote", "blank")
    with pytest.raises(SpanError) as info:
        anchoring.resolve_quote(body, invisible)
    assert (info.value.field, info.value.code) == ("quote", "blank")


@given(st.text())
def test_normalisation_is_idempotent_and_has_no_cr(text):
    once = anchoring.normalize_body(text)
    assert anchoring.normalize_body(once) == once
    assert "\r" not in once
