"""Text handling of claim matching, pure (no database): languages and their PostgreSQL text
search configurations, word counts, the figures a claim names, and sentences of a body."""

from __future__ import annotations

import re
from dataclasses import dataclass

from annotations.models import INDEXED_SEARCH_CONFIGS

# Languages a search may name (ISO 639-1 codes, as Article.language holds them), and the
# PostgreSQL text search configuration each is stemmed with. A language PostgreSQL has no
# configuration for (Kazakh, Armenian...) is searched with `simple`: words as written, no
# stemming, no stop words. A configuration without an index of its own (models.py,
# INDEXED_SEARCH_CONFIGS) falls back to `simple` too, so every search uses an index.
LANGUAGE_CONFIGS = {
    "ar": "arabic",
    "da": "danish",
    "de": "german",
    "en": "english",
    "es": "spanish",
    "fi": "finnish",
    "fr": "french",
    "hu": "hungarian",
    "hy": "armenian",
    "it": "italian",
    "kk": "simple",
    "ky": "simple",
    "nl": "dutch",
    "pt": "portuguese",
    "ro": "romanian",
    "ru": "russian",
    "sv": "swedish",
    "tg": "simple",
    "tr": "turkish",
    "uk": "simple",
    "uz": "simple",
    "az": "simple",
    "ka": "simple",
    "be": "simple",
}
FALLBACK_CONFIG = "simple"

# A text under this many words is never more than a suggestion: a short phrase ("terrorists
# trained abroad") is shared by claims that say different things about it.
MIN_MATCH_WORDS = 8

_WORD = re.compile(r"\w+")
# A figure: digits with their thousands separators and decimals ("2,500", "3.6", "1 000" is two).
_FIGURE = re.compile(r"\d[\d,.]*\d|\d")


def known_language(language: str) -> bool:
    return base_language(language) in LANGUAGE_CONFIGS


def base_language(language: str) -> str:
    """`en-GB` -> `en`: configurations are per language, not per region."""
    return language.split("-", 1)[0].lower()


def search_config(language: str | None) -> str:
    """The indexed text search configuration for a language (None or unknown: `simple`)."""
    config = LANGUAGE_CONFIGS.get(base_language(language or ""), FALLBACK_CONFIG)
    return config if config in INDEXED_SEARCH_CONFIGS else FALLBACK_CONFIG


def word_count(text: str) -> int:
    return len(_WORD.findall(text))


def figures(text: str) -> frozenset[str]:
    """The numbers a text names, without thousands separators ("2,500 troops" -> {"2500"})."""
    return frozenset(f.replace(",", "").rstrip(".") for f in _FIGURE.findall(text))


def figures_disagree(a: str, b: str) -> bool:
    """Both texts name figures and the figures differ: "2,500 troops" is not "3,600 troops",
    however alike the rest of the words are."""
    fa, fb = figures(a), figures(b)
    return bool(fa and fb and fa != fb)


@dataclass(frozen=True)
class Sentence:
    start: int  # code points of the body, end exclusive
    end: int
    text: str


# A sentence ends at . ! ? or … (with any closing quotes or brackets after it) followed by
# whitespace, or at a blank line; a line break inside a paragraph (bne's PDF extraction breaks
# lines mid-sentence) does not end one.
_SENTENCE_END = re.compile(r"[.!?…]+[\"'”’»)\]]*(?=\s)|\n\s*\n")
# Passages shorter than this are headings or datelines, not claims.
MIN_SENTENCE_WORDS = 4


def sentences(body: str, *, min_words: int = MIN_SENTENCE_WORDS) -> list[Sentence]:
    """The body's sentences with their offsets, surrounding whitespace trimmed."""
    found, start = [], 0
    for m in _SENTENCE_END.finditer(body):
        _add(found, body, start, m.end(), min_words)
        start = m.end()
    _add(found, body, start, len(body), min_words)
    return found


def _add(found, body, start, end, min_words):
    piece = body[start:end]
    lead = len(piece) - len(piece.lstrip())
    piece = piece.strip()
    if piece and word_count(piece) >= min_words:
        found.append(Sentence(start + lead, start + lead + len(piece), piece))
