"""Claim matching's reads (issue 17): candidates retrieved in PostgreSQL over what the reader
may see (visibility.py), re-ranked by annotations.matching.

Two retrieval stages, each served by a GIN index of migration 0006 (models.matching_indexes):
- `fts`: full text, in the query language's configuration (matching.search_config), any word
  of the query (an OR query: a paraphrase shares some words, rarely all), ranked by ts_rank;
- `trigram`: pg_trgm similarity of the whole texts (`%`) or of the query to the closest part
  of a longer text (`<%`), language-independent, so Cyrillic or a query in another language
  than the stored text still finds near-verbatim repeats.
Candidates are claim spans linked to a ruling, and the rulings' own `claim` texts.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import BooleanField, FloatField
from django.db.models.expressions import RawSQL

from annotations import matching
from annotations.models import Annotation, AnnotationRuling, Article, DismissedSuggestion, Kind

from . import visibility

STAGES = ("fts", "trigram")
# Candidates each stage reads from each source (spans, claims) before re-ranking.
CANDIDATES = 50
# pg_trgm thresholds of the `%` and `<%` operators (set per transaction): low enough that a
# light edit or a sentence quoting a claim gets through; rapidfuzz then decides.
TRIGRAM_SIMILARITY = 0.3
WORD_SIMILARITY = 0.5

SPAN_TEXT = '"annotations_annotation"."quote"'
CLAIM_TEXT = '"annotations_ruling"."claim"'


def _tsquery(config):
    # plainto_tsquery parses the text as the index does (stems, stop words); its ANDs become
    # ORs so that a candidate needs only some of the words.
    return f"replace(plainto_tsquery('{config}'::regconfig, %s)::text, ' & ', ' | ')::tsquery"


def _stage_sql(stage, column, config):
    """(condition, rank) SQL of a stage on `column`, each taking the query text once. The
    condition repeats the index expression exactly (models.tsvector), or the planner cannot
    use it."""
    if stage == "fts":
        vector = f"to_tsvector('{config}'::regconfig, {column})"
        return f"{vector} @@ {_tsquery(config)}", f"ts_rank({vector}, {_tsquery(config)})"
    if stage == "trigram":
        return (
            f"({column} %% %s OR %s <%% {column})",
            f"greatest(similarity({column}, %s), word_similarity(%s, {column}))",
        )
    raise ValueError(f"unknown stage {stage!r}")


def _stage_filter(stage, column, config, text):
    condition, ranking = _stage_sql(stage, column, config)
    n_cond, n_rank = condition.count("%s"), ranking.count("%s")
    # The SQL is ours (columns and a configuration from INDEXED_SEARCH_CONFIGS); the text is
    # always a parameter.
    return (
        RawSQL(condition, [text] * n_cond, output_field=BooleanField()),  # noqa: S611
        RawSQL(ranking, [text] * n_rank, output_field=FloatField()),  # noqa: S611
    )


def stage_queries(user, text, *, config, stage, limit=CANDIDATES):
    """The two queries of one stage: (ruling id, span id, quote) of claim spans linked to a
    ruling `user` may see, and (ruling id, claim) of those rulings' own claims."""
    visible = visibility.rulings_for(user)
    condition, ranking = _stage_filter(stage, SPAN_TEXT, config, text)
    spans = (
        AnnotationRuling.objects.filter(annotation__kind=Kind.CLAIM, ruling__in=visible)
        .filter(condition)
        .annotate(rank=ranking)
        .order_by("-rank", "annotation_id")
        .values_list("ruling_id", "annotation_id", "annotation__quote")[:limit]
    )
    condition, ranking = _stage_filter(stage, CLAIM_TEXT, config, text)
    claims = (
        visible.exclude(claim="")
        .filter(condition)
        .annotate(rank=ranking)
        .order_by("-rank", "id")
        .values_list("id", "claim")[:limit]
    )
    return spans, claims


def trigram_thresholds(cursor):
    """Sets the `%` and `<%` thresholds for the rest of the transaction."""
    cursor.execute(
        "SELECT set_config('pg_trgm.similarity_threshold', %s, true), "
        "set_config('pg_trgm.word_similarity_threshold', %s, true)",
        [str(TRIGRAM_SIMILARITY), str(WORD_SIMILARITY)],
    )


SOURCES = ("spans", "claims")


def candidates(user, text, *, language=None, stages=STAGES, limit=CANDIDATES, sources=SOURCES):
    """Claim spans and ruling claims (`sources`) that `stages` retrieve for `text`, among the
    rulings `user` may see."""
    config = matching.search_config(language)
    found = []
    with transaction.atomic(), connection.cursor() as cursor:
        trigram_thresholds(cursor)
        for stage in stages:
            spans, claims = stage_queries(user, text, config=config, stage=stage, limit=limit)
            if "spans" in sources:
                found += [matching.Candidate(r, a, q) for r, a, q in spans]
            if "claims" in sources:
                found += [matching.Candidate(r, None, c) for r, c in claims]
    return found


@dataclass(frozen=True)
class Match:
    ruling: object  # Ruling
    span: Annotation | None  # with its article's slug read
    score: float
    level: str


def _matches(user, ranked):
    rulings = visibility.rulings_for(user).in_bulk([r.candidate.ruling_id for r in ranked])
    span_ids = [r.candidate.span_id for r in ranked if r.candidate.span_id]
    spans = (
        Annotation.objects.select_related("article").only("id", "quote", "article__slug")
    ).in_bulk(span_ids)
    return [
        Match(
            ruling=rulings[r.candidate.ruling_id],
            span=spans.get(r.candidate.span_id),
            score=r.score,
            level=r.level,
        )
        for r in ranked
    ]


def claim_search(
    user,
    text,
    *,
    language=None,
    limit=10,
    stages=STAGES,
    per_stage=CANDIDATES,
    sources=SOURCES,
) -> list[Match]:
    """Rulings whose claim `text` repeats, best first, one per ruling (GET /claims/search/)."""
    found = candidates(
        user, text, language=language, stages=stages, limit=per_stage, sources=sources
    )
    return _matches(user, matching.rank(text, found, limit=limit))


# --- Suggestions of an article -------------------------------------------------------------------


def quote_sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class Suggestion:
    sentence: matching.Sentence
    match: Match


def article_suggestions(user, article: Article, *, per_sentence=3) -> list[Suggestion]:
    """Sentences of the article that repeat the claim of a ruling no span of that sentence is
    linked to yet (scoring at least PASSAGE_THRESHOLD), leaving out what the desk dismissed;
    in text order, best first within a sentence. Four queries per sentence: a few hundred
    milliseconds for a seed article of 700 words, on the curated desk."""
    linked = {}
    for ruling_id, start, end in AnnotationRuling.objects.filter(
        annotation__article=article
    ).values_list("ruling_id", "annotation__start", "annotation__end"):
        linked.setdefault(ruling_id, []).append((start, end))
    dismissed = set(
        DismissedSuggestion.objects.filter(article=article).values_list("ruling_id", "quote_sha256")
    )
    found = []
    for sentence in matching.sentences(article.body):
        digest = quote_sha256(sentence.text)
        kept = [
            r
            for r in matching.rank(
                sentence.text,
                candidates(user, sentence.text, language=article.language),
                limit=CANDIDATES,
            )
            if r.score >= matching.PASSAGE_THRESHOLD
            and (r.candidate.ruling_id, digest) not in dismissed
            and not any(
                start < sentence.end and sentence.start < end
                for start, end in linked.get(r.candidate.ruling_id, ())
            )
        ][:per_sentence]
        found += [Suggestion(sentence, m) for m in _matches(user, kept)]
    return found
