"""Pure text functions: normalisation, offset units, context and quote resolution.

Nothing here touches the database; services call these and store the results. All offsets are
Unicode code points of the normalised body (Python `str` indices), end exclusive, as in the W3C
TextPositionSelector. UTF-16 offsets (what browsers count) are converted at the edges.
"""

from __future__ import annotations

import bisect
import hashlib
import re
import unicodedata
from enum import StrEnum

CONTEXT_CHARS = 32

_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


class SpanError(ValueError):
    """A span request that cannot be satisfied; `field` names the input at fault."""

    def __init__(self, field: str, message: str, code: str = "invalid"):
        super().__init__(message)
        self.field = field
        self.message = message
        self.code = code


# --- Normalisation -----------------------------------------------------------------------------


def normalize_fragment(text: str) -> str:
    """CRLF and CR to LF, then Unicode NFC: what a quote or context must go through to be
    compared with a normalised body."""
    return unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))


def normalize_body(text: str) -> str:
    """The one normalisation of an article body on import or edit; offsets refer to its result."""
    return normalize_fragment(text).rstrip()


def body_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# --- Offset units ------------------------------------------------------------------------------


class OffsetUnit(StrEnum):
    CODEPOINT = "codepoint"
    UTF16 = "utf-16"


class OffsetMap:
    """Converts offsets of one text between code points and UTF-16 code units.

    Each astral character (emoji, many flags' halves, rare CJK) is one code point but two UTF-16
    units; everything else is one of each. Built once per text: O(log n) per conversion.
    """

    def __init__(self, text: str):
        self.length = len(text)
        astral = [m.start() for m in _ASTRAL.finditer(text)]
        self._astral = astral
        # UTF-16 offset at which the k-th astral character starts.
        self._astral_utf16 = [cp + k for k, cp in enumerate(astral)]
        self.utf16_length = self.length + len(astral)

    def to_utf16(self, index: int) -> int:
        return index + bisect.bisect_left(self._astral, index)

    def from_utf16(self, index: int, field: str = "offset") -> int:
        if index < 0 or index > self.utf16_length:
            raise SpanError(field, f"{index} is outside the text (0 to {self.utf16_length}).")
        k = bisect.bisect_left(self._astral_utf16, index) - 1
        if k >= 0 and self._astral_utf16[k] + 1 == index:
            raise SpanError(
                field,
                f"UTF-16 offset {index} falls inside a surrogate pair (one astral character).",
            )
        # Astral characters that end at or before `index` each took one extra unit.
        return index - bisect.bisect_right(self._astral_utf16, index - 2)

    def length_in(self, unit: OffsetUnit) -> int:
        return self.utf16_length if unit == OffsetUnit.UTF16 else self.length

    def to_unit(self, index: int, unit: OffsetUnit) -> int:
        return self.to_utf16(index) if unit == OffsetUnit.UTF16 else index

    def from_unit(self, index: int, unit: OffsetUnit, field: str = "offset") -> int:
        if unit == OffsetUnit.UTF16:
            return self.from_utf16(index, field)
        if index < 0 or index > self.length:
            raise SpanError(field, f"{index} is outside the text (0 to {self.length}).")
        return index


# --- Spans -------------------------------------------------------------------------------------


# Characters that show nothing: a span of only these (and whitespace) would be an invisible
# highlight. str.strip() does not remove them: they are format characters, not whitespace.
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff"


def is_blank(text: str) -> bool:
    """True for text that shows nothing: whitespace and zero-width characters only."""
    return all(ch.isspace() or ch in _INVISIBLE for ch in text)


def context(text: str, start: int, end: int, size: int = CONTEXT_CHARS) -> tuple[str, str]:
    """Up to `size` characters either side of a span (its W3C TextQuoteSelector prefix/suffix)."""
    return text[max(0, start - size) : start], text[end : end + size]


_LINE_BREAKS = re.compile(r"\s*\n\s*")


def snippet(prefix: str, suffix: str, *, at_start: bool, at_end: bool) -> tuple[str, str]:
    """A span's context as a reader sees it around the quote: the stored `prefix`/`suffix`
    (exact, for anchoring) cut back to whole words, unless they reach the start (`at_start`) or
    the end (`at_end`) of the body, with each run of line breaks and blank lines folded into
    one space. The quote itself is shown as stored."""
    if not at_start:
        # Drop the partial word the cut began in (up to the first whitespace), when a whole
        # word follows it.
        cut = re.search(r"\s", prefix)
        if cut and prefix[cut.end() :].strip():
            prefix = prefix[cut.end() :].lstrip()
    if not at_end:
        cuts = [m.start() for m in re.finditer(r"\s", suffix)]
        if cuts and suffix[: cuts[-1]].strip():
            suffix = suffix[: cuts[-1]].rstrip()
    return _LINE_BREAKS.sub(" ", prefix), _LINE_BREAKS.sub(" ", suffix)


def validate_offsets(text: str, start: int, end: int, unit_length: int | None = None) -> None:
    """Refuses offsets that do not make a span of `text`, naming the field at fault.

    `unit_length` is the length the client counts in (UTF-16 units, say), for the messages.
    """
    length = len(text) if unit_length is None else unit_length
    if start < 0:
        raise SpanError("start", f"start must be 0 or more; got {start}.")
    if end > len(text):
        raise SpanError("end", f"end is beyond the end of the article (length {length}).")
    if start >= end:
        raise SpanError("end", "end must be greater than start: a span is at least one character.")
    if is_blank(text[start:end]):
        raise SpanError("quote", "A span cannot be whitespace only.", code="blank")


def occurrences(text: str, quote: str) -> list[int]:
    found, i = [], text.find(quote)
    while i != -1:
        found.append(i)
        i = text.find(quote, i + 1)
    return found


def _common_suffix_len(a: str, b: str) -> int:
    n = 0
    for x, y in zip(reversed(a), reversed(b), strict=False):
        if x != y:
            break
        n += 1
    return n


def _common_prefix_len(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def resolve_quote(
    text: str, quote: str, prefix: str = "", suffix: str = "", near: int | None = None
) -> tuple[int, int]:
    """Finds the one place of `quote` in `text`, as code-point (start, end).

    Exact occurrences are ranked first by how many characters of the given prefix and suffix they
    agree with, then by distance from `near`. A tie at the top is refused as ambiguous, with the
    number of matches, so a span is never placed by chance.
    """
    quote, prefix, suffix = (
        normalize_fragment(quote),
        normalize_fragment(prefix),
        normalize_fragment(suffix),
    )
    if not quote:
        raise SpanError("quote", "quote must not be empty.", code="blank")
    if is_blank(quote):
        raise SpanError("quote", "A span cannot be whitespace only.", code="blank")
    starts = occurrences(text, quote)
    if not starts:
        raise SpanError("quote", "quote was not found in the article text.", code="not_found")
    if len(starts) == 1:
        return starts[0], starts[0] + len(quote)

    def rank(start: int) -> tuple[int, int]:
        end = start + len(quote)
        agreement = _common_suffix_len(prefix, text[max(0, start - len(prefix)) : start])
        agreement += _common_prefix_len(suffix, text[end : end + len(suffix)])
        distance = abs(start - near) if near is not None else 0
        return (-agreement, distance)

    ranked = sorted(starts, key=rank)
    if rank(ranked[0]) == rank(ranked[1]):
        raise SpanError(
            "quote",
            f"quote is ambiguous: it occurs {len(starts)} times in the article. "
            "Add a prefix or suffix (the text just before or after it) or `near` (an offset "
            "close to the intended place) to choose one.",
            code="ambiguous",
        )
    return ranked[0], ranked[0] + len(quote)
