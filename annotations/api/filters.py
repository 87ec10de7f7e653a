import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q

from annotations import selectors
from annotations.models import (
    AnchorState,
    Annotation,
    AnnotationRuling,
    Article,
    Kind,
    Rating,
    Ruling,
    Status,
)


class _TextAsSent(forms.CharField):
    """max_length counted on the value as sent, as the document's maxLength counts it (Django
    would count it after stripping, and so take 201 characters with a space at the end)."""

    def to_python(self, value):
        if isinstance(value, str) and self.max_length is not None and len(value) > self.max_length:
            raise forms.ValidationError(
                f"Ensure this value has at most {self.max_length} characters "
                f"(it has {len(value)}).",
                code="max_length",
            )
        return super().to_python(value)


class Text(django_filters.CharFilter):
    field_class = _TextAsSent


class ArticleFilter(django_filters.FilterSet):
    search = Text(method="filter_search", max_length=200)
    publisher = Text(field_name="publisher", max_length=200)

    class Meta:
        model = Article
        fields = ["search", "publisher"]

    def filter_search(self, queryset, name, value):
        return queryset.filter(
            Q(title__icontains=value)
            | Q(slug__icontains=value)
            | Q(publisher__icontains=value)
            | Q(author__icontains=value)
        )


class AnnotationFilter(django_filters.FilterSet):
    article = Text(field_name="article__slug", max_length=200)
    kind = django_filters.ChoiceFilter(choices=Kind.choices)
    ruling = Text(method="filter_ruling", max_length=200)
    author = Text(field_name="author__username", max_length=150)
    state = django_filters.ChoiceFilter(choices=AnchorState.choices)

    class Meta:
        model = Annotation
        fields = ["article", "kind", "ruling", "author", "state"]

    def filter_ruling(self, queryset, name, value):
        # Start from the ruling's few links rather than test every span for one: the span ids
        # come from the (ruling, annotation) index.
        links = AnnotationRuling.objects.filter(
            ruling__slug=value,
            # A draft's spans are not public: filtering by its slug must not reveal them.
            ruling__in=selectors.rulings_for(self.request.user),
        )
        return queryset.filter(pk__in=links.values("annotation_id"))


class RulingFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Status.choices)
    rating = django_filters.ChoiceFilter(choices=Rating.choices)
    article = Text(method="filter_article", max_length=200)
    search = Text(method="filter_search", max_length=200)
    claimant = Text(
        field_name="claimant_name",
        lookup_expr="icontains",
        max_length=200,
        help_text="Rulings whose claimant's name contains this (any case).",
    )

    class Meta:
        model = Ruling
        fields = ["status", "rating", "article", "search", "claimant"]

    def filter_article(self, queryset, name, value):
        links = AnnotationRuling.objects.filter(
            ruling=OuterRef("pk"), annotation__article__slug=value
        )
        return queryset.filter(Exists(links))

    def filter_search(self, queryset, name, value):
        return queryset.filter(
            Q(claim__icontains=value) | Q(statement__icontains=value) | Q(summary__icontains=value)
        )
