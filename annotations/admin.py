"""Admin pages. Every write goes through services, so the admin obeys the same rules as the API."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import Count, Q
from simple_history.admin import SimpleHistoryAdmin

from . import services
from .errors import ServiceError
from .models import AnchorState, Annotation, AnnotationRuling, Article, Kind, Review, Ruling


class ReadOnlyMixin:
    """Objects that change only through their own workflow (services), never by a raw form."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class OrphanedFilter(admin.SimpleListFilter):
    title = "orphaned spans"
    parameter_name = "orphans"

    def lookups(self, request, model_admin):
        return [("yes", "Has orphaned spans")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(annotations__state=AnchorState.ORPHANED).distinct()
        return queryset


@admin.register(Article)
class ArticleAdmin(SimpleHistoryAdmin):
    list_display = (
        "slug",
        "title",
        "publisher",
        "author",
        "published_on",
        "span_count",
        "orphan_count",
    )
    list_filter = ("publisher", "language", OrphanedFilter)
    search_fields = ("slug", "title", "publisher", "author")
    date_hierarchy = "published_on"
    readonly_fields = ("body_sha256", "created_at", "updated_at")
    prepopulated_fields = {"slug": ("title",)}

    def get_queryset(self, request):
        # Counts in the list come from one aggregate query, not one query per row.
        return (
            super()
            .get_queryset(request)
            .annotate(
                _spans=Count("annotations"),
                _orphans=Count("annotations", filter=Q(annotations__state=AnchorState.ORPHANED)),
            )
        )

    @admin.display(description="spans", ordering="_spans")
    def span_count(self, obj):
        return obj._spans

    @admin.display(description="orphaned", ordering="_orphans")
    def orphan_count(self, obj):
        return obj._orphans

    def get_readonly_fields(self, request, obj=None):
        # The slug is an identifier in URLs and fixtures: fixed once the article exists.
        return self.readonly_fields + (("slug",) if obj else ())

    def save_model(self, request, obj, form, change):
        data = {
            name: form.cleaned_data[name]
            for name in services.ARTICLE_FIELDS
            if name in form.cleaned_data
        }
        try:
            if change:
                report = services.article_update(
                    article=obj, user=request.user, body=form.cleaned_data.get("body"), **data
                )
                if report is not None:
                    summary = (
                        ", ".join(f"{n} {k}" for k, n in sorted(report.counts.items()))
                        or "no spans"
                    )
                    self.message_user(request, f"Body changed; spans re-anchored: {summary}.")
            else:
                created = services.article_create(
                    user=request.user, slug=obj.slug, body=form.cleaned_data["body"], **data
                )
                obj.pk = created.pk
        except ServiceError as exc:
            # Turned into a form-level refusal: nothing was saved.
            self.message_user(request, exc.message, level=messages.ERROR)
            raise DjangoPermissionDenied(exc.message) from None


class LinkInline(admin.TabularInline):
    model = AnnotationRuling
    extra = 0
    fields = ("annotation", "ruling", "created_at")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Annotation)
class AnnotationAdmin(ReadOnlyMixin, SimpleHistoryAdmin):
    list_display = (
        "id",
        "article",
        "kind",
        "short_quote",
        "start",
        "end",
        "state",
        "author",
        "updated_at",
    )
    list_filter = ("kind", "state", "article__publisher")
    search_fields = ("quote", "note", "article__slug", "article__title")
    list_select_related = ("article", "author")
    raw_id_fields = ("article",)
    inlines = [LinkInline]

    @admin.display(description="quote")
    def short_quote(self, obj):
        return obj.quote if len(obj.quote) <= 80 else obj.quote[:77] + "..."


@admin.register(Ruling)
class RulingAdmin(ReadOnlyMixin, SimpleHistoryAdmin):
    list_display = (
        "statement",
        "rating",
        "status",
        "claims",
        "evidence",
        "disputed",
        "author",
        "updated_at",
    )
    list_filter = ("status", "rating")
    search_fields = ("slug", "statement", "summary")
    list_select_related = ("author",)
    inlines = [LinkInline]

    def get_queryset(self, request):
        counts = {
            f"_{kind}": Count("annotations", filter=Q(annotations__kind=kind))
            for kind in Kind.values
        }
        return super().get_queryset(request).annotate(**counts)

    @admin.display(description="claims", ordering="_claim")
    def claims(self, obj):
        return obj._claim

    @admin.display(ordering="_evidence")
    def evidence(self, obj):
        return obj._evidence

    @admin.display(ordering="_disputed")
    def disputed(self, obj):
        return obj._disputed


@admin.register(Review)
class ReviewAdmin(ReadOnlyMixin, SimpleHistoryAdmin):
    list_display = ("ruling", "reviewer", "decision", "ruling_version", "created_at")
    list_filter = ("decision",)
    search_fields = ("ruling__slug", "ruling__statement", "comment")
    list_select_related = ("ruling", "reviewer")


@admin.register(AnnotationRuling)
class AnnotationRulingAdmin(ReadOnlyMixin, SimpleHistoryAdmin):
    list_display = ("annotation", "ruling", "created_at")
    list_select_related = ("annotation", "ruling")
    search_fields = ("ruling__slug", "annotation__quote")
