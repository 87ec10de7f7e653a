"""Claim matching in the API (issue 17): GET /claims/search/, and an article's suggestions
with their dismissal. Thin: parse, call selectors.matching or the service, shape."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from annotations import absolute_urls, matching, selectors
from annotations.anchoring import OffsetUnit
from annotations.models import Rating, Status
from annotations.selectors import matching as match_reads
from annotations.services.suggestions import suggestion_dismiss

from .base import (
    DESK_READ_ERRORS,
    OFFSET_UNIT_PARAM,
    WRITE_ERRORS,
    DeskOnly,
    DeskWrites,
    JSONErrors,
    OptionsAsJSON,
    errors,
    offset_unit,
    resolve_rulings,
)
from .serializers import MAX_INT, Integer, Offsets, Slug, StrictInput, String

MAX_PAGE_SIZE = 50
DEFAULT_PAGE_SIZE = 10
LEVELS = [matching.MATCH, matching.SUGGESTION]

# --- Input -------------------------------------------------------------------------------------


class ClaimSearchQuery(serializers.Serializer):
    q = String(
        min_length=3, max_length=2000, help_text="The passage to match: 3 to 2,000 characters."
    )
    # An enum, as the document says: a language without a configuration of its own would be
    # searched unstemmed, which a client naming it did not ask for.
    language = serializers.ChoiceField(
        choices=sorted(matching.LANGUAGE_CONFIGS),
        required=False,
        help_text="The passage's language (ISO 639-1, e.g. `en`, `ru`, `kk`): its words are "
        "stemmed with that language's text search configuration. Default: no stemming.",
        error_messages={
            "invalid_choice": "Unknown language {input!r}; known: "
            + ", ".join(sorted(matching.LANGUAGE_CONFIGS))
            + "."
        },
    )
    page_size = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_PAGE_SIZE, default=DEFAULT_PAGE_SIZE
    )


class DismissInput(StrictInput):
    ruling = Slug(max_length=200)
    start = Integer(min_value=0, max_value=MAX_INT)
    end = Integer(min_value=0, max_value=MAX_INT)


# --- Output ------------------------------------------------------------------------------------


class MatchedRuling(serializers.Serializer):
    slug = serializers.CharField()
    statement = serializers.CharField()
    claim = serializers.CharField()
    rating = serializers.ChoiceField(choices=Rating.choices)
    status = serializers.ChoiceField(choices=Status.choices)
    url = serializers.CharField(help_text="The ruling in the API.")


class MatchedSpan(serializers.Serializer):
    id = serializers.IntegerField()
    article = serializers.CharField(help_text="The article's slug.")
    quote = serializers.CharField()


class MatchOut(serializers.Serializer):
    ruling = MatchedRuling()
    span = MatchedSpan(
        allow_null=True,
        help_text="The ruling's claim span that matched best; null when the "
        "ruling's own claim text did.",
    )
    score = serializers.FloatField(min_value=0, max_value=1)
    level = serializers.ChoiceField(
        choices=LEVELS,
        help_text="`match`: the same claim, safe to link; `suggestion`: similar, a person decides.",
    )

    def to_representation(self, m):
        r, span = m.ruling, m.span
        return {
            "ruling": {
                "slug": r.slug,
                "statement": r.statement,
                "claim": r.claim,
                "rating": r.rating,
                "status": r.status,
                "url": self.context["ruling_url"](r.slug),
            },
            "span": None
            if span is None
            else {"id": span.pk, "article": span.article.slug, "quote": span.quote},
            "score": m.score,
            "level": m.level,
        }


class SearchOut(serializers.Serializer):
    results = MatchOut(many=True, help_text="Best first, one per ruling.")


class SuggestionOut(MatchOut):
    start = serializers.IntegerField()
    end = serializers.IntegerField()
    quote = serializers.CharField(help_text="The passage of the article (a sentence).")

    def to_representation(self, s):
        offsets = self.context["offsets"]
        return {
            "start": offsets(s.article_id, s.sentence.start),
            "end": offsets(s.article_id, s.sentence.end),
            "quote": s.sentence.text,
            **super().to_representation(s.match),
        }


class SuggestionsOut(serializers.Serializer):
    results = SuggestionOut(many=True, help_text="In text order; best first in a passage.")


# --- Views -------------------------------------------------------------------------------------

SEARCH_EXAMPLE = OpenApiExample(
    "A repeated claim",
    value={
        "results": [
            {
                "ruling": {
                    "slug": "no-evidence-external-aggression",
                    "statement": "No credible evidence of external aggression",
                    "claim": "Kazakhstan faced external aggression by terrorists trained abroad",
                    "rating": "unsupported",
                    "status": "published",
                    "url": "https://factcheck.example/api/v1/rulings/no-evidence-external-aggression/",
                },
                "span": {
                    "id": 12,
                    "article": "azernews-csto-presence-illegal",
                    "quote": "He called the protesters terrorist gangs and said that they "
                    "underwent serious training abroad",
                },
                "score": 0.93,
                "level": "match",
            }
        ]
    },
    response_only=True,
)


class _View(OptionsAsJSON, JSONErrors, APIView):
    """As the viewsets answer: errors as JSON, OPTIONS as JSON metadata."""


class SuggestionsDesk(DeskOnly):
    message = "Only annotators and editors may read and dismiss suggestions."


class ClaimSearch(_View):
    # Anyone may search (the selector shows each reader only what they may see).
    permission_classes = [DeskWrites]
    http_method_names = ["get", "head", "options"]

    @extend_schema(
        tags=["claims"],
        operation_id="claims_search",
        parameters=[ClaimSearchQuery],
        # No object to miss (no 404); otherwise what any read can meet.
        responses={200: SearchOut, **errors(400, 401, 406, 429, 503)},
        examples=[SEARCH_EXAMPLE],
        description="Rulings whose claim the passage `q` repeats (claim spans linked to them, "
        "or their own claim text), best first, one per ruling, each with a score in 0..1 and a "
        f"level: `match` from {matching.MATCH_THRESHOLD}, `suggestion` from "
        f"{matching.SUGGESTION_THRESHOLD}; a passage under {matching.MIN_MATCH_WORDS} words, "
        "or naming other figures, is at most a suggestion. Anonymous clients and readers "
        "search published and retracted rulings only; the desk searches every ruling.",
    )
    def get(self, request):
        query = ClaimSearchQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        found = match_reads.claim_search(
            request.user, data["q"], language=data.get("language"), limit=data["page_size"]
        )
        context = absolute_urls.builders(request)
        return Response(SearchOut({"results": found}, context=context).data)


class _Suggestion:
    """A selectors.matching.Suggestion with the article it belongs to, for offsets."""

    def __init__(self, suggestion, article_id):
        self.sentence, self.match, self.article_id = (
            suggestion.sentence,
            suggestion.match,
            article_id,
        )


class ArticleSuggestions(_View):
    basename = "article"  # what its {slug} names, as a router's article views say it
    permission_classes = [SuggestionsDesk]
    http_method_names = ["get", "head", "options"]

    @extend_schema(
        tags=["articles"],
        operation_id="articles_suggestions",
        parameters=[OFFSET_UNIT_PARAM],
        responses={200: SuggestionsOut, **DESK_READ_ERRORS},
        description="The desk only. Sentences of the article that repeat the claim of an "
        "existing ruling and are not yet spans linked to it, with the ruling, the span they "
        "repeat, a score and a level, leaving out dismissed ones. To accept one, create the "
        "span with `POST /annotations/` naming the ruling in `rulings`.",
    )
    def get(self, request, slug):
        unit = offset_unit(request)
        article = get_object_or_404(selectors.articles(), slug=slug)
        maps = selectors.offset_maps([article.pk]) if unit == OffsetUnit.UTF16 else None
        found = match_reads.article_suggestions(request.user, article)
        context = {**absolute_urls.builders(request), "offsets": Offsets(unit, maps)}
        rows = [_Suggestion(s, article.pk) for s in found]
        return Response(SuggestionsOut({"results": rows}, context=context).data)


class DismissSuggestion(_View):
    permission_classes = [SuggestionsDesk]
    http_method_names = ["post", "options"]

    def get_serializer(self, *args, **kwargs):
        # What OPTIONS describes as the POST body (DRF's metadata asks for it).
        return DismissInput(*args, **kwargs)

    @extend_schema(
        tags=["articles"],
        operation_id="articles_suggestions_dismiss",
        request=DismissInput,
        parameters=[OFFSET_UNIT_PARAM],
        responses={204: None, **WRITE_ERRORS},
        description="The desk only. The passage `start`..`end` of the article is not to be "
        "suggested for `ruling` again (remembered by its text, so an edit that moves it keeps "
        "it dismissed). Dismissing twice is harmless.",
    )
    def post(self, request, slug):
        article = get_object_or_404(selectors.articles(), slug=slug)
        serializer = DismissInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        ruling = resolve_rulings(request.user, [data["ruling"]], "ruling")[0]
        suggestion_dismiss(
            article=article,
            ruling=ruling,
            start=data["start"],
            end=data["end"],
            user=request.user,
            offset_unit=offset_unit(request),
        )
        return Response(status=204)
