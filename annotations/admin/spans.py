"""Spans and their links to rulings: read-only lists with history (they change through the
Annotate workspace and the API)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .. import selectors
from ..downloads import csv_download
from ..models import Annotation, AnnotationRuling
from ._common import ReadOnlyMixin


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
    actions = ["download_csv"]

    @admin.action(description="Download the selected spans as CSV")
    def download_csv(self, request, queryset):
        # The API's table (?format=csv), through the same reader's rows.
        rows = selectors.span_rows(request.user).filter(pk__in=queryset.values("pk"))
        return csv_download(rows, "spans")

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


@admin.register(AnnotationRuling)
class AnnotationRulingAdmin(ReadOnlyMixin, SimpleHistoryAdmin):
    """Links are shown on their span's and ruling's pages; this list stays reachable by URL
    (its history) but is not in the navigation, where it only puzzled people."""

    def has_module_permission(self, request):
        return False

    list_display = ("annotation", "ruling", "created_at")
    list_select_related = ("annotation", "ruling")
    search_fields = ("ruling__slug", "annotation__quote")
