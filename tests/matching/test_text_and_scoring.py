"""The pure half of claim matching (annotations/matching/): levels and thresholds, the
short-text and figures rules, languages, sentences. No database."""

import pytest

from annotations import matching
from annotations.matching import Candidate

CLAIM = "Trained militants from several countries operate in unrest-ridden Kazakhstan."


def test_a_verbatim_repeat_of_a_long_claim_is_a_match():
    value = matching.score(CLAIM, CLAIM)
    assert value == 1.0
    assert matching.level(CLAIM, CLAIM, value) == matching.MATCH


def test_a_text_under_eight_words_is_never_more_than_a_suggestion():
    short = "terrorists trained abroad"
    assert matching.word_count(short) < matching.MIN_MATCH_WORDS
    assert matching.level(short, short, 1.0) == matching.SUGGESTION


def test_other_figures_make_at_most_a_suggestion():
    a = "In total, about 2,500 troops of the CSTO will be sent to the riot-ridden republic."
    b = "In total, about 3,600 troops of the CSTO will be sent to the riot-ridden republic."
    assert matching.figures_disagree(a, b)
    assert matching.level(a, b, matching.score(a, b)) != matching.MATCH
    assert not matching.figures_disagree(a, a.replace("2,500", "2500"))


def test_unrelated_text_is_not_returned():
    assert matching.level(CLAIM, "The weather in Almaty was cold all week.", 0.2) is None


def test_rank_keeps_one_result_per_ruling_best_first():
    found = matching.rank(
        CLAIM,
        [
            Candidate(1, 10, "Militants from several countries operate in Kazakhstan."),
            Candidate(1, 11, CLAIM),
            Candidate(2, None, "Trained militants operate in Kazakhstan, from several lands."),
        ],
        limit=5,
    )
    assert [(r.candidate.ruling_id, r.candidate.span_id) for r in found][0] == (1, 11)
    assert len({r.candidate.ruling_id for r in found}) == len(found)
    assert [r.score for r in found] == sorted((r.score for r in found), reverse=True)
    assert all(0 <= r.score <= 1 for r in found)


@pytest.mark.parametrize(
    ("language", "config"),
    [
        ("en", "english"),
        ("en-GB", "english"),
        ("ru", "russian"),
        ("kk", "simple"),
        (None, "simple"),
    ],
)
def test_languages_map_to_an_indexed_configuration_or_simple(language, config):
    assert matching.search_config(language) == config


def test_a_language_with_a_configuration_but_no_index_falls_back_to_simple():
    assert matching.known_language("de")
    assert matching.search_config("de") == "simple"


def test_unknown_languages_are_not_known():
    assert not matching.known_language("xx")
    assert not matching.known_language("english")


def test_sentences_carry_their_offsets():
    body = (
        "Protests began over fuel prices in Zhanaozen. He said “they were trained abroad.” "
        "Then\nthe line broke mid-sentence as PDFs do.\n\nA new paragraph starts here today"
    )
    found = matching.sentences(body)
    assert [s.text for s in found] == [
        "Protests began over fuel prices in Zhanaozen.",
        "He said “they were trained abroad.”",
        "Then\nthe line broke mid-sentence as PDFs do.",
        "A new paragraph starts here today",
    ]
    assert all(body[s.start : s.end] == s.text for s in found)


def test_cyrillic_text_is_scored_and_split():
    text = "Обученные боевики из нескольких стран действуют в охваченном беспорядками Казахстане."
    assert matching.score(text, text) == 1.0
    assert matching.sentences(text)[0].text == text
