"""The REST API (SPEC.md, "REST API"). Views are thin: parse input, call one service or
selector, shape output. Every rule lives in services; every refusal is a ServiceError that
`exceptions.exception_handler` turns into DRF's error shape.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from annotations import absolute_urls, selectors, services, standards
from annotations.models import PUBLIC_STATUSES

from . import serializers as s
from .base import (
    CONDITIONAL_WRITE_ERRORS,
    DELETE_ERRORS,
    DESK_READ_ERRORS,
    IF_MATCH,
    NO_BODY_WRITE_ERRORS,
    OFFSET_UNIT_PARAM,
    READ_ERRORS,
    WRITE_ERRORS,
    Base,
    CSVLists,
    DeskOnly,
    csv_format_param,
    csv_response,
    expected_version,
    offset_unit,
    resolve_rulings,
    resolve_spans,
    validated,
)
from .filters import AnnotationFilter, ArticleFilter, RulingFilter
from .pagination import Cursor, NewestFirst
from .renderers import JSONLDRenderer, JSONRenderer, W3CAnnotationRenderer

# --- Articles ------------------------------------------------------------------------------------


@extend_schema(tags=["articles"])
class ArticleViewSet(Base):
    lookup_field = "slug"
    lookup_value_regex = r"[-a-zA-Z0-9_]{1,200}"
    filterset_class = ArticleFilter
    pagination_class = Cursor
    input_serializers = {"create": s.ArticleCreateInput, "partial_update": s.ArticleUpdateInput}

    def get_queryset(self):
        return selectors.articles()

    @extend_schema(responses={200: s.ArticleSummary(many=True), **READ_ERRORS})
    def list(self, request):
        queryset = self.filter_queryset(self.get_queryset().defer("body"))
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(s.ArticleSummary(page, many=True).data)

    @extend_schema(
        request=s.ArticleCreateInput,
        responses={201: s.ArticleDetail, **WRITE_ERRORS},
        parameters=[OFFSET_UNIT_PARAM],
    )
    def create(self, request):
        data = validated(s.ArticleCreateInput, request)
        article = services.article_create(user=request.user, **data)
        response = self.out(s.ArticleDetail, article, status_code=201, offsets=self.offsets())
        response["Location"] = reverse("api:article-detail", args=[article.slug])
        return response

    @extend_schema(responses={200: s.ArticleDetail, **READ_ERRORS}, parameters=[OFFSET_UNIT_PARAM])
    def retrieve(self, request, slug):
        article = get_object_or_404(self.get_queryset(), slug=slug)
        return self.out(s.ArticleDetail, article, offsets=self.offsets())

    @extend_schema(
        request=s.ArticleUpdateInput,
        responses={200: s.ArticleUpdateResult, **CONDITIONAL_WRITE_ERRORS},
        parameters=[OFFSET_UNIT_PARAM, IF_MATCH],
        description="Editors only. A new `body` re-anchors every span in the same transaction; "
        "`reanchoring` says how many were kept, moved, changed or orphaned.",
    )
    def partial_update(self, request, slug):
        article = get_object_or_404(self.get_queryset(), slug=slug)
        data = validated(s.ArticleUpdateInput, request, partial=True)
        report = services.article_update(
            article=article,
            user=request.user,
            expected_version=expected_version(request, article),
            **data,
        )
        article.refresh_from_db()
        return self.out(s.ArticleUpdateResult, article, offsets=self.offsets(), report=report)

    @extend_schema(
        parameters=[
            OFFSET_UNIT_PARAM,
            OpenApiParameter(
                "format",
                str,
                # Empty: chosen by the Accept header, as without the parameter.
                enum=["json", "jsonld", ""],
                description="`jsonld` (or Accept: application/ld+json; "
                'profile="http://www.w3.org/ns/anno.jsonld") answers a W3C AnnotationPage.',
            ),
        ],
        responses={
            (200, "application/json"): s.AnnotationOut(many=True),
            (200, standards.W3C_MEDIA_TYPE): OpenApiResponse(
                OpenApiTypes.OBJECT, description="A W3C Web Annotation AnnotationPage."
            ),
            **READ_ERRORS,
        },
        filters=False,
    )
    @action(
        detail=True,
        methods=["get"],
        renderer_classes=[JSONRenderer, W3CAnnotationRenderer],
        filterset_class=None,
        pagination_class=Cursor,
    )
    def annotations(self, request, slug):
        article = get_object_or_404(self.get_queryset().only("id", "slug"), slug=slug)
        if request.accepted_renderer.format == "jsonld":
            queryset = selectors.span_rows(request.user, statements=True)
            return self.w3c_page(request, article, queryset.filter(article=article))
        queryset = selectors.span_rows(request.user).filter(article=article)
        page = self.paginate_queryset(queryset)
        offsets = self.offsets([article.pk])
        return self.get_paginated_response(
            s.AnnotationOut(
                page, many=True, context={"offsets": offsets, "user": request.user}
            ).data
        )

    def w3c_page(self, request, article, queryset):
        """Every span of the article as one W3C AnnotationPage. Positions are in code points
        whatever `offset_unit` says: the W3C TextPositionSelector defines them so, and a
        consumer of the standard format cannot know our parameter. The page holds every span,
        so `page_size` and `cursor` page nothing here. (A bad `offset_unit` or `page_size` is
        still refused, as everywhere.)"""
        offset_unit(request)
        self.paginator.get_page_size(request)
        urls = absolute_urls.builders(request)
        spans = list(queryset.order_by("start", "end", "id"))
        article_url = urls["article_url"](article.slug)
        items = [
            standards.w3c_annotation(
                span,
                article_url=article_url,
                annotation_url=urls["annotation_url"](span.pk),
                ruling_url=urls["ruling_url"],
            )
            for span in spans
        ]
        page_url = absolute_urls.absolute(request, request.path) + "?format=jsonld"
        return Response(standards.w3c_page(items, page_url=page_url, total=len(items)))


# --- Annotations ---------------------------------------------------------------------------------


@extend_schema(tags=["annotations"])
class AnnotationViewSet(CSVLists, Base):
    lookup_value_regex = r"[0-9]{1,18}"
    filterset_class = AnnotationFilter
    pagination_class = Cursor
    input_serializers = {
        "create": s.AnnotationCreateInput,
        "partial_update": s.AnnotationUpdateInput,
    }

    def get_queryset(self):
        return selectors.span_list(self.request.user)

    def get_object(self):
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])

    def detail_response(self, annotation, status_code=200):
        annotation = self.get_object() if annotation is None else annotation
        return self.out(
            s.AnnotationOut,
            annotation,
            status_code=status_code,
            offsets=self.offsets([annotation.article_id]),
        )

    @extend_schema(
        responses={
            (200, "application/json"): s.AnnotationOut(many=True),
            (200, "text/csv"): OpenApiResponse(
                OpenApiTypes.STR, description="With format=csv: the table of every span selected."
            ),
            **READ_ERRORS,
        },
        parameters=[OFFSET_UNIT_PARAM, csv_format_param("span")],
    )
    def list(self, request):
        queryset = self.filter_queryset(selectors.span_rows(request.user))
        if request.accepted_renderer.format == "csv":
            return csv_response(request, queryset, "spans")
        page = self.paginate_queryset(queryset)
        offsets = self.offsets({a.article_id for a in page})
        return self.get_paginated_response(
            s.AnnotationOut(
                page, many=True, context={"offsets": offsets, "user": request.user}
            ).data
        )

    @extend_schema(
        request=s.AnnotationCreateInput,
        responses={201: s.AnnotationOut, **WRITE_ERRORS},
        parameters=[OFFSET_UNIT_PARAM],
        description="Place the span by `start`/`end`, by `quote` (with optional `prefix`, "
        "`suffix` and `near`), or both, which must agree. A duplicate span is 409.",
    )
    def create(self, request):
        data = validated(s.AnnotationCreateInput, request)
        article = selectors.articles().filter(slug=data.pop("article")).first()
        if article is None:
            raise ValidationError({"article": ["No such article."]})
        rulings = resolve_rulings(request.user, data.pop("rulings", []))
        annotation = services.span_create(
            article=article,
            author=request.user,
            rulings=rulings,
            offset_unit=offset_unit(request),
            **data,
        )
        response = self.detail_response(self.get_queryset().get(pk=annotation.pk), 201)
        response["Location"] = reverse("api:annotation-detail", args=[annotation.pk])
        return response

    @extend_schema(responses={200: s.AnnotationOut, **READ_ERRORS}, parameters=[OFFSET_UNIT_PARAM])
    def retrieve(self, request, pk):
        return self.detail_response(None)

    @extend_schema(
        request=s.AnnotationUpdateInput,
        responses={200: s.AnnotationOut, **CONDITIONAL_WRITE_ERRORS},
        parameters=[OFFSET_UNIT_PARAM, IF_MATCH],
        description="Change the kind, note or rulings (slugs), or move the span. Annotators "
        "change their own spans, editors any; a span of a published ruling keeps its text.",
    )
    def partial_update(self, request, pk):
        annotation = self.get_object()
        data = validated(s.AnnotationUpdateInput, request, partial=True)
        if "rulings" in data:
            data["rulings"] = resolve_rulings(request.user, data["rulings"])
        services.span_update(
            annotation=annotation,
            user=request.user,
            expected_version=expected_version(request, annotation),
            offset_unit=offset_unit(request),
            **data,
        )
        return self.detail_response(None)

    @extend_schema(responses={204: None, **DELETE_ERRORS}, parameters=[IF_MATCH])
    def destroy(self, request, pk):
        annotation = self.get_object()
        services.span_delete(
            annotation=annotation,
            user=request.user,
            expected_version=expected_version(request, annotation),
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Rulings -------------------------------------------------------------------------------------


@extend_schema(tags=["rulings"])
class RulingViewSet(CSVLists, Base):
    lookup_field = "slug"
    lookup_value_regex = r"[-a-zA-Z0-9_]{1,200}"
    filterset_class = RulingFilter
    pagination_class = NewestFirst
    input_serializers = {
        "create": s.RulingCreateInput,
        "partial_update": s.RulingUpdateInput,
        "retract": s.RetractInput,
        "reviews": s.ReviewInput,
    }

    def get_queryset(self):
        return selectors.ruling_list(self.request.user)

    def get_object(self):
        return get_object_or_404(self.get_queryset(), slug=self.kwargs["slug"])

    def detail_response(self, slug, status_code=200):
        ruling = get_object_or_404(self.get_queryset(), slug=slug)
        offsets = self.offsets({span.article_id for span in ruling.linked_spans})
        return self.out(s.RulingOut, ruling, status_code=status_code, offsets=offsets)

    @extend_schema(
        responses={
            (200, "application/json"): s.RulingOut(many=True),
            (200, "text/csv"): OpenApiResponse(
                OpenApiTypes.STR, description="With format=csv: the table of every ruling selected."
            ),
            **READ_ERRORS,
        },
        parameters=[OFFSET_UNIT_PARAM, csv_format_param("ruling")],
    )
    def list(self, request):
        queryset = self.filter_queryset(selectors.ruling_rows(request.user))
        if request.accepted_renderer.format == "csv":
            return csv_response(request, queryset, "rulings")
        page = self.paginate_queryset(queryset)
        offsets = self.offsets({span.article_id for r in page for span in r.linked_spans})
        context = {**self.get_serializer_context(), "offsets": offsets}
        return self.get_paginated_response(s.RulingOut(page, many=True, context=context).data)

    def _links(self, data):
        """The validated input in the services' terms: rulings and spans named by slug and id
        looked up (only those this user may see), the claimant's parts as fields."""
        for part, value in (data.pop("claimant", None) or {}).items():
            data[f"claimant_{part}"] = value
        if data.get("supersedes"):
            data["supersedes"] = resolve_rulings(
                self.request.user, [data["supersedes"]], "supersedes"
            )[0]
        if "annotations" in data:
            data["annotations"] = resolve_spans(self.request.user, data["annotations"])
        return data

    @extend_schema(
        request=s.RulingCreateInput,
        responses={201: s.RulingOut, **WRITE_ERRORS},
        parameters=[OFFSET_UNIT_PARAM],
        description="Drafts a ruling; `annotations` links spans by id.",
    )
    def create(self, request):
        data = self._links(validated(s.RulingCreateInput, request))
        ruling = services.ruling_create(author=request.user, **data)
        response = self.detail_response(ruling.slug, 201)
        response["Location"] = reverse("api:ruling-detail", args=[ruling.slug])
        return response

    @extend_schema(responses={200: s.RulingOut, **READ_ERRORS}, parameters=[OFFSET_UNIT_PARAM])
    def retrieve(self, request, slug):
        return self.detail_response(slug)

    @extend_schema(
        request=s.RulingUpdateInput,
        responses={200: s.RulingOut, **CONDITIONAL_WRITE_ERRORS},
        parameters=[OFFSET_UNIT_PARAM, IF_MATCH],
        description="Drafts and rulings in review only: a published ruling is fixed (409).",
    )
    def partial_update(self, request, slug):
        ruling = self.get_object()
        data = self._links(validated(s.RulingUpdateInput, request, partial=True))
        services.ruling_update(
            ruling=ruling,
            user=request.user,
            expected_version=expected_version(request, ruling),
            **data,
        )
        return self.detail_response(slug)

    @extend_schema(responses={204: None, **DELETE_ERRORS}, parameters=[IF_MATCH])
    def destroy(self, request, slug):
        ruling = self.get_object()
        services.ruling_delete(
            ruling=ruling, user=request.user, expected_version=expected_version(request, ruling)
        )
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        request=None,
        responses={200: s.RulingOut, **NO_BODY_WRITE_ERRORS},
        parameters=[OFFSET_UNIT_PARAM],
    )
    @action(detail=True, methods=["post"])
    def submit(self, request, slug):
        services.ruling_submit(ruling=self.get_object(), user=request.user)
        return self.detail_response(slug)

    @extend_schema(
        request=s.RetractInput,
        responses={200: s.RulingOut, **WRITE_ERRORS},
        parameters=[OFFSET_UNIT_PARAM],
    )
    @action(detail=True, methods=["post"])
    def retract(self, request, slug):
        data = validated(s.RetractInput, request)
        services.ruling_retract(ruling=self.get_object(), user=request.user, **data)
        return self.detail_response(slug)

    @extend_schema(
        methods=["GET"],
        # Keyed by media type like the errors: drf-spectacular takes the lowest key for the
        # main response, and it must find the page here to document cursor and page_size.
        responses={(200, "application/json"): s.ReviewOut(many=True), **DESK_READ_ERRORS},
        filters=False,
        description="The desk only: anonymous clients get 401 and readers 403, for any slug.",
    )
    @extend_schema(
        methods=["POST"],
        request=s.ReviewInput,
        responses={201: s.ReviewOut, **CONDITIONAL_WRITE_ERRORS},
        description="Editors other than the ruling's author approve or request changes (a "
        "comment is required). Enough approvals of the current version publish the ruling. "
        "Name the version you judged in `ruling_version` or in If-Match (the ruling's ETag); "
        "a review of an older version is refused with 409.",
        parameters=[IF_MATCH],
    )
    @action(
        detail=True,
        methods=["get", "post"],
        filterset_class=None,
        pagination_class=Cursor,
        permission_classes=[DeskOnly],
    )
    def reviews(self, request, slug):
        ruling = get_object_or_404(selectors.rulings_for(request.user), slug=slug)
        if request.method == "POST":
            data = validated(s.ReviewInput, request)
            if "ruling_version" not in data:
                # The reviewer judged what they read: its ETag names the version.
                data["ruling_version"] = expected_version(request, ruling)
            review = services.review_create(
                ruling=ruling, reviewer=request.user, version_required=True, **data
            )
            return Response(s.ReviewOut(review).data, status=status.HTTP_201_CREATED)
        # Reviews are the desk's internal record, never public (DeskOnly refused everyone else).
        page = self.paginate_queryset(selectors.reviews_of(ruling))
        return self.get_paginated_response(s.ReviewOut(page, many=True).data)

    @extend_schema(
        responses={200: OpenApiTypes.OBJECT, **READ_ERRORS},
        parameters=[
            OpenApiParameter(
                "format",
                str,
                # Empty: chosen by the Accept header, as without the parameter.
                enum=["jsonld", "json", ""],
                description="`json` answers the same document as application/json.",
            )
        ],
        description="schema.org ClaimReview JSON-LD: the ruling's one ClaimReview. Published "
        "and retracted rulings only.",
        filters=False,
    )
    @action(
        detail=True,
        methods=["get"],
        renderer_classes=[JSONLDRenderer, JSONRenderer],
        filterset_class=None,
        pagination_class=None,
    )
    def claimreview(self, request, slug):
        ruling = get_object_or_404(
            selectors.rulings_for(request.user).filter(status__in=PUBLIC_STATUSES), slug=slug
        )
        urls = absolute_urls.builders(request)
        review = standards.claim_review(
            ruling,
            selectors.claims_of(ruling),
            page_url=urls["public_url"](ruling.slug),
            article_url=urls["article_url"],
        )
        return Response(review)
