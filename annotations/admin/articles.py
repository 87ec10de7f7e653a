"""Articles: the list with span counts, the change form (a stale form is refused) and the
Annotate workspace."""

from pathlib import Path

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import Count, Q
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.text import slugify
from simple_history.admin import SimpleHistoryAdmin

from .. import article_files, roles, services
from ..errors import ServiceError
from ..models import AnchorState, Article, Kind, Rating, Status


class OrphanedFilter(admin.SimpleListFilter):
    title = "orphaned spans"
    parameter_name = "orphans"

    def lookups(self, request, model_admin):
        return [("yes", "Has orphaned spans")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(annotations__state=AnchorState.ORPHANED).distinct()
        return queryset


class ArticleForm(forms.ModelForm):
    """The article form, carrying the version it was rendered from.

    Saving a stale form would put its old body and metadata back over someone else's newer
    edit. So the form names the version it showed, and the save is refused when the article
    has moved on since (the service checks again under a row lock: this is the early, friendly
    refusal that keeps the user's text in the form).
    """

    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)
    # A scheme-less URL typed in is taken as https (Django 6's default, chosen here rather than
    # through the transitional FORMS_URLFIELD_ASSUME_HTTPS setting, which is itself deprecated).
    url = forms.URLField(
        max_length=Article._meta.get_field("url").max_length, required=False, assume_scheme="https"
    )

    # Adding only: a .txt (its body; the slug from its name) or a .json article (slug,
    # metadata and body), read as `import_articles` reads files, in place of the fields below.
    upload = forms.FileField(
        required=False,
        label="Or upload a file",
        help_text="A .txt file (its text is the body) or a .json article with slug, body and "
        "metadata, as import_articles reads them. What the file gives replaces the fields.",
    )

    class Meta:
        model = Article
        fields = ("slug", *services.ARTICLE_FIELDS, "body")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            # With a file, the slug and body may come from it.
            self.fields["slug"].required = False
            self.fields["body"].required = False
        else:
            self.fields.pop("upload", None)
        if self.instance.pk:
            self.fields["expected_version"].required = True
            # The stored row's version, not the instance's: a history "revert" form is built on
            # an old version's instance, but overwrites the current one.
            self.initial["expected_version"] = self.current_version()

    def current_version(self):
        return Article.objects.filter(pk=self.instance.pk).values_list("version", flat=True).first()

    def _read_upload(self, cleaned):
        upload = cleaned.get("upload")
        if not upload:
            return
        name = upload.name or "upload"
        data = upload.read()
        try:
            if name.lower().endswith(".txt"):
                article = {"slug": slugify(Path(name).stem), "body": article_files.decode(data)}
            elif name.lower().endswith(".json"):
                articles = article_files.json_articles(name, data, lines=False)
                if len(articles) != 1:
                    raise article_files.BadFile(
                        f"{name}: holds {len(articles)} articles; upload one at a time here, "
                        "or use manage.py import_articles for many"
                    )
                where, article = articles[0]
                if isinstance(article, article_files.BadFile):
                    raise article
            else:
                raise article_files.BadFile(f"{name}: upload a .txt or a .json file")
        except article_files.BadFile as exc:
            self.add_error("upload", str(exc))
            return
        for key, value in article.items():
            cleaned[key] = value
            self.errors.pop(key, None)

    def clean(self):
        cleaned = super().clean()
        if not self.instance.pk:
            self._read_upload(cleaned)
            for name in ("slug", "body"):
                if not cleaned.get(name) and name not in self.errors:
                    self.add_error(name, "This field is required (or upload a file).")
        expected = cleaned.get("expected_version")
        if self.instance.pk and expected is not None:
            current = self.current_version()
            if current != expected:
                raise forms.ValidationError(
                    "Not saved: someone else changed this article after you opened it (it is "
                    f"now version {current}; this form shows version {expected}). Your text is "
                    "still in the form below: copy what you need, reload the page and make your "
                    "change again.",
                    code="stale",
                )
        return cleaned


class _Refused(Exception):
    """A service refused a save after the form was valid: nothing was saved."""


@admin.register(Article)
class ArticleAdmin(SimpleHistoryAdmin):
    form = ArticleForm
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

    def get_urls(self):
        # Before the default URLs: their "<object_id>/" catch-all would match this too.
        annotate = path(
            "<path:object_id>/annotate/",
            self.admin_site.admin_view(self.annotate_view),
            name=f"{self.opts.app_label}_{self.opts.model_name}_annotate",
        )
        return [annotate, *super().get_urls()]

    def annotate_view(self, request, object_id):
        """The Annotate workspace: a page shell. Its JavaScript reads and writes everything
        through the REST API, so the admin obeys the same rules as any other client."""
        article = self.get_object(request, unquote(object_id))
        if article is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_view_permission(request, article):
            raise DjangoPermissionDenied
        config = {
            "article": article.slug,
            "articleUrl": reverse("api:article-detail", args=[article.slug]),
            "articleAnnotationsUrl": reverse("api:article-annotations", args=[article.slug]),
            "annotationsUrl": reverse("api:annotation-list"),
            "rulingsUrl": reverse("api:ruling-list"),
            # What this user may do on the page as a whole; each span and ruling the API
            # returns carries its own `permissions`. The script offers only what these allow;
            # the services still decide every request.
            "permissions": {"annotate": roles.is_annotator(request.user)},
            "kinds": dict(Kind.choices),
            "statuses": dict(Status.choices),
        }
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": article,
            "title": f"Annotate: {article.title or article.slug}",
            "annotate_config": config,
            "kinds": Kind.choices,
            "ratings": Rating.choices,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/annotations/article/annotate.html", context)

    def has_add_permission(self, request):
        # Who may add articles is the service's rule (editors), not a Django permission row.
        return roles.is_editor(request.user)

    def get_fields(self, request, obj=None):
        # The upload is for adding; an article's page edits its fields.
        fields = super().get_fields(request, obj)
        return [f for f in fields if f != "upload"] if obj else fields

    def get_readonly_fields(self, request, obj=None):
        # The slug is an identifier in URLs and fixtures: fixed once the article exists.
        return self.readonly_fields + (("slug", "version") if obj else ())

    def get_prepopulated_fields(self, request, obj=None):
        # A read-only field cannot be prepopulated (the admin fails with KeyError 'slug').
        return {} if obj else super().get_prepopulated_fields(request, obj)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except _Refused as exc:
            return self._refused(request, exc)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        try:
            return super().history_form_view(request, object_id, version_id, extra_context)
        except _Refused as exc:
            return self._refused(request, exc)

    def _refused(self, request, exc):
        # Only a refusal the form could not foresee ends here (a race within the save itself):
        # the transaction is rolled back, so the message says plainly that nothing was saved.
        self.message_user(request, f"Not saved: {exc}", level=messages.ERROR)
        return HttpResponseRedirect(request.get_full_path())

    def save_model(self, request, obj, form, change):
        data = {
            name: form.cleaned_data[name]
            for name in services.ARTICLE_FIELDS
            if name in form.cleaned_data
        }
        try:
            if change:
                # A body edit re-anchors every span, so the body goes to the service only when
                # it differs from the stored one (browsers post CRLF line ends; a history
                # "revert" form starts from an old body). Whatever changes here, the version
                # check still holds.
                body = form.cleaned_data.get("body")
                if body is not None and not services.body_differs(obj, body):
                    body = None
                report = services.article_update(
                    article=obj,
                    user=request.user,
                    body=body,
                    expected_version=form.cleaned_data["expected_version"],
                    **data,
                )
                if report is not None:
                    summary = report.summary() or "no spans"
                    self.message_user(request, f"Body changed; spans re-anchored: {summary}.")
            else:
                created = services.article_create(
                    user=request.user,
                    slug=form.cleaned_data["slug"],
                    body=form.cleaned_data["body"],
                    **data,
                )
                obj.pk = created.pk
        except ServiceError as exc:
            raise _Refused(exc.message) from None
